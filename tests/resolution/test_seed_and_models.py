import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from borrowers.models import Borrower
from creditors.models import Creditor, CreditorKind, CreditorStaff, Loan
from resolution.models import Case, CaseStatus
from resolution.workflow import IllegalTransition, transition
from tests.factories import BorrowerFactory, CaseFactory, LoanFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_every_kind():
    call_command("seed_demo")
    counts = (Creditor.objects.count(), Borrower.objects.count(), Loan.objects.count(),
              CreditorStaff.objects.count())  # fmt: skip
    call_command("seed_demo")
    assert counts == (Creditor.objects.count(), Borrower.objects.count(), Loan.objects.count(),
                      CreditorStaff.objects.count())  # fmt: skip
    kinds = set(Creditor.objects.values_list("kind", flat=True))
    assert kinds == {CreditorKind.BANK, CreditorKind.MFO, CreditorKind.COLLECTOR}
    assert counts[1] >= 5


def test_database_refuses_inconsistent_loan_total():
    loan = LoanFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(total_tiyn=loan.total_tiyn + 1)


def test_database_refuses_second_open_case_for_a_borrower():
    borrower = BorrowerFactory()
    CaseFactory(borrower=borrower, status=CaseStatus.AWAITING_CREDITORS)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(borrower=borrower)


def test_a_refused_case_does_not_block_a_new_application_but_a_signed_one_does():
    borrower = BorrowerFactory()
    CaseFactory(borrower=borrower, status=CaseStatus.REFUSED)
    CaseFactory(borrower=borrower, status=CaseStatus.COMPLETED)  # allowed: refused doesn't count
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(borrower=borrower)


def test_transition_is_audited_and_illegal_moves_change_nothing():
    case = CaseFactory()
    transition(case_id=case.pk, to=CaseStatus.SUBMITTED, reason="borrower submitted")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    audit = case.transitions.get()
    assert (audit.from_status, audit.to_status, audit.actor_label) == (
        "draft",
        "submitted",
        "system",
    )

    with pytest.raises(IllegalTransition):
        transition(case_id=case.pk, to=CaseStatus.SIGNED)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.transitions.count() == 1
