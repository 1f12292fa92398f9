""" "This loan is not mine" (the regulator's letter on remote identification; issue 19 point 2).

1. The borrower flags a loan of their own case with a statement (`flag_loan_as_fraud`), while
   the creditors confirm the debts or the ombudsman reviews the case. From then on the loan is
   held out of the plan like an undecided dispute (`selectors.ombudsman.undecided_disputes`):
   left out by the ombudsman's decision, or, if the case is approved with the flag open, in
   the signed plan with its share held (paid into a held account, never out). The creditor is
   told, on the dashboard, by email and by the `loan.fraud_flagged` webhook event, that
   interest accrual and claims work on the loan stop from the day of the flag.
2. The ombudsman uploads the court decision (document, date, number) with its outcome
   (`record_court_decision`):
   * not the borrower's loan: the loan is written off for the platform (left out of the case,
     a held share released to the other creditors) and the credit bureau is told to correct
     the history: a `BureauReport` ("corrected") sent by the task
     `resolution.correct_credit_history` through the outbox, with the flag's id as the
     bureau's request id, so retries reach the bureau exactly once;
   * the borrower's loan: the flag is closed and the loan returns to the creditor's answer and
     the dispute rules (a held share is included at the creditor's confirmed figure, or stays
     held for the ombudsman if the creditor disputed it).
Every step is a `FraudFlagEvent` (append-only) and a line on the case's audit trail.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from bureau_gateway.adapters import get_adapter
from finplatform.clock import business_date, business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.locks import lock_row
from finplatform.money import format_tenge
from finplatform.uploads import PDF_OR_IMAGE, read_upload
from outbox import services as outbox
from resolution import trail
from resolution.models import (
    BureauReport,
    CaseLoan,
    CaseStatus,
    ConfirmationAction,
    ConfirmationStatus,
    DebtConfirmation,
    FraudFlag,
    FraudFlagEvent,
    FraudFlagStatus,
    FraudStep,
)
from resolution.selectors.borrower import can_flag_fraud
from resolution.selectors.plans import held_share_for
from resolution.services.notifications import notify_borrower, notify_creditor
from resolution.workflow import actor_label_for, lock_case, record_on_trail
from schedules.models import Plan
from schedules.services.holds import decide_held_share

TASK_CORRECTION = "resolution.correct_credit_history"
CORRECTED = "corrected"  # BureauReport.event

MSG_NOT_FLAGGABLE = _(
    "A loan can be flagged as not yours while your creditors confirm the debts or the "
    "ombudsman reviews your application. After that, write to us through a complaint."
)
MSG_ALREADY_FLAGGED = _("You have already flagged this loan as not yours.")
MSG_STATEMENT_REQUIRED = _(
    "Describe what happened: when you learnt of this loan and why it is not yours."
)
MSG_FLAG_DECIDED = _("The court decision on this loan is already recorded.")
MSG_COURT_FIELDS = _("Give the court decision's number, date and document.")
MSG_COURT_DATE_FUTURE = _("The court decision's date cannot be in the future.")
MSG_COURT_AFTER_SIGNING = _(
    "The case was approved with this loan held: record the court decision once the borrower "
    "has signed."
)
MSG_INCLUDE_FLAGGED = _(
    "The borrower says this loan is not theirs: it can be included only after a court "
    "decision says it is theirs. Leave it out, or wait for the court."
)


def _audit(flag: FraudFlag, step: str, *, actor=None, label: str = "", **detail) -> None:
    FraudFlagEvent.objects.create(
        flag=flag, step=step, actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label or actor_label_for(actor if getattr(actor, "pk", None) else None),
        detail=detail, at=business_now(),
    )  # fmt: skip


@transaction.atomic
def flag_loan_as_fraud(*, borrower, case_loan_id, statement: str, user=None) -> FraudFlag:
    """The borrower says a loan of their case is not theirs. Guarantees: a loan of another
    borrower's case is not found (Http404); one flag per loan (ConflictError); only while the
    case is with the creditors or under review and not yet approved; the case row is locked
    first; the flag, its audit rows, the case-trail line and the notices (creditor: dashboard,
    email, webhook `loan.fraud_flagged`; borrower: SMS, email, cabinet) are one transaction."""
    case_id = (
        CaseLoan.objects.filter(pk=case_loan_id, case__borrower=borrower)
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise Http404
    statement = (statement or "").strip()
    if not statement:
        raise ApplicationError(MSG_STATEMENT_REQUIRED, code="statement_required")
    case = lock_case(case_id)
    case_loan = lock_row(CaseLoan, pk=case_loan_id)
    if FraudFlag.objects.filter(case_loan=case_loan).exists():
        raise ConflictError(MSG_ALREADY_FLAGGED, code="already_flagged")
    if not can_flag_fraud(case) or not case_loan.included:
        raise ConflictError(MSG_NOT_FLAGGABLE, code="not_flaggable")
    now = business_now()
    flag = FraudFlag.objects.create(
        case_loan=case_loan, statement=statement, flagged_at=now, accrual_stopped_on=now.date()
    )
    contract = case_loan.loan.contract_number
    _audit(flag, FraudStep.FLAGGED, actor=user, label="borrower", contract=contract)
    _audit(flag, FraudStep.HELD, label="system", held_tiyn=case_loan.bureau_total_tiyn)
    record_on_trail(case=case, actor=user,
                    reason=f"fraud flag: loan {contract} held out of the plan",
                    reason_code=trail.FRAUD_FLAGGED,
                    reason_args={"contract": contract})  # fmt: skip
    on = now.date().strftime("%d.%m.%Y")
    notify_creditor(
        creditor=case_loan.creditor, case=case, template_key="fraud_flagged_creditor",
        event="loan.fraud_flagged", dedup=str(case_loan.pk),
        context={"contract": contract, "on": on},
        payload={"contract": contract, "case_loan": str(case_loan.pk),
                 "flagged_at": now.isoformat(), "accrual_stopped_on": now.date().isoformat(),
                 "claims_work_stopped": True, "statement": statement},
    )  # fmt: skip
    notify_borrower(case=case, template_key="fraud_flagged_borrower", dedup=str(case_loan.pk),
                    context={"contract": contract}, cabinet=True)  # fmt: skip
    return flag


def note_ombudsman_exclusion(*, case_loan: CaseLoan, reason: str, user=None) -> None:
    """The ombudsman left a flagged loan out before the court decided (audited); the flag
    stays open for the court decision and the credit-history correction."""
    flag = FraudFlag.objects.filter(case_loan=case_loan, status=FraudFlagStatus.OPEN).first()
    if flag is not None:
        _audit(flag, FraudStep.EXCLUDED, actor=user, reason=reason)


def is_open_flag(case_loan_id) -> bool:
    return FraudFlag.objects.filter(case_loan_id=case_loan_id, status=FraudFlagStatus.OPEN).exists()


@transaction.atomic
def record_court_decision(
    *, flag_id, fraud_confirmed: bool, number: str, decided_on: date, document,
    filename: str = "", user=None,
) -> FraudFlag:  # fmt: skip
    """The ombudsman uploads the court decision on a flag. Guarantees, under the case lock:
    a decided flag is refused (ConflictError); the document's SHA-256 is kept with it;
    written off: the loan leaves the case (a held share is decided at 0 by
    `decide_held_share`, its money to the other creditors), a WRITE_OFF answer records it and
    one `BureauReport` "corrected" is written with its task in the outbox; rejected: the loan
    returns to its creditor's answer (a held share is included at the confirmed figure)."""
    number = (number or "").strip()
    if not number or not document or decided_on is None:
        raise ApplicationError(MSG_COURT_FIELDS, code="court_decision_incomplete")
    document = read_upload(document, name=filename or "court-decision", allowed=PDF_OR_IMAGE)
    if decided_on > business_date():
        raise ApplicationError(MSG_COURT_DATE_FUTURE, code="court_date_in_future")
    case_id = FraudFlag.objects.filter(pk=flag_id).values_list("case_loan__case_id", flat=True)
    if not case_id:
        raise Http404
    case = lock_case(case_id[0])
    flag = lock_row(FraudFlag, pk=flag_id)
    if flag.status != FraudFlagStatus.OPEN:
        raise ConflictError(MSG_FLAG_DECIDED, code="flag_decided")
    case_loan = lock_row(CaseLoan, pk=flag.case_loan_id)
    approved = hasattr(case, "decision")
    share = held_share_for(case_loan.pk) if approved else None
    closed = case.status in (CaseStatus.REJECTED, CaseStatus.REFUSED, CaseStatus.INELIGIBLE)
    if approved and share is None and case_loan.included and not closed:
        raise ConflictError(MSG_COURT_AFTER_SIGNING, code="decide_after_signing")
    now = business_now()
    flag.status = FraudFlagStatus.WRITTEN_OFF if fraud_confirmed else FraudFlagStatus.REJECTED
    flag.court_decision_number, flag.court_decision_date = number, decided_on
    flag.court_document, flag.court_document_name = document.content, document.name
    flag.court_document_sha256 = document.sha256
    flag.decided_at, flag.decided_by = now, user if getattr(user, "pk", None) else None
    flag.save()
    court = {"number": number, "date": decided_on.isoformat(),
             "sha256": flag.court_document_sha256}  # fmt: skip
    _audit(flag, FraudStep.WRITTEN_OFF if fraud_confirmed else FraudStep.REJECTED,
           actor=user, **court)  # fmt: skip
    if fraud_confirmed:
        released = _write_off(case=case, case_loan=case_loan, share=share, flag=flag, user=user)
    else:
        released = _return_to_plan(case_loan=case_loan, share=share, flag=flag, user=user)
    if share is not None:
        case.total_debt_tiyn = Plan.objects.values_list("total_tiyn", flat=True).get(case=case)
        case.save(update_fields=["total_debt_tiyn", "updated_at"])
    kind = "written_off" if fraud_confirmed else "rejected"
    contract = case_loan.loan.contract_number
    record_on_trail(case=case, actor=user,
                    reason=f"court decision {number} on loan {contract}: {kind}",
                    reason_code=trail.FRAUD_WRITTEN_OFF if fraud_confirmed
                    else trail.FRAUD_REJECTED,
                    reason_args={"number": number, "contract": contract})  # fmt: skip
    context = {"contract": contract, "number": number,
               "date": decided_on.strftime("%d.%m.%Y")}  # fmt: skip
    notify_creditor(
        creditor=case_loan.creditor, case=case, template_key=f"fraud_{kind}_creditor",
        event="loan.fraud_decided", dedup=str(case_loan.pk),
        context={**context, "released": format_tenge(released)},
        payload={"contract": contract, "case_loan": str(case_loan.pk), "outcome": kind,
                 "court_decision_number": number,
                 "court_decision_date": decided_on.isoformat(), "released_tiyn": released},
    )  # fmt: skip
    notify_borrower(case=case, template_key=f"fraud_{kind}_borrower", dedup=str(case_loan.pk),
                    context=context, cabinet=True)  # fmt: skip
    return flag


