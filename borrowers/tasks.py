"""Periodic housekeeping of the borrowers app (scheduled in finplatform/celery.py)."""

from celery import shared_task

from borrowers import enrolment


@shared_task(name="borrowers.forget_finished_enrolments", time_limit=120, soft_time_limit=100)
def forget_finished_enrolments() -> int:
    return enrolment.forget_finished_enrolments()
