"""Signals the schedules app sends; the workflow side connects to them (schedules never
imports resolution's services). All are sent after the booking transaction commits."""

from django.dispatch import Signal

# kwargs: case_id, plan_id
plan_completed = Signal()
# kwargs: case_id, plan_id
plan_breached = Signal()
# kwargs: case_id, plan_id, creditor_id
creditor_may_resume_collection = Signal()
