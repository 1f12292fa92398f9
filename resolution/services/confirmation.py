"""Step 5 of the procedure: creditors confirm, correct or dispute the debts.

The bureau's figures stay in `CaseLoan.bureau_*`; every answer is a new `DebtConfirmation`
row beside them (the latest one per loan counts) and `CaseLoan.confirmation_status` /
`confirmed_total_tiyn` show the current answer. When every included loan has an answer the
case moves AWAITING_CREDITORS → UNDER_REVIEW through `workflow.transition`.

Lock order: the case row first (`lock_case`), then its loans, so two creditors answering at
once cannot deadlock and the "all answered?" check sees every answer.

Bulk confirmation on the creditor dashboard (`confirm_at_bureau_figures`) sends each loan
through `answer_loan`, so each gets its own DebtConfirmation (the audit row) and the last
answer moves its case on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from creditors.models import ApiKey, Creditor
from finplatform import idempotency
from finplatform.clock import business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.locks import lock_row, lock_rows
from resolution import trail
from resolution.models import (
    Case,
    CaseLoan,
    CaseStatus,
    ConfirmationAction,
    ConfirmationStatus,
    CreditorRequest,
    DebtConfirmation,
)
from resolution.policy import confirmation_deadline, policy
from resolution.selectors.claims import cap_warning
from resolution.services.notifications import notify_borrower, notify_creditor
from resolution.workflow import lock_case, transition

MSG_NOT_AWAITING = _("This case no longer accepts creditors' answers.")
MSG_DISPUTE_REASON = _("Give the reason for the dispute.")
MSG_CORRECTION_FIGURES = _("A correction needs the principal, interest and penalties.")
MSG_NEGATIVE = _("Amounts cannot be negative.")
MSG_NOT_INCLUDED = _("This loan is not part of the procedure.")
MSG_OVERDUE_SPLIT = _(
    "The overdue principal and interest must be between zero and the principal and interest."
)
MSG_CORRECTION_UP_REASON = _(
    "A correction above the credit bureau's figure needs a reason: say why the debt is higher."
)

ACTION_TO_STATUS = {
    ConfirmationAction.CONFIRM: ConfirmationStatus.CONFIRMED,
    ConfirmationAction.CORRECT: ConfirmationStatus.CORRECTED,
    ConfirmationAction.DISPUTE: ConfirmationStatus.DISPUTED,
    ConfirmationAction.DEEMED: ConfirmationStatus.DEEMED_CONFIRMED,
}


@transaction.atomic
def send_loan_lists(*, case_id) -> list[CreditorRequest]:
    """Send the eligible loans to each creditor with its answer deadline; idempotent (a
    creditor already asked is not asked again). Tells creditors a procedure is pending."""
    case = lock_case(case_id)
    if case.status != CaseStatus.AWAITING_CREDITORS:
        return []
    now = business_now()
    creditors = Creditor.objects.filter(case_loans__case=case, case_loans__included=True).distinct()
    created = []
    for creditor in creditors:
        request, was_created = CreditorRequest.objects.get_or_create(
            case=case, creditor=creditor,
            defaults={"sent_at": now, "deadline": confirmation_deadline(now)},
        )  # fmt: skip
        if was_created:
            created.append(request)
            contracts = list(
                case.loans.filter(creditor=creditor, included=True).values_list(
                    "loan__contract_number", flat=True
                )
            )
            notify_creditor(
                creditor=creditor, case=case, template_key="creditor_loans_requested",
                event="case.loans_requested",
                context={"deadline": request.deadline},
                payload={"deadline": request.deadline.isoformat(), "contracts": contracts},
            )  # fmt: skip
    if created:
        notify_borrower(case=case, template_key="case_awaiting_creditors")
    return created


def _validate_amounts(action, principal, interest, penalty, comment, bureau_total) -> None:
    if action == ConfirmationAction.DISPUTE and not (comment or "").strip():
        raise ApplicationError(MSG_DISPUTE_REASON, code="dispute_reason_required")
    if action == ConfirmationAction.CORRECT:
        if None in (principal, interest, penalty):
            raise ApplicationError(MSG_CORRECTION_FIGURES, code="correction_incomplete")
        if min(principal, interest, penalty) < 0:
            raise ApplicationError(MSG_NEGATIVE, code="negative_amount")
        if principal + interest + penalty > bureau_total and not (comment or "").strip():
            raise ApplicationError(MSG_CORRECTION_UP_REASON, code="correction_reason_required")


@transaction.atomic
def answer_loan(
    *,
    creditor: Creditor,
    case_loan_id,
    action: str,
    principal_tiyn: int | None = None,
    interest_tiyn: int | None = None,
    penalty_tiyn: int | None = None,
    comment: str = "",
    user=None,
    api_key: ApiKey | None = None,
    via: str = "dashboard",
    idempotency_key: str | None = None,
    overdue_principal_tiyn: int | None = None,
    overdue_interest_tiyn: int | None = None,
) -> tuple[DebtConfirmation, bool]:
    """Record a creditor's answer on one of its loans; returns (row, created).

    The row names who answered: the staff member signed in (`user`), or the organisation's
    API key the request came with (`api_key`, through the API: several keys per
    organisation, each answer traceable to one).

    Guarantees: a loan of another organisation is not found (Http404); the bureau figures are
    never changed; a retry with the same Idempotency-Key returns the first answer and books
    nothing; the last answer of a case moves it to UNDER_REVIEW in the same transaction.
    A confirmation or correction may say how much of the principal and interest is overdue
    (the order a payment pays them in); without it the loan's overdue days decide.
    """
    if action not in ACTION_TO_STATUS or action == ConfirmationAction.DEEMED:
        raise ApplicationError(_("Unknown action."), code="unknown_action")
    case_id = (
        CaseLoan.objects.filter(pk=case_loan_id, creditor=creditor)
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise Http404
    case = lock_case(case_id)
    if idempotency_key:
        previous = DebtConfirmation.objects.filter(
            creditor=creditor, idempotency_key=idempotency_key
        ).first()
        if previous is not None:  # a retry must repeat the first request (else 409)
            idempotency.ensure_same(
                _request_fingerprint(previous.case_loan_id, previous.action),
                _request_fingerprint(case_loan_id, action),
            )
            return previous, False
    if case.status != CaseStatus.AWAITING_CREDITORS:
        raise ConflictError(MSG_NOT_AWAITING, code="case_not_awaiting_creditors")
    case_loan = lock_row(CaseLoan, pk=case_loan_id, creditor=creditor)
    if not case_loan.included:
        raise ConflictError(MSG_NOT_INCLUDED, code="loan_not_included")
    _validate_amounts(action, principal_tiyn, interest_tiyn, penalty_tiyn, comment,
                      case_loan.bureau_total_tiyn)  # fmt: skip

    now = business_now()
    if action == ConfirmationAction.CONFIRM:
        figures = (
            case_loan.bureau_principal_tiyn,
            case_loan.bureau_interest_tiyn,
            case_loan.bureau_penalty_tiyn,
        )
    elif action == ConfirmationAction.CORRECT:
        figures = (principal_tiyn, interest_tiyn, penalty_tiyn)
    else:
        figures = (None, None, None)
    total = None if figures[0] is None else sum(figures)
    overdue = _overdue_split(figures, overdue_principal_tiyn, overdue_interest_tiyn)
    confirmation = DebtConfirmation.objects.create(
        case_loan=case_loan, creditor=creditor, action=action,
        principal_tiyn=figures[0], interest_tiyn=figures[1], penalty_tiyn=figures[2],
        overdue_principal_tiyn=overdue[0], overdue_interest_tiyn=overdue[1],
        total_tiyn=total, comment=comment or "", by=user if getattr(user, "pk", None) else None,
        api_key=api_key, via=via, idempotency_key=idempotency_key or None, at=now,
    )  # fmt: skip
    case_loan.confirmation_status = ACTION_TO_STATUS[action]
    case_loan.confirmed_total_tiyn = total
    case_loan.save(update_fields=["confirmation_status", "confirmed_total_tiyn"])
    if action == ConfirmationAction.CORRECT:
        _tell_borrower_if_over_cap(case=case, confirmation=confirmation)
    _after_answer(case=case, creditor=creditor, now=now)
    return confirmation, True


def _overdue_split(figures, principal, interest) -> tuple[int | None, int | None]:
    """The overdue part of the principal and interest, checked against them; none on a
    dispute (there are no figures to split)."""
    if figures[0] is None:
        return None, None
    for value, limit in ((principal, figures[0]), (interest, figures[1])):
        if value is not None and not 0 <= value <= limit:
            raise ApplicationError(MSG_OVERDUE_SPLIT, code="overdue_split_invalid")
    return principal, interest


def _tell_borrower_if_over_cap(*, case: Case, confirmation: DebtConfirmation) -> None:
    """A correction that takes the total over the eligibility cap: the borrower is told (the
    creditor sees the same warning in its answer; the ombudsman cannot approve)."""
    warning = cap_warning(case)
    if warning is not None:
        notify_borrower(
            case=case, template_key="claims_over_cap", dedup=str(confirmation.pk),
            context={"contract": confirmation.case_loan.loan.contract_number,
                     "total": warning.params["total"], "cap": warning.params["cap"]},
        )  # fmt: skip


def _request_fingerprint(case_loan_id, action: str) -> str:
    return idempotency.fingerprint({"case_loan": str(case_loan_id), "action": str(action)})


def _after_answer(*, case: Case, creditor: Creditor, now) -> None:
    """Close the creditor's request when all its loans are answered; move the case on when
    every included loan is."""
    included = case.loans.filter(included=True)
    pending = included.filter(confirmation_status=ConfirmationStatus.PENDING)
    if not pending.filter(creditor=creditor).exists():
        CreditorRequest.objects.filter(
            case=case, creditor=creditor, answered_at__isnull=True
        ).update(answered_at=now)
    if not pending.exists():
        transition(
            case_id=case.pk, to=CaseStatus.UNDER_REVIEW, actor_label="system",
            reason="every creditor answered", reason_code=trail.ALL_ANSWERED,
        )  # fmt: skip
        notify_borrower(case=case, template_key="case_under_review")


@transaction.atomic
def deem_confirmed(*, request_id: int, now=None) -> int:
    """After the deadline, and DEEMED_AFTER_HOURS after the reminder was sent, the silent
    creditor's bureau figures count as confirmed (SPEC §2.5 policy). Refuses (returns 0)
    before that, whoever calls. Returns how many loans were deemed."""
    request = CreditorRequest.objects.get(pk=request_id)
    case = lock_case(request.case_id)
    if case.status != CaseStatus.AWAITING_CREDITORS:
        return 0
    request = lock_row(CreditorRequest, pk=request_id)
    now = now or business_now()
    reminded_long_enough = request.reminded_at is not None and (
        request.reminded_at <= now - timedelta(hours=policy("DEEMED_AFTER_HOURS"))
    )
    if request.answered_at is not None or not reminded_long_enough:
        return 0
    pending = list(
        lock_rows(
            CaseLoan.objects.filter(
                case=case,
                creditor_id=request.creditor_id,
                included=True,
                confirmation_status=ConfirmationStatus.PENDING,
            )
        )
    )
    for case_loan in pending:
        DebtConfirmation.objects.create(
            case_loan=case_loan, creditor_id=request.creditor_id,
            action=ConfirmationAction.DEEMED, principal_tiyn=case_loan.bureau_principal_tiyn,
            interest_tiyn=case_loan.bureau_interest_tiyn,
            penalty_tiyn=case_loan.bureau_penalty_tiyn, total_tiyn=case_loan.bureau_total_tiyn,
            comment="no answer by the deadline", via="system", at=now,
        )  # fmt: skip
        case_loan.confirmation_status = ConfirmationStatus.DEEMED_CONFIRMED
        case_loan.confirmed_total_tiyn = case_loan.bureau_total_tiyn
        case_loan.save(update_fields=["confirmation_status", "confirmed_total_tiyn"])
    request.deemed_at = now
    request.save(update_fields=["deemed_at"])
    _after_answer(case=case, creditor=request.creditor, now=now)
    return len(pending)


def sweep_confirmation_deadlines() -> dict:
    """The periodic sweep: asks creditors of cases that have none yet; reminds each late
    creditor once and flags it; deems silent ones confirmed when the policy says so.
    Queries the database for what is due by now, so a late run catches up."""
    now = business_now()
    asked = 0
    for case_id in Case.objects.filter(
        status=CaseStatus.AWAITING_CREDITORS, creditor_requests__isnull=True
    ).values_list("pk", flat=True):
        asked += len(send_loan_lists(case_id=case_id))
    reminded = 0
    late = CreditorRequest.objects.filter(
        answered_at__isnull=True, deadline__lte=now, case__status=CaseStatus.AWAITING_CREDITORS
    ).select_related("case", "creditor")
    for request in late.filter(reminded_at__isnull=True):
        with transaction.atomic():
            updated = CreditorRequest.objects.filter(
                pk=request.pk, reminded_at__isnull=True
            ).update(reminded_at=now, late=True)
            if updated:
                reminded += 1
                notify_creditor(
                    creditor=request.creditor, case=request.case,
                    template_key="creditor_reminder", event="case.answer_late",
                    context={"deadline": request.deadline},
                )  # fmt: skip
    deemed = 0
    if policy("DEEMED_CONFIRMATION"):
        # counted from the reminder actually sent (reminded_at, written with the notices),
        # not from the deadline: after an outage the reminder goes out first and the
        # creditor still gets DEEMED_AFTER_HOURS to answer
        cutoff = now - timedelta(hours=policy("DEEMED_AFTER_HOURS"))
        for request_id in late.filter(reminded_at__lte=cutoff).values_list("pk", flat=True):
            deemed += deem_confirmed(request_id=request_id, now=now)
    return {"asked": asked, "reminded": reminded, "deemed": deemed}


@dataclass
class BulkConfirmResult:
    confirmed: list = field(default_factory=list)  # case-loan ids confirmed now
    skipped: list = field(default_factory=list)  # already answered, left out or case moved on


@transaction.atomic
def confirm_at_bureau_figures(
    *,
    creditor: Creditor,
    case_loan_ids: list,
    user=None,
    api_key: ApiKey | None = None,
    via: str = "dashboard",
) -> BulkConfirmResult:
    """Confirm each listed loan of `creditor` at the bureau's figures, all in one transaction.

    Guarantees: any id that is not one of this organisation's case-loans makes the whole
    request 404 (nothing is booked); a loan already answered, excluded, or in a case no longer
    awaiting creditors is skipped, so repeating the request books nothing twice; cases are
    locked in primary-key order, so two bulk requests cannot deadlock.
    """
    wanted = {str(pk) for pk in case_loan_ids}
    rows = list(
        CaseLoan.objects.filter(pk__in=wanted, creditor=creditor).values_list("pk", "case_id")
    )
    if not wanted or len(rows) != len(wanted):
        raise Http404
    result = BulkConfirmResult()
    for case_loan_id, case_id in sorted(rows, key=lambda row: (row[1], row[0])):
        case = lock_case(case_id)
        case_loan = lock_row(CaseLoan, pk=case_loan_id)
        answerable = (
            case.status == CaseStatus.AWAITING_CREDITORS
            and case_loan.included
            and case_loan.confirmation_status == ConfirmationStatus.PENDING
        )
        if not answerable:
            result.skipped.append(case_loan_id)
            continue
        answer_loan(creditor=creditor, case_loan_id=case_loan_id,
                    action=ConfirmationAction.CONFIRM, user=user, api_key=api_key,
                    via=via)  # fmt: skip
        result.confirmed.append(case_loan_id)
    return result
