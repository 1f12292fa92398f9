"""Bulk confirmation on the creditor dashboard: several of the organisation's loans confirmed
at the bureau's figures in one request. Each loan goes through `answer_loan`, so each gets
its own DebtConfirmation (the audit row) and the last answer moves its case on."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.http import Http404

from creditors.models import Creditor
from resolution.confirmation import answer_loan
from resolution.models import CaseLoan, CaseStatus, ConfirmationAction, ConfirmationStatus
from resolution.workflow import lock_case


@dataclass
class BulkConfirmResult:
    confirmed: list = field(default_factory=list)  # case-loan ids confirmed now
    skipped: list = field(default_factory=list)  # already answered, left out or case moved on


@transaction.atomic
def confirm_at_bureau_figures(
    *, creditor: Creditor, case_loan_ids: list, user=None, via: str = "dashboard"
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
        case_loan = CaseLoan.objects.select_for_update().get(pk=case_loan_id)
        answerable = (
            case.status == CaseStatus.AWAITING_CREDITORS
            and case_loan.included
            and case_loan.confirmation_status == ConfirmationStatus.PENDING
        )
        if not answerable:
            result.skipped.append(case_loan_id)
            continue
        answer_loan(creditor=creditor, case_loan_id=case_loan_id,
                    action=ConfirmationAction.CONFIRM, user=user, via=via)  # fmt: skip
        result.confirmed.append(case_loan_id)
    return result
