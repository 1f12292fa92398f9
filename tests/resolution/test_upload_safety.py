"""The services that keep uploaded documents refuse what the forms refuse (a caller passing
bytes gets the same gate), keep safe names, and store the documents encrypted at rest."""

from datetime import date

import pytest
import time_machine
from django.db import connection

from finplatform.errors import ApplicationError
from resolution.models import FraudFlag, Variation
from resolution.services import fraud
from resolution.services.variations import request_variation
from schedules.models import ClaimTransfer, PlanTermination
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.uploads import PDF_BYTES, assert_safe_name, recorded_transfer_and_termination
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def stored(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


def assert_encrypted(table, column, pk, clear):
    raw = stored(table, column, pk)
    assert raw.startswith(b"gAAAAA") and clear not in raw


def test_court_decision_service_refuses_svg_and_strips_a_path():
    world = awaiting_case()
    flag = fraud.flag_loan_as_fraud(borrower=world.case.borrower, case_loan_id=world.loans[1].pk,
                                    statement="Not mine.")  # fmt: skip
    common = {"flag_id": flag.pk, "fraud_confirmed": True, "number": "2-1",
              "decided_on": date(2026, 11, 20), "user": UserFactory()}  # fmt: skip
    with pytest.raises(ApplicationError, match="not a PDF, JPEG or PNG"):
        fraud.record_court_decision(document=SVG, filename="decision.pdf", **common)
    fraud.record_court_decision(document=PDF_BYTES, filename="../../etc/decision\r\n.pdf", **common)
    flag = FraudFlag.objects.get(pk=flag.pk)
    assert flag.court_document_name == "decision.pdf" and flag.court_document == PDF_BYTES
    assert_encrypted("resolution_fraudflag", "court_document", flag.pk, PDF_BYTES)


def test_variation_service_refuses_html_and_keeps_the_evidence_encrypted():
    world = active_plan((180_000_000, 120_000_000))
    common = {"case": world.case, "kind": "holiday", "holiday_months": 2, "reason": "job lost",
              "monthly_income_tiyn": 10_000_000}  # fmt: skip
    with time_machine.travel(almaty_noon(date(2026, 3, 10)), tick=False):
        with pytest.raises(ApplicationError, match="not a PDF, JPEG or PNG"):
            request_variation(evidence=b"<html>x</html>", evidence_name="a.pdf", **common)
        variation = request_variation(evidence=PDF_BYTES, evidence_name="..\\..\\pay.pdf",
                                      **common)  # fmt: skip
    variation = Variation.objects.get(pk=variation.pk)
    assert variation.evidence_name == "pay.pdf" and variation.evidence == PDF_BYTES
    assert_encrypted("resolution_variation", "evidence", variation.pk, PDF_BYTES)


def test_transfer_and_termination_documents_are_encrypted_at_rest():
    _world, transfer, termination = recorded_transfer_and_termination()
    assert ClaimTransfer.objects.get(pk=transfer.pk).document == PDF_BYTES
    assert PlanTermination.objects.get(pk=termination.pk).document == PDF_BYTES
    assert_encrypted("schedules_claimtransfer", "document", transfer.pk, PDF_BYTES)
    assert_encrypted("schedules_plantermination", "document", termination.pk, PDF_BYTES)
    assert_safe_name(ClaimTransfer.objects.get(pk=transfer.pk).document_name)
