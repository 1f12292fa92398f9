"""Builders for workflow tests: a case awaiting three creditors, staff and API keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from creditors.api_keys import create_api_key
from creditors.models import Creditor, CreditorKind, Ombudsman
from resolution.models import Case, CaseLoan, CaseStatus
from resolution.services.confirmation import send_loan_lists
from tests.factories import (
    CaseFactory,
    CaseLoanFactory,
    CreditorFactory,
    CreditorStaffFactory,
    LoanFactory,
    approved_payout_details,
)


@dataclass
class World:
    case: Case
    creditors: list[Creditor]
    loans: list[CaseLoan]
    staff: list = field(default_factory=list)


def awaiting_case(*, language="ru", income_tiyn=40_000_000, totals=None, borrower=None) -> World:
    """A case in AWAITING_CREDITORS with one loan at each of three creditors (bank, MFO,
    collector) and one staff member per creditor; the loan lists already sent."""
    extra = (
        {"borrower__preferred_language": language} if borrower is None else {"borrower": borrower}
    )
    case = CaseFactory(
        status=CaseStatus.AWAITING_CREDITORS, ombudsman=Ombudsman.BANKING,
        declared_monthly_income_tiyn=income_tiyn, **extra,
    )  # fmt: skip
    kinds = [CreditorKind.BANK, CreditorKind.MFO, CreditorKind.COLLECTOR]
    totals = totals or [(50_000_000, 3_000_000, 45_000), (20_000_000, 1_500_000, 0),
                        (10_000_000, 0, 250_000)]  # fmt: skip
    creditors, loans, staff = [], [], []
    for index, (kind, (principal, interest, penalty)) in enumerate(zip(kinds, totals, strict=True)):
        creditor = CreditorFactory(name=f"Кредитор {index + 1} {kind}", kind=kind,
                                   email=f"c{index}@example.kz")  # fmt: skip
        approved_payout_details(creditor)
        loan = LoanFactory(
            creditor=creditor, borrower_iin=case.borrower.iin, principal_tiyn=principal,
            interest_tiyn=interest, penalty_tiyn=penalty, contract_number=f"K-{index + 1}-2024",
        )  # fmt: skip
        loans.append(CaseLoanFactory(case=case, loan=loan))
        creditors.append(creditor)
        staff.append(CreditorStaffFactory(creditor=creditor).user)
    send_loan_lists(case_id=case.pk)
    case.refresh_from_db()
    return World(case=case, creditors=creditors, loans=loans, staff=staff)


def api_client_for(creditor):
    return api_key_for(creditor)[1]


def api_key_for(creditor):
    """(the key's row, an API client that sends it)."""
    from rest_framework.test import APIClient

    row, key = create_api_key(creditor=creditor, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return row, client


def answer_all(world: World, *, dispute_second: bool = True) -> None:
    """Creditor 1 corrects, creditor 2 disputes (or confirms), creditor 3 confirms."""
    from resolution.services.confirmation import answer_loan

    answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="correct",
                principal_tiyn=49_000_000, interest_tiyn=2_000_000, penalty_tiyn=0,
                comment="part repaid")  # fmt: skip
    if dispute_second:
        answer_loan(creditor=world.creditors[1], case_loan_id=world.loans[1].pk,
                    action="dispute", comment="assigned to a collector")  # fmt: skip
    else:
        answer_loan(creditor=world.creditors[1], case_loan_id=world.loans[1].pk,
                    action="confirm")  # fmt: skip
    answer_loan(creditor=world.creditors[2], case_loan_id=world.loans[2].pk, action="confirm")


def issued_case(**kwargs) -> World:
    """A case whose package is issued (DOCUMENTS_ISSUED), rendered in-process."""
    from resolution.services.decision import approve_case
    from resolution.services.documents import generate_package

    world = awaiting_case(**kwargs)
    answer_all(world, dispute_second=False)
    approve_case(case_id=world.case.pk)
    generate_package(package_id=world.case.package.pk)
    world.case.refresh_from_db()
    return world
