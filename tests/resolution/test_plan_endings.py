"""The end of a procedure (SPEC §2 steps 10–11): a breach or a completion is announced once
to every creditor (dashboard, email, webhook per endpoint) and to the borrower (SMS and a
cabinet notice), reported to the bureau once per loan, and documented by a PDF — and a second
sweep or a re-sent outcome task adds nothing."""

import io
import json
import time
from datetime import date

import pytest
from django.db import transaction
from pypdf import PdfReader

import resolution.tasks  # noqa: F401  (registers the tasks run_outbox runs)
from creditors.models import WebhookDelivery
from creditors.webhooks import register_endpoint
from finplatform.money import format_tenge
from outbox import services as outbox
from resolution.models import (
    BureauReport,
    CaseEnding,
    CaseStatus,
    EndingDocument,
    Notification,
    NotificationChannel,
)
from tests.conftest import _wait_until_worker_idle, run_outbox
from tests.creditors.test_webhooks import Receiver
from tests.support.endings import BREACH_DAY, active_plan, breach, pay_in_full

pytestmark = pytest.mark.django_db
LOOPBACK = "http://127.0.0.1:9/hook"  # never answers: deliveries are only counted here


def _counts(world) -> dict:
    case = world.case
    return {
        "endings": CaseEnding.objects.filter(case=case).count(),
        "webhooks": WebhookDelivery.objects.filter(event__startswith="plan.").count(),
        "borrower": Notification.objects.filter(case=case, borrower__isnull=False).count(),
        "creditor": Notification.objects.filter(case=case, creditor__isnull=False).count(),
        "bureau": BureauReport.objects.filter(case_loan__case=case).exclude(event="started")
        .count(),
        "documents": EndingDocument.objects.filter(ending__case=case).count(),
    }  # fmt: skip


def _pdf_text(document) -> str:
    """The first page's text, whitespace (no-break spaces, line wraps) as single spaces."""
    return " ".join(PdfReader(io.BytesIO(bytes(document.content))).pages[0].extract_text().split())


def _run_but_webhooks():
    return run_outbox(task_prefix="resolution.")


def _endpoints(world):
    return [register_endpoint(creditor=world.creditors[0], url=LOOPBACK),
            register_endpoint(creditor=world.creditors[0], url=LOOPBACK + "2"),
            register_endpoint(creditor=world.creditors[1], url=LOOPBACK)]  # fmt: skip


def test_a_breach_is_announced_once_to_everyone_with_each_creditors_unpaid_balance(sim):
    world = active_plan(language="kk")
    endpoints = _endpoints(world)
    assert breach(world).breached == 1
    _run_but_webhooks()
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.BREACHED
    deliveries = WebhookDelivery.objects.filter(event="plan.breached")
    assert sorted(d.endpoint_id for d in deliveries) == sorted(e.pk for e in endpoints)
    body = json.loads(deliveries.get(endpoint=endpoints[2]).body)["data"]
    assert body["breached_on"] == BREACH_DAY.isoformat()
    assert (body["confirmed_debt_tiyn"], body["received_tiyn"], body["unpaid_tiyn"]) == (
        40_000_000, 0, 40_000_000)  # fmt: skip
    # the borrower: the missed-payment notices no sweep sent (instalments 1 and 2, late on
    # the breach date), then one SMS and one cabinet notice, in Kazakh, naming who is owed what
    told = Notification.objects.filter(case=world.case, borrower__isnull=False)
    missed = told.filter(template_key="payment_missed_at_breach")
    assert sorted(missed.values_list("context__number", flat=True)) == [1, 2]
    mine = told.exclude(template_key="payment_missed_at_breach")
    assert sorted(mine.values_list("channel", flat=True)) == ["dashboard", "sms"]
    sms = mine.get(channel=NotificationChannel.SMS)
    assert sms.language == "kk" and sms.template_key == "plan_breached_borrower"
    assert world.creditors[1].name in sms.body and format_tenge(40_000_000) in sms.body
    # every creditor: a dashboard notice (and e-mail when it has one)
    for creditor in world.creditors:
        assert (
            Notification.objects.filter(
                creditor=creditor, channel="dashboard", template_key="plan_breached_creditor"
            ).count()
            == 1
        )
    # the bureau: one "ended, breached" report per loan, sent
    reports = BureauReport.objects.filter(case_loan__case=world.case, event="breached")
    assert reports.count() == 2 and all(r.sent_at for r in reports)
    ended = [p for p in sim.procedures(world.case.borrower.iin) if p["event"] == "ended"]
    assert len(ended) == 2 and {p["reason"] for p in ended} == {"breached"}
    assert {p["on"] for p in ended} == {BREACH_DAY.isoformat()}
    # the breach statement: the borrower's and each creditor's own, in ru and kk
    documents = EndingDocument.objects.filter(ending__case=world.case)
    assert documents.count() == 6
    own = documents.get(creditor=world.creditors[1], language="ru")
    text = _pdf_text(own)
    assert world.creditors[1].name in text and world.creditors[0].name not in text
    before = _counts(world)
    # a second sweep, and the outcome task re-sent: nothing more
    breach(world, on=date(2026, 3, 16))
    outbox.enqueue("resolution.plan_breached", str(world.case.pk))
    _run_but_webhooks()
    assert _counts(world) == before
    assert len(sim.procedures(world.case.borrower.iin)) == 2


