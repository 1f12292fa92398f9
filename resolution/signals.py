"""Signals other parts of the platform listen to.

`case_ready_for_creditors` is sent (after commit) with `case_id` when the eligibility check
moved a case to AWAITING_CREDITORS: the creditor-confirmation workflow connects to it.
"""

from django.dispatch import Signal

case_ready_for_creditors = Signal()  # kwargs: case_id (str)
