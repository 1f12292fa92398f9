"""Every Celery task of the resolution app. Each takes ids, calls one service and is safe to
run twice; the work and its checks are in `resolution.services`. Services never import this
module: they write a follow-up to the outbox by the task's registered name."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from bureau_gateway.interfaces import ServiceUnavailable
from finplatform.dailyruns import run_daily, run_latest
from resolution.models import Case
from resolution.services import (
    allocation,
    confirmation,
    documents,
    eligibility,
    endings,
    fraud,
    notifications,
    outcomes,
    recovery,
    refund_notices,
    reminders,
    signing,
    variation_signing,
)

# --- the eligibility check ---


@shared_task(
    bind=True,
    name="resolution.tasks.run_eligibility_check",
    autoretry_for=(ServiceUnavailable,),  # BureauUnavailable and other outages; nothing else
    retry_backoff=settings.ELIGIBILITY_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=settings.ELIGIBILITY_MAX_RETRIES,
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
)
def run_eligibility_check(self, case_id: str) -> dict:
    """Fetch the credit report and decide eligibility for one case (see services)."""
    check = eligibility.run_eligibility_check(
        case_id=case_id, final_attempt=self.request.retries >= self.max_retries
    )
    if check is None:
        return {"case_id": case_id, "state": None}
    return {"case_id": case_id, "state": check.state, "eligible": check.eligible}


@shared_task(name="resolution.tasks.resume_stalled_checks", time_limit=60, soft_time_limit=50)
def resume_stalled_checks() -> int:
    """Periodic sweep (finplatform/celery.py): re-enqueue eligibility checks left stalled."""
    return len(eligibility.resume_stalled_checks())


@shared_task(name="resolution.allocate_parts", time_limit=300, soft_time_limit=270)
def allocate_parts() -> int:
    """Periodic (finplatform/celery.py): split the creditors' parts booked since the last
    run into principal, interest and penalty; loops until nothing is pending."""
    done = total = allocation.allocate_pending_parts()
    while done == allocation.BATCH:
        done = allocation.allocate_pending_parts()
        total += done
    return total


# --- creditors' answers ---


@shared_task(name="resolution.send_loan_lists", time_limit=120, soft_time_limit=100)
def send_loan_lists(case_id: str) -> int:
    if not Case.objects.filter(pk=case_id).exists():
        return 0
    return len(confirmation.send_loan_lists(case_id=case_id))


@shared_task(name="resolution.sweep_confirmation_deadlines", time_limit=300, soft_time_limit=270)
def sweep_confirmation_deadlines() -> dict:
    return confirmation.sweep_confirmation_deadlines()


# --- documents and signing ---


@shared_task(name="resolution.generate_documents", time_limit=300, soft_time_limit=270)
def generate_documents(package_id: str) -> str:
    return documents.generate_package(package_id=package_id).package_hash


@shared_task(name="resolution.expire_unsigned_packages", time_limit=300, soft_time_limit=270)
def expire_unsigned_packages() -> dict:
    """The signing-window sweep: refuse what expired, then remind what is about to."""
    return {
        "refused": signing.expire_unsigned_packages(),
        "reminded": signing.remind_unsigned_packages(),
    }


@shared_task(name="resolution.sweep_variations", time_limit=300, soft_time_limit=270)
def sweep_variations() -> dict:
    """Plan variations: silence is consent when the objection window closed (the agreement
    is issued), and an agreement not signed within 72 hours expires."""
    return {
        "issued": variation_signing.close_objection_windows(),
        "expired": variation_signing.expire_unsigned_variations(),
        "reminded": variation_signing.remind_unsigned_variations(),
    }


# --- messages out ---


@shared_task(
    bind=True, name="resolution.send_notification", time_limit=60, soft_time_limit=50,
    autoretry_for=(ServiceUnavailable,), retry_backoff=True, retry_backoff_max=600,
    max_retries=8,
)  # fmt: skip
def send_notification(self, notification_id: str) -> str:
    """Send one pending notification by email or SMS; a sent one is not sent again."""
    return notifications.send_notification(notification_id=notification_id)


@shared_task(
    name="resolution.report_procedure_started", time_limit=60, soft_time_limit=50,
    autoretry_for=(ServiceUnavailable,), retry_backoff=True, retry_backoff_max=900,
    max_retries=12,
)  # fmt: skip
def report_procedure_started(report_id: int) -> bool:
    """Tell the credit bureau the procedure started on one loan; once per loan."""
    return notifications.report_procedure_started(report_id=report_id)


@shared_task(
    name="resolution.correct_credit_history", time_limit=60, soft_time_limit=50,
    autoretry_for=(ServiceUnavailable,), retry_backoff=True, retry_backoff_max=900,
    max_retries=12,
)  # fmt: skip
def correct_credit_history(report_id: int) -> bool:
    """Tell the credit bureau to correct the history of a loan written off after a court
    decision (fraud); once per loan, however often it runs."""
    return fraud.correct_credit_history(report_id=report_id)


@shared_task(name="resolution.sweep_payment_notices", time_limit=900, soft_time_limit=840)
def sweep_payment_notices() -> dict:
    """Due-date reminders (7/3/1 days) and missed-payment notices as of the latest business
    date due, which covers every date since the last run: after a gap only the reminder stage
    current now goes out, and each instalment that fell late meanwhile gets its notice now.
    The figures, and the dates covered."""
    dates, result = run_latest("resolution-payment-notices",
                               lambda on: reminders.sweep_payment_notices(on=on))  # fmt: skip
    totals = {key: getattr(result, key, 0) for key in ("plans", "reminders", "missed")}
    return {**totals, "dates": [str(on) for on in dates]}


@shared_task(name="resolution.send_statement_notices", time_limit=900, soft_time_limit=840)
def send_statement_notices() -> int:
    """ "Your statement for <last month> is ready", once per plan and month; every business
    date since the last run."""
    return sum(
        run_daily(
            "resolution-statement-notices", lambda on: reminders.send_statement_notices(on=on)
        )
    )


# --- the plan's outcome and recovery ---


@shared_task(name="resolution.plan_completed", time_limit=60, soft_time_limit=50)
def plan_completed(case_id: str) -> bool:
    """The plan is paid in full (written to the outbox by schedules): the case COMPLETED."""
    return outcomes.plan_completed(case_id=case_id)


@shared_task(name="resolution.plan_breached", time_limit=60, soft_time_limit=50)
def plan_breached(case_id: str) -> bool:
    """A payment is over 40 days late (written to the outbox by schedules): case BREACHED."""
    return outcomes.plan_breached(case_id=case_id)


@shared_task(name="resolution.resume_stuck_cases", time_limit=300, soft_time_limit=270)
def resume_stuck_cases(startup: bool = False) -> dict:
    """Periodic sweep, and once at worker start (`startup`, finplatform/celery.py): resume
    cases left in a transitional state (services.recovery)."""
    return recovery.resume_stuck_cases(startup=startup)


@shared_task(
    name="resolution.report_procedure_ended", time_limit=60, soft_time_limit=50,
    autoretry_for=(ServiceUnavailable,), retry_backoff=True, retry_backoff_max=900,
    max_retries=12,
)  # fmt: skip
def report_procedure_ended(report_id: int) -> bool:
    """Tell the credit bureau the procedure completed or was breached on one loan; once."""
    return endings.report_procedure_ended(report_id=report_id)


@shared_task(name="resolution.render_ending_documents", time_limit=300, soft_time_limit=270)
def render_ending_documents(ending_id: str) -> int:
    """Render the breach statement or completion certificate PDFs (missing ones only)."""
    return endings.render_ending_documents(ending_id=ending_id)


@shared_task(name="resolution.refund_paid", time_limit=60, soft_time_limit=50)
def refund_paid(refund_id: str) -> int:
    """A refund reached the borrower's IBAN (written to the outbox by the payout run): tell
    the borrower, once."""
    return refund_notices.notify_refund_paid(refund_id=refund_id)
