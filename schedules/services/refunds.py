"""Refunds to borrowers (design: schedules/models/refunds.py). The borrower asks, one staff
member prepares, another approves, the daily payout run pays: one ledger transaction per
refund (debit the refund liability, credit the bank), once."""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from borrowers.models import Borrower
from finplatform.clock import business_date, business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.locks import lock_row, lock_rows
from outbox import services as outbox
from schedules import ledger, selectors
from schedules.models import Plan, RefundPayout, RefundStatus, Side, TransactionKind
from schedules.models.refunds import OPEN_REFUND_STATUSES
from schedules.services.common import lock_plans
from schedules.services.refund_iban import verified_refund_iban

logger = logging.getLogger(__name__)

REFUND_PAID_TASK = "resolution.refund_paid"
MSG_NOTHING_OWED = _("Nothing is owed back on this plan.")
MSG_NO_IBAN = _("Set an IBAN for refunds first.")
MSG_OPEN = _("A refund for this plan is already under way.")
MSG_STATE = _("This refund is not at that step any more.")
MSG_SAME_PERSON = _("A second person must approve: you prepared this refund yourself.")


def refund_due(plan: Plan) -> int:
    """What is owed back on `plan` and not yet paid or under way."""
    taken = (
        plan.refund_payouts.exclude(status=RefundStatus.REJECTED).aggregate(s=Sum("amount_tiyn"))[
            "s"
        ]
        or 0
    )
    return max(0, selectors.refund_owed(plan) - taken)


@transaction.atomic
def request_refund(*, plan_id, borrower) -> RefundPayout:
    """The borrower asks for what is owed back, to their verified IBAN (plan locked, then the
    borrower, so an IBAN change in flight is either seen or waits: refund_iban.py)."""
    plan = lock_plans([plan_id]).get(plan_id)
    if plan is None or plan.case.borrower_id != borrower.pk:
        raise ApplicationError(MSG_NOTHING_OWED, code="nothing_owed")
    lock_row(Borrower, pk=borrower.pk)
    details = verified_refund_iban(borrower)
    if details is None:
        raise ConflictError(MSG_NO_IBAN, code="refund_iban_missing")
    if plan.refund_payouts.filter(status__in=OPEN_REFUND_STATUSES).exists():
        raise ConflictError(MSG_OPEN, code="refund_open")
    amount = refund_due(plan)
    if amount <= 0:
        raise ConflictError(MSG_NOTHING_OWED, code="nothing_owed")
    return RefundPayout.objects.create(plan_id=plan.pk, details=details, iban=details.iban,
                                       amount_tiyn=amount, requested_at=business_now())  # fmt: skip


def _lock(refund_id, expected: str) -> RefundPayout:
    refund = lock_rows(RefundPayout.objects.filter(pk=refund_id)).first()
    if refund is None:
        raise RefundPayout.DoesNotExist
    if refund.status != expected:
        raise ConflictError(MSG_STATE, code="refund_wrong_step")
    return refund


@transaction.atomic
def prepare_refund(*, refund_id, user) -> RefundPayout:
    """The maker: an ombudsman's staff member checks the request and prepares it."""
    refund = _lock(refund_id, RefundStatus.REQUESTED)
    refund.status, refund.prepared_by = RefundStatus.PREPARED, user
    refund.save(update_fields=["status", "prepared_by"])
    return refund


@transaction.atomic
def approve_refund(*, refund_id, user) -> RefundPayout:
    """The checker: a second staff member approves; the next payout run pays it."""
    refund = _lock(refund_id, RefundStatus.PREPARED)
    if refund.prepared_by_id == user.pk:
        raise ConflictError(MSG_SAME_PERSON, code="maker_checker")
    refund.status, refund.approved_by, refund.decided_at = (
        RefundStatus.APPROVED, user, business_now(),
    )  # fmt: skip
    refund.save(update_fields=["status", "approved_by", "decided_at"])
    return refund


@transaction.atomic
def reject_refund(*, refund_id, user, reason: str) -> RefundPayout:
    refund = lock_rows(RefundPayout.objects.filter(pk=refund_id)).first()
    if refund is None:
        raise RefundPayout.DoesNotExist
    if refund.status not in (RefundStatus.REQUESTED, RefundStatus.PREPARED):
        raise ConflictError(MSG_STATE, code="refund_wrong_step")
    refund.status, refund.decided_at = RefundStatus.REJECTED, business_now()
    refund.rejection_reason = reason[:500]
    refund.save(update_fields=["status", "decided_at", "rejection_reason"])
    return refund


@transaction.atomic
def pay_approved_refunds(*, on: date | None = None) -> list[RefundPayout]:
    """Part of the daily payout run: pay every APPROVED refund (locked in pk order) with one
    balanced transaction each and mark it PAID in the same transaction, so a second run (or a
    retried task) finds nothing to pay; the borrower's notice goes through the outbox, once.
    A refund larger than what is still owed on its plan (a reversal since) is left approved
    and logged, never paid."""
    on = on or business_date()
    refunds = list(lock_rows(RefundPayout.objects.filter(status=RefundStatus.APPROVED)))
    if not refunds:
        return []
    system = ledger.system_account_ids()
    postings, paid = [], []
    for refund in refunds:
        owed = selectors.refund_owed(refund.plan) - (
            refund.plan.refund_payouts.filter(status=RefundStatus.PAID).aggregate(
                s=Sum("amount_tiyn")
            )["s"]
            or 0
        )
        if refund.amount_tiyn > owed:
            logger.warning("refund %s withheld: %s tiyn > %s owed", refund.pk,
                           refund.amount_tiyn, owed)  # fmt: skip
            continue
        postings.append(
            ledger.Posting(
                kind=TransactionKind.REFUND_PAYOUT,
                booked_on=on,
                plan_id=refund.plan_id,
                description=f"refund to borrower {on}",
                legs=[
                    (system[ledger.REFUND], Side.DEBIT, refund.amount_tiyn),
                    (system[ledger.BANK], Side.CREDIT, refund.amount_tiyn),
                ],
            )  # fmt: skip
        )
        paid.append(refund)
    if not postings:
        return []
    ledger.post_many(postings, now=business_now())
    for refund, posting in zip(paid, postings, strict=True):
        refund.status, refund.paid_on, refund.transaction_id = (
            RefundStatus.PAID, on, posting.transaction_id,
        )  # fmt: skip
        refund.save(update_fields=["status", "paid_on", "transaction"])
        outbox.enqueue(REFUND_PAID_TASK, str(refund.pk), dedup_key=f"refund-paid:{refund.pk}")
    return paid
