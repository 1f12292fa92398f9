"""Complaints: filing, the one extension, the answer. Deadlines in Kazakhstan working days."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from borrowers.models import Borrower, Complaint, ComplaintMessage, ComplaintStatus
from finplatform.clock import business_date, business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.language import Language
from finplatform.locks import lock_row
from finplatform.workdays import add_working_days

ANSWER_WORKING_DAYS = 15
EXTENSION_WORKING_DAYS = 15

MSG_ALREADY_EXTENDED = _("The answer period can be extended only once.")
MSG_ALREADY_ANSWERED = _("This complaint has already been answered.")
MSG_ANSWER_LANGUAGE = _("Answer in Kazakh or in the language of the complaint.")
MSG_EXTEND_AFTER_DUE = _("The period can only be extended before it runs out.")
MSG_EMPTY = _("Write the text of your complaint.")


def _lock(complaint_id) -> Complaint:
    return lock_row(Complaint, pk=complaint_id)


@transaction.atomic
def file_complaint(*, borrower: Borrower, subject: str, body: str, language: str) -> Complaint:
    """Record a complaint; the answer is due 15 working days after the day it arrives."""
    if not body.strip() or not subject.strip():
        raise ApplicationError(MSG_EMPTY, code="empty_complaint")
    now = business_now()
    return Complaint.objects.create(
        borrower=borrower,
        subject=subject.strip(),
        body=body.strip(),
        language=language if language in Language.values else borrower.preferred_language,
        received_at=now,
        due_on=add_working_days(now.date(), ANSWER_WORKING_DAYS),
    )


@transaction.atomic
def extend_complaint(*, complaint_id, reason: str, staff_user) -> Complaint:
    """Extend the answer period once by 15 working days; the borrower is told at once."""
    complaint = _lock(complaint_id)
    if complaint.status == ComplaintStatus.ANSWERED:
        raise ConflictError(MSG_ALREADY_ANSWERED, code="already_answered")
    if complaint.status == ComplaintStatus.EXTENDED:
        raise ConflictError(MSG_ALREADY_EXTENDED, code="already_extended")
    if business_date() > complaint.due_on:
        raise ConflictError(MSG_EXTEND_AFTER_DUE, code="extension_too_late")
    complaint.status = ComplaintStatus.EXTENDED
    complaint.extended_at = business_now()
    complaint.extension_reason = reason
    complaint.due_on = add_working_days(complaint.due_on, EXTENSION_WORKING_DAYS)
    complaint.save()
    ComplaintMessage.objects.create(
        complaint=complaint, author=staff_user, from_staff=True, created_at=business_now(),
        body=str(_("The answer period was extended to %(due)s. Reason: %(reason)s"))
        % {"due": complaint.due_on.isoformat(), "reason": reason},
    )  # fmt: skip
    return complaint


@transaction.atomic
def answer_complaint(
    *, complaint_id, answer: str, language: str, appeal_info: str, staff_user
) -> Complaint:
    """Give the reasoned answer, in Kazakh or the complaint's language, with how to appeal."""
    complaint = _lock(complaint_id)
    if complaint.status == ComplaintStatus.ANSWERED:
        raise ConflictError(MSG_ALREADY_ANSWERED, code="already_answered")
    if language not in {complaint.language, Language.KAZAKH}:
        raise ApplicationError(MSG_ANSWER_LANGUAGE, code="answer_language")
    complaint.status = ComplaintStatus.ANSWERED
    complaint.answer = answer
    complaint.answer_language = language
    complaint.appeal_info = appeal_info
    complaint.answered_at = business_now()
    complaint.answered_by = staff_user
    complaint.save()
    ComplaintMessage.objects.create(
        complaint=complaint, author=staff_user, from_staff=True, body=answer,
        created_at=complaint.answered_at,
    )  # fmt: skip
    return complaint


def add_borrower_message(*, complaint: Complaint, borrower: Borrower, body: str) -> None:
    if not body.strip():
        raise ApplicationError(MSG_EMPTY, code="empty_message")
    ComplaintMessage.objects.create(
        complaint=complaint, author=borrower.user, body=body.strip(), created_at=business_now()
    )


# --- selectors ---


def complaints_for_borrower(borrower: Borrower) -> QuerySet[Complaint]:
    return borrower.complaints.order_by("-received_at")


def open_complaints_queue() -> QuerySet[Complaint]:
    """Staff queue: unanswered complaints, the nearest deadline first."""
    return Complaint.objects.exclude(status=ComplaintStatus.ANSWERED).order_by("due_on")


def overdue_complaints(today: date | None = None) -> QuerySet[Complaint]:
    return open_complaints_queue().filter(due_on__lt=today or business_date())
