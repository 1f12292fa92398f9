"""Celery tasks of the workflow after eligibility. Each takes ids, reloads state and is safe
to run twice. Registered by `finplatform.celery` (autodiscovery of `tasks_workflow`)."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction

from bureau_gateway.interfaces import ServiceUnavailable
from finplatform.clock import business_now


@shared_task(name="resolution.generate_documents", time_limit=300, soft_time_limit=270)
def generate_documents(package_id: str) -> str:
    from resolution.documents import generate_package

    package = generate_package(package_id=package_id)
    return package.package_hash


@shared_task(name="resolution.sweep_confirmation_deadlines", time_limit=300, soft_time_limit=270)
def sweep_confirmation_deadlines() -> dict:
    from resolution.confirmation import sweep_confirmation_deadlines as sweep

    return sweep()


@shared_task(name="resolution.expire_unsigned_packages", time_limit=300, soft_time_limit=270)
def expire_unsigned_packages() -> dict:
    """The signing-window sweep: refuse what expired, then remind what is about to."""
    from resolution.signing import expire_unsigned_packages as expire
    from resolution.signing import remind_unsigned_packages as remind

    return {"refused": expire(), "reminded": remind()}


@shared_task(name="resolution.send_loan_lists", time_limit=120, soft_time_limit=100)
def send_loan_lists(case_id: str) -> int:
    from resolution.confirmation import send_loan_lists as send
    from resolution.models import Case

    if not Case.objects.filter(pk=case_id).exists():
        return 0
    return len(send(case_id=case_id))


@shared_task(
    bind=True, name="resolution.send_notification", time_limit=60, soft_time_limit=50,
    autoretry_for=(ServiceUnavailable,), retry_backoff=True, retry_backoff_max=600,
    max_retries=8,
)  # fmt: skip
def send_notification(self, notification_id: str) -> str:
    """Send one pending notification by email or SMS; a sent one is not sent again."""
    from bureau_gateway.adapters import get_adapter
    from resolution.models import Notification, NotificationChannel, NotificationStatus

    n = Notification.objects.filter(pk=notification_id).first()
    if n is None:  # its transaction was rolled back after all
        return "missing"
    if n.status != NotificationStatus.PENDING:
        return n.status
    Notification.objects.filter(pk=n.pk).update(attempts=n.attempts + 1)
    if n.channel == NotificationChannel.EMAIL:
        send_mail(n.subject, n.body, None, [n.recipient])
    elif n.channel == NotificationChannel.SMS:
        get_adapter("sms").send(phone=n.recipient, text=n.body, dedup_key=f"notification:{n.pk}")
    Notification.objects.filter(pk=n.pk, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SENT, sent_at=business_now()
    )
    return NotificationStatus.SENT


@shared_task(
    name="resolution.report_procedure_started", time_limit=60, soft_time_limit=50,
    autoretry_for=(ServiceUnavailable,), retry_backoff=True, retry_backoff_max=900,
    max_retries=12,
)  # fmt: skip
def report_procedure_started(report_id: int) -> bool:
    """Tell the credit bureau the procedure started on one loan; once per loan."""
    from bureau_gateway.adapters import get_adapter
    from resolution.models import BureauReport

    report = BureauReport.objects.select_related(
        "case_loan__case__borrower", "case_loan__creditor", "case_loan__loan"
    ).get(pk=report_id)
    if report.sent_at is not None:
        return False
    cl = report.case_loan
    BureauReport.objects.filter(pk=report.pk).update(attempts=report.attempts + 1)
    get_adapter("bureau").report_procedure_started(
        iin=cl.case.borrower.iin,
        bureau_reference=cl.loan.bureau_reference or cl.loan.contract_number,
        creditor_bin=cl.creditor.bin, case_reference=cl.case.reference,
        on=business_now().date(),
    )  # fmt: skip
    with transaction.atomic():
        BureauReport.objects.filter(pk=report.pk, sent_at__isnull=True).update(
            sent_at=business_now()
        )
    return True


@shared_task(name="resolution.sweep_payment_notices", time_limit=900, soft_time_limit=840)
def sweep_payment_notices() -> dict:
    """Due-date reminders (7/3/1 days) and missed-payment notices; idempotent."""
    from resolution.reminders import sweep_payment_notices as sweep

    return sweep().__dict__


@shared_task(name="resolution.send_statement_notices", time_limit=900, soft_time_limit=840)
def send_statement_notices() -> int:
    """ "Your statement for <last month> is ready", once per plan and month."""
    from resolution.reminders import send_statement_notices as send

    return send()


@shared_task(name="resolution.resume_stuck_cases", time_limit=300, soft_time_limit=270)
def resume_stuck_cases() -> dict:
    """Periodic sweep: resume cases left in a transitional state (resolution.recovery)."""
    from resolution.recovery import resume_stuck_cases as sweep

    return sweep()