def _write_off(*, case, case_loan, share, flag, user) -> int:
    if share is not None:
        decide_held_share(share_id=share.pk, decided_tiyn=0)
    reason = (
        f"written off: not the borrower's loan (court decision {flag.court_decision_number} "
        f"of {flag.court_decision_date:%d.%m.%Y})"
    )
    DebtConfirmation.objects.create(
        case_loan=case_loan, creditor_id=case_loan.creditor_id,
        action=ConfirmationAction.WRITE_OFF, comment=reason,
        by=user if getattr(user, "pk", None) else None, via="ombudsman", at=business_now(),
    )  # fmt: skip
    case_loan.included = False
    case_loan.exclusion_reason = reason
    case_loan.confirmation_status = ConfirmationStatus.EXCLUDED
    case_loan.save(update_fields=["included", "exclusion_reason", "confirmation_status"])
    report, created = BureauReport.objects.get_or_create(case_loan=case_loan, event=CORRECTED)
    if created:
        outbox.enqueue(TASK_CORRECTION, str(report.pk), dedup_key=f"bureau-report:{report.pk}")
    return 0


def _return_to_plan(*, case_loan, share, flag, user) -> int:
    """The court says the loan is the borrower's: back to the creditor's answer."""
    released = 0
    confirmed = case_loan.confirmed_total_tiyn
    if share is not None and case_loan.included and confirmed is not None:
        decided = min(confirmed, share.debt_tiyn)  # never above what the borrower signed for
        released = decide_held_share(share_id=share.pk, decided_tiyn=decided).released_tiyn
        DebtConfirmation.objects.create(
            case_loan=case_loan, creditor_id=case_loan.creditor_id,
            action=ConfirmationAction.INCLUDE, total_tiyn=decided,
            comment=f"court decision {flag.court_decision_number}: the borrower's loan",
            by=user if getattr(user, "pk", None) else None, via="ombudsman", at=business_now(),
        )  # fmt: skip
        case_loan.confirmed_total_tiyn = decided
        case_loan.confirmation_status = ConfirmationStatus.INCLUDED
        case_loan.save(update_fields=["confirmed_total_tiyn", "confirmation_status"])
    _audit(flag, FraudStep.RETURNED, actor=user, included=case_loan.included,
           held=share is not None and confirmed is None, released_tiyn=released)  # fmt: skip
    return released


