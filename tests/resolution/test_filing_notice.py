"""SPEC §2 step 5 (end): when an application is filed and passes the check, every creditor
party to the procedure — every creditor with an *included* loan — is told once that a
procedure is pending (dashboard notice, email, signed webhook), through the real worker, the
bureau simulator over HTTP and a real webhook receiver. A creditor whose only loan was left
out (a secured car loan) is not party to the procedure and is told nothing: the law lets it
keep collecting that loan, and a "do not collect" notice would be wrong."""

import json
import time

import pytest
from django.utils import timezone

from bureau_gateway.webhooks import verify
from creditors.models import WebhookDelivery
from creditors.webhooks import register_endpoint
from resolution.models import CaseStatus, CreditorRequest, Notification
from resolution.services.confirmation import send_loan_lists
from resolution.services.eligibility import submit_application
from tests.creditors.test_webhooks import Receiver
from tests.factories import BorrowerFactory, CreditorFactory
from tests.support.bureau import loan, org, wait_for_check

pytestmark = [pytest.mark.slow, pytest.mark.worker]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def wait_until(predicate, timeout=45.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_every_creditor_with_an_included_loan_is_told_once(worker, sim, receiver):
    bank, mfo, car_lender = (
        CreditorFactory(kind=kind, email=f"{kind}@example.kz") for kind in ("bank", "mfo", "bank")
    )
    hooks = {c.pk: register_endpoint(creditor=c, url=receiver.url) for c in (bank, mfo, car_lender)}
    borrower = BorrowerFactory(identified_at=timezone.now(), identification_method="biometric")
    as_org = lambda c: org(c.kind, bin=c.bin, name=c.name)  # noqa: E731
    sim.put_report(borrower.iin, [
        loan(as_org(bank), contract="BANK-1"),
        loan(as_org(bank), kind="car", secured=True, contract="BANK-CAR"),  # left out
        loan(as_org(mfo), contract="MFO-1"),
        loan(as_org(car_lender), kind="car", secured=True, contract="CAR-9"),  # left out
    ])  # fmt: skip

    case = submit_application(
        borrower=borrower, consent=True, declared_vulnerable=False,
        declared_monthly_income_tiyn=400_000_00, actor=borrower.user,
    )  # fmt: skip
    case = wait_for_check(case.pk)
    assert case.status == CaseStatus.AWAITING_CREDITORS

    notices = Notification.objects.filter(case=case, template_key="creditor_loans_requested")
    wait_until(lambda: notices.filter(channel="email", status="sent").count() == 2, what="email")
    deliveries = WebhookDelivery.objects.filter(event="case.loans_requested")
    wait_until(lambda: deliveries.filter(status="delivered").count() == 2, what="webhooks")

    assert sorted(notices.values_list("creditor_id", "channel")) == sorted(
        [(bank.pk, "dashboard"), (bank.pk, "email"), (mfo.pk, "dashboard"), (mfo.pk, "email")]
    )
    assert not notices.filter(creditor=car_lender).exists()
    assert not deliveries.filter(endpoint=hooks[car_lender.pk]).exists()
    assert "проводится процедура" in notices.filter(creditor=bank, channel="email").get().body
    # the webhook is signed and lists only the loans in the procedure
    secrets = {hooks[bank.pk].secret, hooks[mfo.pk].secret}
    for headers, body in receiver.requests:
        data = json.loads(body)
        assert data["event"] == "case.loans_requested"
        assert data["data"]["case"]["reference"] == case.reference
        assert data["data"]["contracts"] in (["BANK-1"], ["MFO-1"])
        signed = headers["X-Finkelisim-Timestamp"], body, headers["X-Finkelisim-Signature"]
        assert any(verify(secret, *signed) for secret in secrets)
    assert len(receiver.requests) == 2

    # filing again (the sweep or a retried task) tells nobody twice
    assert send_loan_lists(case_id=case.pk) == []
    assert CreditorRequest.objects.filter(case=case).count() == 2
    assert notices.count() == 4 and deliveries.count() == 2
