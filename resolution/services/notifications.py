"""Notifications to borrowers and creditors. Each message is a `Notification` row with a
unique dedup key (a step that runs twice notifies once), rendered in the recipient's language
and sent after commit by the task `resolution.send_notification` (written to the outbox in the
same transaction). Reports to the credit bureau that a procedure started are sent here too.
"""

from __future__ import annotations

from datetime import datetime

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation

from bureau_gateway.adapters import get_adapter
from creditors.webhooks import enqueue_event
from finplatform.clock import business_deadline_text, business_now
from outbox import services as outbox
from resolution.models import (
    BureauReport,
    Case,
    Notification,
    NotificationChannel,
    NotificationStatus,
)
from resolution.services.notification_texts import MESSAGES  # the texts, by template key

TASK_SEND = "resolution.send_notification"


def render(template_key: str, language: str, context: dict) -> tuple[str, str]:
    """Subject and body in `language`; a datetime in the context is a deadline, written as
    the reader reads it ("до 23:59, 4 декабря 2026", finplatform/datetext.py)."""
    subject, body = MESSAGES[template_key]
    language = language if language in {"ru", "kk", "en"} else "ru"
    context = {k: business_deadline_text(v, language) if isinstance(v, datetime) else v
               for k, v in context.items()}  # fmt: skip
    with translation.override(language):
        return str(subject) % context, str(body) % context


def _stored(context: dict) -> dict:
    """The context as kept on the notification (JSON): deadlines as ISO timestamps."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in context.items()}


def _create(**fields) -> Notification | None:
    """Insert one notification unless its dedup key exists; enqueue sending after commit."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(**fields)
    except IntegrityError:
        return None  # already notified: dedup
    if notification.channel != NotificationChannel.DASHBOARD:
        outbox.enqueue(TASK_SEND, str(notification.pk),
                       dedup_key=f"notification:{notification.pk}")  # fmt: skip
    return notification


def notify_borrower(*, case: Case, template_key: str, context: dict | None = None,
                    dedup: str = "", cabinet: bool = False) -> list[Notification]:  # fmt: skip
    """Email (if the borrower has one) and SMS to the case's borrower, once per key; with
    `cabinet`, a notice in the borrower's cabinet too."""
    borrower = case.borrower
    ctx = {"reference": case.reference, **(context or {})}
    subject, body = render(template_key, borrower.preferred_language, ctx)
    created = []
    targets = [(NotificationChannel.SMS, borrower.phone)]
    if borrower.email:
        targets.append((NotificationChannel.EMAIL, borrower.email))
    if cabinet:
        targets.append((NotificationChannel.DASHBOARD, str(borrower.pk)))
    for channel, recipient in targets:
        n = _create(
            channel=channel, recipient=recipient, borrower=borrower, case=case,
            template_key=template_key, language=borrower.preferred_language, context=_stored(ctx),
            subject=subject, body=body,
            dedup_key=_borrower_key(template_key, case, channel, dedup),
            status="sent" if channel == NotificationChannel.DASHBOARD else "pending",
        )  # fmt: skip
        if n is not None:
            created.append(n)
    return created


def _borrower_key(template_key: str, case: Case, channel: str, dedup: str) -> str:
    return f"{template_key}:{case.pk}:{channel}{':' + dedup if dedup else ''}"


def borrower_dedups(case: Case, template_key: str) -> set[str]:
    """The `dedup` of every notice `notify_borrower` sent under `template_key` for the case, on
    any channel ("3", "v2:3:7"): read back from the keys `_borrower_key` wrote."""
    head = f"{template_key}:{case.pk}:"
    keys = Notification.objects.filter(case=case, template_key=template_key).values_list(
        "dedup_key", flat=True
    )
    return {key.removeprefix(head).partition(":")[2] for key in keys if key.startswith(head)}


def notify_address(*, case: Case, email: str, template_key: str, context: dict | None = None,
                   dedup: str = "", language: str = "ru") -> Notification | None:  # fmt: skip
    """One email to a staff address, once per key, in `language` (a person's own; else ru)."""
    ctx = {"reference": case.reference, **(context or {})}
    subject, body = render(template_key, language, ctx)
    return _create(channel=NotificationChannel.EMAIL, recipient=email, case=case,
                   template_key=template_key, language=language, context=ctx, subject=subject,
                   body=body, dedup_key=f"{template_key}:{case.pk}:{email}:{dedup}")  # fmt: skip


def notify_creditor(*, creditor, case: Case, template_key: str, event: str,
                    context: dict | None = None, payload: dict | None = None,
                    dedup: str = "") -> None:  # fmt: skip
    """Dashboard notice, email (if the organisation has one) and webhook event, once each
    (per `dedup` too, e.g. one per loan)."""
    ctx = {"reference": case.reference, **(context or {})}
    language = creditor.notification_language or "ru"
    subject, body = render(template_key, language, ctx)
    base = f"{template_key}:{case.pk}:{creditor.pk}{':' + dedup if dedup else ''}"
    targets = [(NotificationChannel.DASHBOARD, str(creditor.pk))]
    if creditor.email:
        targets.append((NotificationChannel.EMAIL, creditor.email))
    for channel, recipient in targets:
        _create(
            channel=channel, recipient=recipient, creditor=creditor, case=case,
            template_key=template_key, language=language, context=_stored(ctx), subject=subject,
            body=body,
            dedup_key=f"{base}:{channel}",
            status="sent" if channel == NotificationChannel.DASHBOARD else "pending",
        )  # fmt: skip
    enqueue_event(
        creditor=creditor, event=event, event_id=base,
        payload={"case": {"id": str(case.pk), "reference": case.reference}, **(payload or {})},
    )  # fmt: skip


def send_notification(*, notification_id) -> str:
    """Send one pending notification by email or SMS; a sent one is not sent again.
    Raises ServiceUnavailable when the SMS gateway is down (the task retries)."""
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


def report_procedure_started(*, report_id) -> bool:
    """Tell the credit bureau the procedure started on one loan; once per loan. Raises
    ServiceUnavailable when the bureau is down (the task retries)."""
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
