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
from django.utils.translation import gettext_lazy as _

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
from resolution.services.change_messages import MESSAGES as CHANGE_MESSAGES

TASK_SEND = "resolution.send_notification"

# template key -> (subject, body). Bodies take %(reference)s and the context's keys.
MESSAGES = {
    "case_awaiting_creditors": (
        _("Your application %(reference)s was sent to your creditors"),
        _("Application %(reference)s passed the check; your creditors are confirming the debts."),
    ),
    "case_under_review": (
        _("Application %(reference)s is under ombudsman review"),
        _("All creditors answered. The ombudsman is reviewing application %(reference)s."),
    ),
    "claims_over_cap": (
        _("Application %(reference)s: the confirmed debt is over the limit"),
        _(
            "A creditor corrected loan %(contract)s: your confirmed debt is now %(total)s, over "
            "the limit of %(cap)s for this procedure. The ombudsman cannot approve the case "
            "with this total and will review the correction."
        ),
    ),  # fmt: skip
    "case_rejected": (
        _("Application %(reference)s was rejected"),
        _("The ombudsman rejected application %(reference)s: %(reason)s"),
    ),
    "documents_issued": (
        _("Documents for %(reference)s are ready to sign"),
        _("Please review and sign the documents of %(reference)s %(deadline)s."),
    ),
    "signing_reminder": (
        _("Reminder: sign the documents of %(reference)s"),
        _("The documents of %(reference)s must be signed %(deadline)s, or the application closes."),
    ),  # fmt: skip
    "case_refused": (
        _("Application %(reference)s closed: not signed in time"),
        _("The documents of %(reference)s were not signed within 72 hours; the case is closed."),
    ),
    "case_active": (
        _("Procedure %(reference)s has started"),
        _("You signed the documents of %(reference)s. Your repayment schedule is active."),
    ),
    # around the schedule (resolution.services.reminders)
    "due_reminder": (
        _("Payment of %(amount)s due on %(due_date)s"),
        _(
            "Instalment %(number)s of your schedule %(reference)s: %(amount)s is due on "
            "%(due_date)s, pay with the reference %(reference)s."
        ),
    ),  # fmt: skip
    "payment_missed": (
        _("Missed payment on %(reference)s"),
        _(
            "The instalment of %(reference)s due on %(due_date)s was not paid. Overdue now: "
            "%(overdue)s. Please pay it %(pay_by)s: otherwise on %(breach_date)s your creditors "
            "may resume collecting the debts. If you cannot pay, you have the right to ask for a "
            "change of terms: within 30 calendar days of the missed payment send a written "
            "request through Complaints and messages in your cabinet, with the reasons for the "
            "delay, your income and documents that confirm them. The answer comes within 15 "
            "calendar days; if it is a refusal, you may turn to the ombudsman within 15 "
            "calendar days."
        ),
    ),  # fmt: skip
    "statement_ready": (
        _("Your statement for %(month)s is ready"),
        _(
            "The statement of %(reference)s for %(month)s (payments, each creditor's part, "
            "balance left) is on the schedule page of your cabinet."
        ),
    ),  # fmt: skip
    "dispute_included_borrower": (
        _("Procedure %(reference)s: a disputed loan was decided"),
        _(
            "The ombudsman included the disputed loan %(contract)s at %(amount)s. The total of "
            "your schedule is now %(total)s."
        ),
    ),  # fmt: skip
    "dispute_excluded_borrower": (
        _("Procedure %(reference)s: a disputed loan was decided"),
        _(
            "The ombudsman left the disputed loan %(contract)s out of the procedure. The total "
            "of your schedule is now %(total)s; the last instalments are lower."
        ),
    ),  # fmt: skip
    # a variation of the plan (resolution.services.variations, variation_signing)
    "variation_requested": (
        _("Procedure %(reference)s: your request to change the plan was received"),
        _("The ombudsman will review your request to change the schedule of %(reference)s."),
    ),
    "variation_proposed": (
        _("Procedure %(reference)s: a new schedule is proposed"),
        _(
            "The ombudsman proposed a new schedule for %(reference)s: %(monthly)s a month, "
            "%(term)s months in all. Creditors may object until %(deadline)s."
        ),
    ),  # fmt: skip
    "variation_declined": (
        _("Procedure %(reference)s: your request to change the plan was declined"),
        _("The ombudsman declined the change of %(reference)s: %(reason)s"),
    ),
    "variation_objected": (
        _("Procedure %(reference)s: a creditor objected to the change"),
        _(
            "%(creditor)s objected to the new schedule of %(reference)s: %(reason)s. The "
            "current schedule stays in force."
        ),
    ),  # fmt: skip
    "variation_objected_staff": (
        _("Variation of %(reference)s blocked by an objection"),
        _("%(creditor)s objected to the proposed variation of %(reference)s: %(reason)s"),
    ),
    "variation_issued": (
        _("Procedure %(reference)s: sign the variation agreement"),
        _(
            "No creditor objected. Please sign the variation agreement of %(reference)s by "
            "%(deadline)s, or the current schedule stays in force."
        ),
    ),  # fmt: skip
    "variation_signing_reminder": (
        _("Reminder: sign the variation agreement of %(reference)s"),
        _(
            "The variation agreement of %(reference)s must be signed by %(deadline)s, or the "
            "current schedule stays in force."
        ),
    ),  # fmt: skip
    "variation_signed": (
        _("Procedure %(reference)s: the new schedule is in force"),
        _("Schedule version %(version)s of %(reference)s is in force: %(monthly)s a month."),
    ),
    "variation_expired": (
        _("Procedure %(reference)s: the variation agreement was not signed"),
        _(
            "The variation agreement of %(reference)s was not signed in time; the current "
            "schedule stays in force."
        ),
    ),  # fmt: skip
    "variation_proposed_creditor": (
        _("Case %(reference)s: a change of the schedule is proposed"),
        _(
            "The ombudsman proposes a new schedule for %(reference)s (%(monthly)s a month, "
            "%(term)s months). Your share does not change. Object with a reason by "
            "%(deadline)s; silence is consent."
        ),
    ),  # fmt: skip
    "variation_signed_creditor": (
        _("Case %(reference)s: schedule version %(version)s is in force"),
        _(
            "The borrower signed the variation of %(reference)s: schedule version %(version)s, "
            "%(monthly)s a month. Your share of each payment does not change."
        ),
    ),  # fmt: skip
    # to creditors
    "dispute_included_creditor": (
        _("Case %(reference)s: your disputed loan was decided"),
        _(
            "The ombudsman included your loan %(contract)s at %(amount)s. The %(held)s held for "
            "it is released to you; later payments are paid out as usual."
        ),
    ),  # fmt: skip
    "dispute_excluded_creditor": (
        _("Case %(reference)s: your disputed loan was decided"),
        _(
            "The ombudsman left your loan %(contract)s out of the procedure: %(reason)s. The "
            "money held for it goes to the other creditors of the case."
        ),
    ),  # fmt: skip
    "creditor_loans_requested": (
        _("Case %(reference)s: please confirm the debts"),
        _(
            "A resolution procedure is pending for case %(reference)s. Confirm, correct or "
            "dispute your loans %(deadline)s; do not start new collection actions."
        ),
    ),  # fmt: skip
    "creditor_reminder": (
        _("Case %(reference)s: your answer is late"),
        _(
            "The time to confirm the debts of case %(reference)s has passed: the answer was due "
            "%(deadline)s."
        ),
    ),
    # the end of the procedure (resolution.services.endings)
    "plan_breached_borrower": (
        _("Procedure %(reference)s ended: a payment is over 40 days late"),
        _(
            "Your schedule %(reference)s is more than 40 days late, so the procedure ended on "
            "%(on)s. Each creditor may now resume collecting what you still owe it under the "
            "law: %(owed)s. The breach statement is in your cabinet."
        ),
    ),  # fmt: skip
    "plan_breached_creditor": (
        _("Case %(reference)s breached: you may resume collection"),
        _(
            "The borrower of case %(reference)s is more than 40 days late; the procedure ended "
            "on %(on)s. You may resume collecting the unpaid balance of %(outstanding)s "
            "(confirmed %(debt)s, received %(received)s). The breach statement is on your "
            "dashboard."
        ),
    ),  # fmt: skip
    "plan_completed_borrower": (
        _("Procedure %(reference)s completed: paid in full"),
        _(
            "You paid the unified schedule %(reference)s in full on %(on)s. Your completion "
            "certificate is in your cabinet. %(refund_note)s"
        ),
    ),  # fmt: skip
    "plan_completed_creditor": (
        _("Case %(reference)s completed: paid in full"),
        _(
            "The borrower of case %(reference)s paid the unified schedule in full on %(on)s: "
            "you received %(received)s of the confirmed %(debt)s. Close the loans "
            "(%(contracts)s) and report the completion to the credit bureau."
        ),
    ),  # fmt: skip
    # "this loan is not mine" (resolution.services.fraud)
    "fraud_flagged_borrower": (
        _("Application %(reference)s: loan %(contract)s flagged as not yours"),
        _(
            "We recorded your statement that loan %(contract)s is not yours. It is held out of "
            "your plan; the creditor must stop interest and collection on it. The ombudsman "
            "will record the court decision when you send it."
        ),
    ),  # fmt: skip
    "fraud_flagged_creditor": (
        _("Case %(reference)s: the borrower says loan %(contract)s is not theirs"),
        _(
            "The borrower of case %(reference)s states that loan %(contract)s was taken out in "
            "their name by someone else. The loan is held out of the plan. From %(on)s stop "
            "interest accrual and claims work on it and report the case to the police, as the "
            "regulator's rules require; after a court decision the debt is written off and the "
            "credit history corrected."
        ),
    ),  # fmt: skip
    "fraud_written_off_borrower": (
        _("Application %(reference)s: loan %(contract)s written off"),
        _(
            "Under court decision %(number)s of %(date)s loan %(contract)s is not yours: it is "
            "written off on the platform and the credit bureau is told to correct your credit "
            "history."
        ),
    ),  # fmt: skip
    "fraud_written_off_creditor": (
        _("Case %(reference)s: loan %(contract)s written off by a court decision"),
        _(
            "Court decision %(number)s of %(date)s found that loan %(contract)s was not taken "
            "by the borrower. It is written off on the platform and left out of the plan; the "
            "credit bureau is told to correct the history. Write off the debt in your books."
        ),
    ),  # fmt: skip
    "fraud_rejected_borrower": (
        _("Application %(reference)s: court decision on loan %(contract)s"),
        _(
            "Court decision %(number)s of %(date)s found that loan %(contract)s is yours. It "
            "returns to your plan under the usual rules."
        ),
    ),  # fmt: skip
    "fraud_rejected_creditor": (
        _("Case %(reference)s: loan %(contract)s is the borrower's"),
        _(
            "Court decision %(number)s of %(date)s found that loan %(contract)s is the "
            "borrower's. It returns to the plan at your confirmed figure (%(released)s held "
            "for it is released to you), or, if you disputed it, the ombudsman decides the "
            "dispute."
        ),
    ),  # fmt: skip
    "creditor_suspend_collection": (
        _("Case %(reference)s signed: suspend collection"),
        _(
            "The borrower signed case %(reference)s. Suspend collection on the included loans "
            "(%(contracts)s) and report the start of the procedure to the credit bureau."
        ),
    ),  # fmt: skip
    "refund_paid": (
        _("Refund for case %(reference)s sent"),
        _(
            "We sent %(amount)s owed back to you on case %(reference)s to your IBAN %(iban)s "
            "on %(on)s. It is on your statement."
        ),
    ),  # fmt: skip
}
MESSAGES.update(CHANGE_MESSAGES)  # a claim sold, a plan terminated


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
            dedup_key=f"{template_key}:{case.pk}:{channel}{':' + dedup if dedup else ''}",
            status="sent" if channel == NotificationChannel.DASHBOARD else "pending",
        )  # fmt: skip
        if n is not None:
            created.append(n)
    return created


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