def correct_credit_history(*, report_id) -> bool:
    """Tell the credit bureau to correct the history of a written-off loan; once. The flag's
    id is the bureau's request id, so a retry after a lost answer is not a second correction.
    Raises ServiceUnavailable when the bureau is down (the task retries)."""
    report = BureauReport.objects.select_related(
        "case_loan__case__borrower", "case_loan__creditor", "case_loan__loan",
        "case_loan__fraud_flag",
    ).get(pk=report_id)  # fmt: skip
    if report.sent_at is not None:
        return False
    cl = report.case_loan
    flag = cl.fraud_flag
    BureauReport.objects.filter(pk=report.pk).update(attempts=report.attempts + 1)
    correction_id = get_adapter("bureau").correct_credit_history(
        iin=cl.case.borrower.iin,
        bureau_reference=cl.loan.bureau_reference or cl.loan.contract_number,
        creditor_bin=cl.creditor.bin, case_reference=cl.case.reference,
        court_decision_number=flag.court_decision_number,
        court_decision_date=flag.court_decision_date, request_id=f"fraud-{flag.pk}",
    )  # fmt: skip
    with transaction.atomic():
        sent = BureauReport.objects.filter(pk=report.pk, sent_at__isnull=True).update(
            sent_at=business_now()
        )
        if sent:
            _audit(flag, FraudStep.BUREAU_CORRECTED, label="task:correct_credit_history",
                   correction_id=correction_id)  # fmt: skip
    return bool(sent)
