"""A signed plan with an MFO loan (corrected, with its overdue split) and a bank loan
(confirmed with totals only, overdue at the bureau), for the allocation tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from resolution.models import ConfirmationAction, DebtConfirmation
from schedules.services.payments import book_payment
from tests.factories import CaseFactory, CaseLoanFactory
from tests.support.ledger import make_plan
from tests.support.payments import pay

MFO_TOTAL = 11_500_000  # 115 000 ₸: principal 100 000 (12 000 overdue), interest 12 000
BANK_TOTAL = 8_500_000  # (5 000 overdue), penalty 3 000


def allocation_world():
    """(plan, mfo, bank, mfo case loan, bank case loan)."""
    case = CaseFactory(status="active")
    plan, (mfo, bank) = make_plan([MFO_TOTAL, BANK_TOTAL], case=case)
    mfo_loan = CaseLoanFactory(case=case, loan__creditor=mfo, loan__overdue_days=45,
                               confirmation_status="corrected",
                               confirmed_total_tiyn=MFO_TOTAL)  # fmt: skip
    DebtConfirmation.objects.create(
        case_loan=mfo_loan, creditor=mfo, action=ConfirmationAction.CORRECT,
        principal_tiyn=10_000_000, interest_tiyn=1_200_000, penalty_tiyn=300_000,
        total_tiyn=MFO_TOTAL, overdue_principal_tiyn=1_200_000, overdue_interest_tiyn=500_000,
        at=datetime(2025, 12, 1, tzinfo=UTC),
    )  # fmt: skip
    bank_loan = CaseLoanFactory(case=case, loan__creditor=bank, loan__overdue_days=10,
                                loan__principal_tiyn=8_000_000, loan__interest_tiyn=500_000,
                                loan__penalty_tiyn=0, confirmation_status="confirmed",
                                confirmed_total_tiyn=BANK_TOTAL)  # fmt: skip
    return plan, mfo, bank, mfo_loan, bank_loan


def book(key: str, amount: int, on: date, plan):
    with time_machine.travel(datetime(on.year, on.month, on.day, 7, tzinfo=UTC), tick=False):
        return book_payment(source="test", item=pay(key, amount, on, plan=plan)).payment
