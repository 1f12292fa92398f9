"""The workflow's invariants hold in the database itself: proved by going around the ORM."""

import pytest
from django.db import IntegrityError, connection, transaction

from resolution.models import CaseDocument, CaseTransition, DebtConfirmation, DocumentPackage
from resolution.services.confirmation import answer_loan
from tests.support.workflow import awaiting_case, issued_case

pytestmark = pytest.mark.django_db


def refused(sql, params=()):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def test_answers_cannot_be_overwritten_or_deleted():
    world = awaiting_case()
    row, _ = answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk,
                         action="confirm")  # fmt: skip
    refused("UPDATE resolution_debtconfirmation SET total_tiyn = 1 WHERE id = %s", [row.pk])
    refused("DELETE FROM resolution_debtconfirmation WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        DebtConfirmation.objects.filter(pk=row.pk).update(comment="rewritten")
    row.refresh_from_db()
    assert row.total_tiyn == world.loans[0].bureau_total_tiyn and row.comment == ""


def test_documents_snapshot_and_audit_trail_are_frozen():
    world = issued_case()
    package = world.case.package
    doc = package.documents.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseDocument.objects.filter(pk=doc.pk).update(sha256="0" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentPackage.objects.filter(pk=package.pk).update(snapshot={"forged": True})
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentPackage.objects.filter(pk=package.pk).update(package_hash="f" * 64)
    refused("DELETE FROM resolution_casetransition WHERE case_id = %s", [world.case.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseTransition.objects.filter(case=world.case).update(reason="edited")
    # what the package keeps may still move forward: the deadline is not frozen
    DocumentPackage.objects.filter(pk=package.pk).update(signing_deadline=package.issued_at)
