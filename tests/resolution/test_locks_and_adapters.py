import hashlib
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finplatform.clock import BUSINESS_TZ
from finplatform.errors import ApplicationError
from resolution.models import BureauReport, CaseStatus
from resolution.services.confirmation import answer_loan
from resolution.services.signing import sign_with_eds
from resolution.tasks import report_procedure_started
from tests.support.workflow import api_client_for, issued_case

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)


def test_answer_locks_the_case_before_writing():
    from tests.support.workflow import awaiting_case

    world = awaiting_case()
    with CaptureQueriesContext(connection) as ctx:
        answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk,
                    action="confirm")  # fmt: skip
    sql = [q["sql"] for q in ctx.captured_queries]
    lock = next(i for i, q in enumerate(sql)
                if 'FROM "resolution_case"' in q and "FOR UPDATE" in q)  # fmt: skip
    write = next(i for i, q in enumerate(sql) if q.startswith('INSERT INTO "resolution_debtc'))
    assert lock < write


def eds_signature(iin: str, payload: str) -> str:
    # what the identity simulator accepts as a valid signature over `payload`
    return hashlib.sha256(f"{iin}:{payload}".encode()).hexdigest()


def test_eds_signature_over_the_package_hash_through_the_identity_adapter():
    with time_machine.travel(T0, tick=False):
        world = issued_case()
    package = world.case.package
    iin = world.case.borrower.iin
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        with pytest.raises(ApplicationError) as err:
            sign_with_eds(case_id=world.case.pk, signature=eds_signature(iin, "something else"))
        assert err.value.code == "eds_invalid"
        signature = sign_with_eds(case_id=world.case.pk,
                                  signature=eds_signature(iin, package.package_hash))  # fmt: skip
    assert signature.method == "eds" and signature.package_hash == package.package_hash
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.ACTIVE


def test_bureau_report_retries_when_the_bureau_is_down(sim):
    with time_machine.travel(T0, tick=False):
        world = issued_case()
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        sign_with_eds(case_id=world.case.pk, signature=eds_signature(
            world.case.borrower.iin, world.case.package.package_hash))  # fmt: skip
    report = BureauReport.objects.filter(case_loan__case=world.case).first()
    before = len(sim.procedures(world.case.borrower.iin))
    sim.fault("bureau", "down", count=3)  # the client's own retries use up the first ones
    report_procedure_started.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.sent_at is not None and report.attempts >= 2
    assert len(sim.procedures(world.case.borrower.iin)) == before + 1
    report_procedure_started.apply(args=[report.pk])  # sent once
    assert len(sim.procedures(world.case.borrower.iin)) == before + 1


def test_creditor_gets_only_its_own_signed_agreement_and_only_after_signing():
    with time_machine.travel(T0, tick=False):
        world = issued_case()
    mine, theirs = api_client_for(world.creditors[0]), api_client_for(world.creditors[1])
    base = f"/api/v1/creditor/cases/{world.case.pk}/documents/"
    assert mine.get(base).json() == []  # not signed yet
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        sign_with_eds(case_id=world.case.pk, signature=eds_signature(
            world.case.borrower.iin, world.case.package.package_hash))  # fmt: skip
    docs = mine.get(base).json()
    assert sorted(d["kind"] for d in docs) == ["creditor", "protocol", "schedule"]
    own = next(d for d in docs if d["kind"] == "creditor")
    assert theirs.get(f"{base}{own['id']}/").status_code == 404
    response = mine.get(f"{base}{own['id']}/")
    assert response.status_code == 200 and response["X-Content-SHA256"] == own["sha256"]
