"""State changes of the creditors app that other apps may call."""

from __future__ import annotations

from django.db import transaction

from bureau_gateway.interfaces import BureauLoan
from creditors.models import Creditor, CreditorKind, Loan, Ombudsman

OMBUDSMAN_BY_KIND = {
    CreditorKind.BANK: Ombudsman.BANKING,
    CreditorKind.MFO: Ombudsman.MICROFINANCE,
    CreditorKind.COLLECTOR: Ombudsman.MICROFINANCE,
}


@transaction.atomic
def ensure_creditor(*, bin: str, name: str, kind: str) -> Creditor:
    """The creditor with this BIN; created from the bureau's name and kind when the platform
    does not know it yet. An existing creditor is never renamed by the bureau."""
    creditor, _ = Creditor.objects.get_or_create(
        bin=bin, defaults={"name": name, "kind": kind, "ombudsman": OMBUDSMAN_BY_KIND[kind]}
    )
    return creditor


@transaction.atomic
def mirror_bureau_loan(*, borrower_iin: str, loan: BureauLoan) -> Loan:
    """Create or refresh the platform's copy of one loan the bureau reported (keyed by
    creditor + contract number). Creditors unknown so far are created."""
    creditor = ensure_creditor(
        bin=loan.creditor_bin, name=loan.creditor_name, kind=loan.creditor_kind
    )
    original = None
    if loan.original_creditor_bin:
        original = ensure_creditor(
            bin=loan.original_creditor_bin,
            name=loan.original_creditor_name or loan.original_creditor_bin,
            kind=loan.original_creditor_kind or CreditorKind.BANK,
        )
    mirrored, _ = Loan.objects.update_or_create(
        creditor=creditor,
        contract_number=loan.contract_number,
        defaults={
            "borrower_iin": borrower_iin,
            "original_creditor": original,
            "bureau_reference": loan.bureau_reference,
            "kind": loan.kind,
            "secured": loan.secured,
            "principal_tiyn": loan.principal_tiyn,
            "interest_tiyn": loan.interest_tiyn,
            "penalty_tiyn": loan.penalty_tiyn,
            "total_tiyn": loan.total_tiyn,
            "overdue_days": loan.overdue_days,
            "opened_on": loan.opened_on,
            "closed_on": loan.closed_on,
        },
    )
    return mirrored
