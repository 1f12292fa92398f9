"""Builders for the document-read audit tests: a case with every kind of stored document a
party can download, and the check that exactly one `DocumentRead` row was written."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from finplatform.clock import BUSINESS_TZ
from resolution.models import Case, DocumentRead, EndingDocument, Variation
from resolution.services import fraud, variation_signing
from resolution.services.signing import issue_signing_code, sign_with_code
from resolution.services.termination import approve_termination, request_termination
from resolution.services.transfers import approve_transfer, record_transfer
from resolution.services.variations import propose_variation, request_variation
from schedules.models import ClaimTransfer, PlanTermination
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon, breach
from tests.support.workflow import awaiting_case, issued_case

ISSUED_AT = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)
PLAN_START = date(2026, 1, 20)
CHANGES_ON = date(2026, 2, 10)


def pdf(body: bytes = b"%PDF-1.4 document", name: str = "document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def signed_case():
    """A banking case whose package the borrower signed (the creditors' documents open)."""
    with time_machine.travel(ISSUED_AT, tick=False):
        world = issued_case()
    with time_machine.travel(ISSUED_AT + timedelta(hours=1), tick=False):
        _, code = issue_signing_code(case_id=world.case.pk)
        sign_with_code(case_id=world.case.pk, code=code)
    world.case.refresh_from_db()
    return world


def banking_plan():
    """An active plan of two creditors in the banking ombudsman's queue."""
    with time_machine.travel(almaty_noon(PLAN_START), tick=False):
        world = active_plan((180_000_000, 120_000_000))
    Case.objects.filter(pk=world.case.pk).update(ombudsman="banking")
    world.case.refresh_from_db()
    return world


def sold(world, buyer) -> ClaimTransfer:
    """Creditor 0 sold its loan to `buyer` (recorded through the API, approved)."""
    with time_machine.travel(almaty_noon(CHANGES_ON), tick=False):
        transfer = record_transfer(
            case_loan_id=world.loans[0].pk, buyer_bin=buyer.bin, effective_on=CHANGES_ON,
            document=pdf(b"%PDF-1.4 assignment"), via="api", seller=world.creditors[0],
        )  # fmt: skip
        approve_transfer(transfer_id=transfer.pk, user=UserFactory())
    return transfer


def terminated(world) -> PlanTermination:
    with time_machine.travel(almaty_noon(CHANGES_ON), tick=False):
        termination = request_termination(
            case_id=world.case.pk, reason="death", details="certificate no. 1",
            document=pdf(b"%PDF-1.4 death certificate"), user=UserFactory(),
        )  # fmt: skip
        approve_termination(termination_id=termination.pk, user=UserFactory())
    return termination


def agreed_variation(world) -> Variation:
    """A variation the borrower asked for (with evidence) whose agreement is ready to sign."""
    with time_machine.travel(almaty_noon(CHANGES_ON), tick=False):
        variation = request_variation(
            case=world.case, kind="holiday", holiday_months=3, reason="lost my job",
            monthly_income_tiyn=10_000_000, evidence=b"%PDF-1.4 payslip",
            evidence_name="payslip.pdf",
        )  # fmt: skip
        propose_variation(variation_id=variation.pk, staff=UserFactory(is_staff=True))
    variation.refresh_from_db()
    with time_machine.travel(variation.objection_deadline, tick=False):
        variation_signing.close_objection_windows()
    variation.refresh_from_db()
    assert variation.document
    return variation


def only_read(after: DocumentRead | None = None, **expected) -> DocumentRead:
    """Exactly one row was written (since `after`), and it says `expected` (document_id as
    the pk's text)."""
    row = DocumentRead.objects.get(pk__gt=after.pk if after else 0)
    if "document_id" in expected:
        expected["document_id"] = str(expected["document_id"])
    got = {field: getattr(row, field) for field in expected}
    assert got == expected
    return row


def breach_statements():
    """A banking plan breached and its statements rendered by the workflow: (world, the
    borrower's statement, {creditor: its own statement}), one language each (the first)."""
    from tests.conftest import run_outbox

    world = banking_plan()
    breach(world)
    run_outbox(task_prefix="resolution.")
    rows = EndingDocument.objects.filter(ending__case=world.case).order_by("pk")
    firsts: dict = {}
    for row in rows:
        firsts.setdefault(row.creditor_id, row)
    own = {c: firsts[c.pk] for c in world.creditors}
    return world, firsts[None], own


def court_decided_flag():
    """A banking case whose second loan the borrower flagged as not theirs, with the court's
    decision (fraud confirmed) uploaded: (world, flag)."""
    world = awaiting_case()
    flag = fraud.flag_loan_as_fraud(borrower=world.case.borrower, case_loan_id=world.loans[1].pk,
                                    statement="Not mine: identity theft.")  # fmt: skip
    fraud.record_court_decision(
        flag_id=flag.pk, fraud_confirmed=True, number="2-77/2026", decided_on=date(2026, 11, 20),
        document=pdf(b"%PDF-1.4 court"), user=UserFactory(),
    )  # fmt: skip
    return world, flag
