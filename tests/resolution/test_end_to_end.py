"""One case from application to signed, through the real Celery worker, the simulator over
HTTP (bureau, SMS, identity) and the creditor API: three creditors, one correcting an amount
on the dashboard, one confirming through the API (and receiving the signed webhook), one
confirming on the dashboard; the ombudsman approves in the admin; the borrower signs with the
SMS code."""

import json
import os
import re
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from bureau_gateway.webhooks import verify
from creditors.models import Creditor, WebhookDelivery
from resolution.models import (
    CaseLoan,
    CaseStatus,
    CreditorRequest,
    Notification,
)
from resolution.services.eligibility import submit_application
from schedules.models import Plan
from tests.creditors.test_webhooks import Receiver
from tests.factories import BorrowerFactory, CreditorStaffFactory
from tests.support.bureau import loan, org, wait_for_check
from tests.support.workflow import api_client_for

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def wait_until(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    log = Path(os.environ.get("FINPLATFORM_TEST_TMP", "/tmp")) / "worker.log"
    tail = log.read_text(errors="replace")[-6000:] if log.exists() else "(no worker log)"
    raise AssertionError(f"timed out waiting for {what}; worker log tail:\n{tail}")


def status_of(case_id):
    from resolution.models import Case

    return Case.objects.get(pk=case_id).status


def test_application_to_signed_with_three_creditors(worker, sim, schedule_table):
    receiver = Receiver()
    try:
        _run(sim, receiver)
    finally:
        receiver.close()


def _run(sim, receiver):
    borrower = BorrowerFactory(identified_at=timezone.now(), identification_method="biometric",
                               full_name="Асель Нурланқызы Серікбаева")  # fmt: skip
    bank, mfo, collector = org("bank"), org("mfo"), org("collector")
    sim.put_report(borrower.iin, [
        loan(bank, principal=1_150_000_00, interest=84_300_00, penalty=12_450_00,
             overdue_days=95, contract="BANK-1"),
        loan(mfo, principal=380_000_00, interest=41_000_00, penalty=9_870_00, overdue_days=140,
             contract="MFO-7"),
        loan(collector, principal=620_000_00, interest=0, penalty=0, overdue_days=410,
             original=org("bank"), contract="COL-3"),
    ])  # fmt: skip

    # 1. apply -> the worker checks eligibility -> the loan lists go to the creditors
    case = submit_application(
        borrower=borrower, consent=True, declared_vulnerable=False,
        declared_monthly_income_tiyn=450_000_00, actor=borrower.user,
    )  # fmt: skip
    case = wait_for_check(case.pk)
    assert case.status == CaseStatus.AWAITING_CREDITORS
    wait_until(lambda: CreditorRequest.objects.filter(case=case).count() == 3, what="loan lists")
    creditors = {c["kind"]: Creditor.objects.get(bin=c["bin"]) for c in (bank, mfo, collector)}
    loans = {cl.creditor.kind: cl for cl in CaseLoan.objects.filter(case=case)}

    # 2. the MFO registers a webhook and confirms through the API (retried once: booked once)
    api = api_client_for(creditors["mfo"])
    hook = api.post("/api/v1/creditor/webhooks/", {"url": receiver.url}, format="json").json()
    listed = api.get("/api/v1/creditor/cases/?needs_action=true").json()["results"]
    assert [row["id"] for row in listed] == [str(case.pk)]
    url = f"/api/v1/creditor/loans/{loans['mfo'].pk}/confirm/"
    assert api.post(url, HTTP_IDEMPOTENCY_KEY="mfo-1").status_code == 201
    assert api.post(url, HTTP_IDEMPOTENCY_KEY="mfo-1").status_code == 200

    # 3. the bank corrects its figures on the dashboard; the collector confirms there
    bank_staff = Client()
    bank_staff.force_login(CreditorStaffFactory(creditor=creditors["bank"]).user)
    prefix = f"c{loans['bank'].pk.hex}"
    response = bank_staff.post(f"/creditor/case-loans/{loans['bank'].pk}/correct/", {
        f"{prefix}-principal": "1 150 000,00", f"{prefix}-interest": "60 000,00",
        f"{prefix}-penalty": "0", f"{prefix}-comment": "interest recalculated",
    })  # fmt: skip
    assert response.status_code == 302
    collector_staff = Client()
    collector_staff.force_login(CreditorStaffFactory(creditor=creditors["collector"]).user)
    collector_staff.post(f"/creditor/case-loans/{loans['collector'].pk}/confirm/")
    assert status_of(case.pk) == CaseStatus.UNDER_REVIEW

    # 4. the ombudsman approves in the admin; the worker renders and issues the package
    ombudsman = Client()
    ombudsman.force_login(get_user_model().objects.create_superuser("omb", "o@x.kz", "pw"))
    review = ombudsman.get(f"/admin/resolution/case/{case.pk}/review/")
    assert review.status_code == 200 and "BANK-1" in review.content.decode()
    approved = ombudsman.post(f"/admin/resolution/case/{case.pk}/review/", {"action": "approve"})
    assert approved.status_code == 302  # an ApplicationError would re-render the page
    wait_until(lambda: status_of(case.pk) == CaseStatus.DOCUMENTS_ISSUED, what="documents")
    case.refresh_from_db()
    expected_total = 1_210_000_00 + 430_870_00 + 620_000_00
    assert case.decision.total_tiyn == expected_total == case.total_debt_tiyn
    assert case.package.documents.count() == 6

    # 5. the borrower reviews the documents and signs with the code from the SMS
    portal = Client()
    portal.force_login(borrower.user)
    page = portal.get(f"/portal/cases/{case.pk}/documents/").content.decode()
    assert case.package.package_hash in page
    portal.post(f"/portal/cases/{case.pk}/sign/code/")
    texts = [m["text"] for m in sim.sms(borrower.phone)]
    code = next(re.search(r"\b(\d{6})\b", t).group(1) for t in texts if case.reference in t
                and re.search(r"\b\d{6}\b", t))  # fmt: skip
    signed = portal.post(f"/portal/cases/{case.pk}/sign/", {"code": code},
                         REMOTE_ADDR="192.0.2.10")  # fmt: skip
    assert signed.status_code == 302
    assert status_of(case.pk) == CaseStatus.ACTIVE
    plan = Plan.objects.get(case_id=case.pk)
    assert plan.total_tiyn == expected_total

    # 6. after commit the worker reports to the bureau, tells creditors, texts the borrower
    wait_until(lambda: len(sim.procedures(borrower.iin)) == 3, what="bureau reports")
    delivery = wait_until(
        lambda: WebhookDelivery.objects.filter(endpoint_id=hook["id"], event="case.signed",
                                               status="delivered").first(),
        what="webhook delivery",
    )  # fmt: skip
    headers, body = next((h, b) for h, b in receiver.requests
                         if h["X-Finkelisim-Delivery"] == str(delivery.pk))  # fmt: skip
    assert verify(hook["secret"], headers["X-Finkelisim-Timestamp"], body,
                  headers["X-Finkelisim-Signature"])  # fmt: skip
    assert json.loads(body)["data"]["contracts"] == ["MFO-7"]
    wait_until(lambda: Notification.objects.filter(case=case, channel="sms",
                                                   template_key="case_active",
                                                   status="sent").exists(),
               what="borrower SMS")  # fmt: skip
    # the signed documents can be fetched by the creditor through the API
    docs = api.get(f"/api/v1/creditor/cases/{case.pk}/documents/").json()
    assert {d["kind"] for d in docs} == {"protocol", "schedule", "creditor"}
    pdf = api.get(f"/api/v1/creditor/cases/{case.pk}/documents/{docs[0]['id']}/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