def test_completion_is_announced_once_with_a_certificate_listing_every_creditor(sim):
    world = active_plan((60_000_000, 40_000_000, 25_000_050))
    endpoints = _endpoints(world)
    pay_in_full(world, extra_tiyn=12_345)
    _run_but_webhooks()
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.COMPLETED
    deliveries = WebhookDelivery.objects.filter(event="plan.completed")
    assert sorted(d.endpoint_id for d in deliveries) == sorted(e.pk for e in endpoints)
    data = json.loads(deliveries.get(endpoint=endpoints[2]).body)["data"]
    assert (data["confirmed_debt_tiyn"], data["received_tiyn"], data["unpaid_tiyn"]) == (
        40_000_000, 40_000_000, 0)  # fmt: skip
    assert data["completed_on"] == "2026-02-01"
    notices = Notification.objects.filter(case=world.case, borrower__isnull=False)
    assert sorted(notices.values_list("channel", flat=True)) == ["dashboard", "sms"]
    assert format_tenge(12_345) in notices.get(channel="sms").body  # the refund owed back
    assert Notification.objects.filter(case=world.case, template_key="plan_completed_creditor",
                                       channel="dashboard").count() == 3  # fmt: skip
    completed = [p for p in sim.procedures(world.case.borrower.iin) if p["event"] == "completed"]
    assert len(completed) == 3
    ending = CaseEnding.objects.get(case=world.case)
    assert ending.snapshot["refund_tiyn"] == 12_345
    certificates = EndingDocument.objects.filter(ending=ending)
    assert sorted(certificates.values_list("language", flat=True)) == ["kk", "ru"]
    assert all(d.creditor_id is None for d in certificates)
    for document in certificates:
        text = _pdf_text(document)
        for creditor, debt in zip(world.creditors, (60_000_000, 40_000_000, 25_000_050),
                                  strict=True):  # fmt: skip
            assert creditor.name in text
            assert " ".join(format_tenge(debt).split()) in text
    before = _counts(world)
    outbox.enqueue("resolution.plan_completed", str(world.case.pk))
    pay_in_full(world, key="again")  # a payment after completion: owed back, no new ending
    _run_but_webhooks()
    assert _counts(world) == before


def test_a_breached_plan_paid_later_completes_and_is_reported_both_ways(sim):
    world = active_plan((30_000_000,))
    breach(world)
    _run_but_webhooks()
    pay_in_full(world, on=date(2026, 4, 1))
    _run_but_webhooks()
    kinds = list(CaseEnding.objects.filter(case=world.case).values_list("kind", flat=True))
    assert kinds == ["breached", "completed"]
    events = [p["event"] for p in sim.procedures(world.case.borrower.iin)]
    assert events == ["ended", "completed"]


def test_the_certificate_renders_the_same_bytes_twice():
    from resolution.services.endings import render_pdf

    world = active_plan((30_000_000,))
    pay_in_full(world)
    _run_but_webhooks()
    ending = CaseEnding.objects.get(case=world.case)
    assert render_pdf(ending=ending, creditor_key=None, language="kk") == render_pdf(
        ending=ending, creditor_key=None, language="kk"
    )


def _wait(predicate, what: str, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"the worker did not {what} within {timeout}s")


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.parametrize("kind", ["breached", "completed"])
def test_on_the_real_stack_each_endpoint_gets_one_event_and_a_resend_adds_none(worker, sim, kind):
    receiver = Receiver()
    try:
        world = active_plan()
        for creditor in world.creditors:
            register_endpoint(creditor=creditor, url=receiver.url)
        if kind == "breached":
            breach(world)  # the sweep's transaction writes resolution.plan_breached
        else:
            pay_in_full(world)
        iin = world.case.borrower.iin
        documents = 6 if kind == "breached" else 2  # ru and kk: the borrower's (+ each's own)
        _wait(lambda: len(receiver.requests) == 2 and len(sim.procedures(iin)) == 2
              and EndingDocument.objects.filter(ending__case=world.case).count() == documents
              and not Notification.objects.filter(case=world.case, status="pending").exists(),
              "announce the ending")  # fmt: skip
        events = [json.loads(body)["event"] for _, body in receiver.requests]
        assert events == [f"plan.{kind}"] * 2
        texts = 3 if kind == "breached" else 1  # a breach: instalments 1 and 2 missed first
        assert len(sim.sms(world.case.borrower.phone)) == texts
        before = (_counts(world), len(receiver.requests), len(sim.procedures(iin)))
        # the sweep runs again and the outcome task is re-sent
        if kind == "breached":
            breach(world, on=date(2026, 3, 16))
        with transaction.atomic():
            outbox.enqueue(f"resolution.plan_{kind}", str(world.case.pk))
        time.sleep(1.0)
        _wait_until_worker_idle()
        assert (_counts(world), len(receiver.requests), len(sim.procedures(iin))) == before
        assert len(sim.sms(world.case.borrower.phone)) == texts
    finally:
        receiver.close()
