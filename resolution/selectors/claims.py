"""Reads for the lawful-claims check: the facts of a case's included loans as confirmed, the
working-day calendar around their due dates, the current eligibility policy, and the cap
warning the creditor and the borrower get. The rules themselves are in `resolution.claims`."""

from __future__ import annotations

from datetime import date, timedelta

from creditors.models import CreditorKind
from finplatform.clock import business_date
from finplatform.workdays import WorkCalendar
from resolution.claims import OVER_CAP, Finding, LoanFacts, check_claims, check_eligibility
from resolution.models import Case, CaseStatus, ConfirmationAction
from resolution.selectors.borrower import current_policy

WITH_FIGURES = (ConfirmationAction.CONFIRM, ConfirmationAction.CORRECT, ConfirmationAction.DEEMED)


def _facts(case: Case, *, pending_at_bureau: bool) -> list[LoanFacts]:
    """Included loans at the figures the plan would take: the confirmed total; a disputed
    loan not yet decided at its bureau figure (as `approve_case` does); a loan still awaiting
    its creditor only when `pending_at_bureau` (a projection before every answer is in)."""
    facts = []
    loans = case.loans.filter(included=True).select_related(
        "creditor", "loan", "loan__original_creditor"
    ).prefetch_related("confirmations").order_by("creditor__name", "pk")  # fmt: skip
    for cl in loans:
        answers = list(cl.confirmations.all())
        if cl.confirmed_total_tiyn is not None:
            claimed = cl.confirmed_total_tiyn
        elif cl.confirmation_status == "disputed" or pending_at_bureau:
            claimed = cl.bureau_total_tiyn
        else:
            continue
        figures = [a for a in answers if a.action in WITH_FIGURES]
        last = figures[-1] if figures else None
        if last is not None and last.total_tiyn == claimed:
            interest_penalty = last.interest_tiyn + last.penalty_tiyn
        else:  # bureau figure, or an amount the ombudsman decided: at most its non-principal
            bureau_extra = cl.bureau_interest_tiyn + cl.bureau_penalty_tiyn
            interest_penalty = max(0, min(claimed - cl.bureau_principal_tiyn, bureau_extra))
        original = cl.loan.original_creditor
        corrected = last is not None and last.action == ConfirmationAction.CORRECT
        facts.append(LoanFacts(
            contract=cl.loan.contract_number, creditor=cl.creditor.name,
            creditor_key=str(cl.creditor_id),
            microcredit=CreditorKind.MFO in (cl.creditor.kind, original and original.kind),
            bureau_total_tiyn=cl.bureau_total_tiyn,
            interest_after_90_tiyn=cl.bureau_interest_after_90_tiyn,
            penalty_after_90_tiyn=cl.bureau_penalty_after_90_tiyn,
            penalty_charges=tuple(cl.bureau_penalty_charges or ()),
            claimed_total_tiyn=claimed, claimed_interest_penalty_tiyn=interest_penalty,
            corrected=corrected, reason=last.comment if corrected else "",
        ))  # fmt: skip
    return facts


def _calendar(facts: list[LoanFacts]) -> WorkCalendar:
    days = [date.fromisoformat(c["due_on"]) for f in facts for c in f.penalty_charges]
    if not days:
        return WorkCalendar(business_date(), business_date())
    return WorkCalendar(min(days), max(days) + timedelta(days=30))


def claims_findings(case: Case) -> list[Finding]:
    """The findings on the figures as they stand (what the review page shows and the decision
    records); while creditors are still answering, an unanswered loan counts at its bureau
    figure."""
    facts = _facts(case, pending_at_bureau=case.status == CaseStatus.AWAITING_CREDITORS)
    return check_claims(facts, current_policy().terms(), _calendar(facts))


def cap_warning(case: Case) -> Finding | None:
    """The over-cap finding on the figures known so far (a loan still awaiting its creditor
    at the bureau's figure): what the creditor is warned of after a correction."""
    facts = _facts(case, pending_at_bureau=True)
    found = [f for f in check_eligibility(facts, current_policy().terms()) if f.code == OVER_CAP]
    return found[0] if found else None
