"""The Prometheus endpoint /metrics (ombudsman/metrics.py): refused without the token, and
each business gauge follows a real change in the database, the ledger or the broker."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import redis
import time_machine
from celery import Celery
from django.urls import reverse

from finplatform.clock import business_now
from finplatform.queues import TASK_ROUTES
from outbox import services as outbox
from schedules.services.payments import book_payment
from tests.support.payments import pay
from tests.support.workflow import awaiting_case, issued_case

TOKEN = "scrape-secret-0123456789"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []


def scrape(client) -> dict[str, float]:
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    values = {}
    for line in response.content.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def test_anonymous_and_wrong_tokens_are_refused_with_no_body(client, settings):
    url = reverse("metrics")
    for auth in (None, "Bearer wrong", TOKEN, f"Basic {TOKEN}"):
        headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
        response = client.get(url, **headers)
        assert response.status_code == 401 and response.content == b""
    settings.METRICS_TOKEN = ""  # none configured: nobody gets in, not even with an empty one
    assert client.get(url, HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_the_address_allow_list_applies_on_top_of_the_token(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    assert client.get(reverse("metrics"), REMOTE_ADDR="127.0.0.1", **auth).status_code == 401
    assert client.get(reverse("metrics"), REMOTE_ADDR="10.20.3.4", **auth).status_code == 200


def test_request_metrics_by_view_name_and_status(client):
    client.get(reverse("login"))
    key = 'finplatform_http_requests_total{method="GET",status="200",view="login"}'
    before = scrape(client).get(key, 0)
    client.get(reverse("login"))
    after = scrape(client)
    assert after[key] == before + 1
    assert after['finplatform_http_request_duration_seconds_count{view="login"}'] >= 2
    assert not any(re.search(r"FK-[A-Z0-9]{8}", name) for name in after)  # no ids in labels


def test_cases_overdue_answers_and_packages_near_deadline_follow_the_database(client):
    before = scrape(client)
    world = awaiting_case()
    after = scrape(client)
    key = 'finplatform_cases{status="awaiting_creditors"}'
    assert after[key] == before[key] + 1
    overdue = "finplatform_creditor_answers_overdue"
    deadline = world.case.creditor_requests.order_by("deadline").first().deadline
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert scrape(client)[overdue] == after[overdue] + 3

    issued = issued_case().case
    near = "finplatform_packages_near_signing_deadline"
    with time_machine.travel(issued.package.signing_deadline - timedelta(hours=1), tick=False):
        assert scrape(client)[near] == 1
    with time_machine.travel(issued.package.signing_deadline - timedelta(hours=30), tick=False):
        assert scrape(client)[near] == 0


def test_outbox_backlog_and_its_oldest_age(client):
    with outbox.fast_path_suppressed():
        outbox.enqueue("finplatform.tasks.heartbeat")
    with time_machine.travel(business_now() + timedelta(minutes=5), tick=False):
        values = scrape(client)
    assert values["finplatform_outbox_backlog"] == 1
    assert 299 <= values["finplatform_outbox_oldest_age_seconds"] <= 301


def test_sweep_ages_payments_booked_and_reconciliation(client):
    from finplatform.celery import app

    app.loader.import_default_modules()
    label = 'finplatform_sweep_seconds_since_finished{task="outbox.relay"}'
    assert label not in scrape(client)
    app.tasks["outbox.relay"].apply(throw=True)
    with time_machine.travel(business_now() + timedelta(minutes=10), tick=False):
        assert 599 <= scrape(client)[label] <= 601

    before = scrape(client)["finplatform_payments_booked_total"]
    book_payment(source="test", item=pay("metrics-1", 1_000_00, date(2026, 1, 30)))
    values = scrape(client)
    assert values["finplatform_payments_booked_total"] == before + 1
    assert values["finplatform_payments_booked_tiyn_total"] >= 1_000_00

    assert "finplatform_ledger_reconciliation_ok" not in values  # not run yet: never at scrape
    app.tasks["schedules.reconcile_ledger"].apply(throw=True)
    values = scrape(client)
    assert values["finplatform_ledger_reconciliation_ok"] == 1
    assert values["finplatform_ledger_reconciliation_failed_checks"] == 0


def test_celery_queue_lengths_from_the_broker(client, settings):
    url = re.sub(r"/\d+$", "/6", settings.CELERY_BROKER_URL)
    redis.Redis.from_url(url).flushdb()
    settings.CELERY_BROKER_URL = url
    sender = Celery("metrics-test", broker=url, set_as_current=False)
    sender.conf.task_routes = TASK_ROUTES
    try:
        sender.send_task("resolution.generate_documents", args=["x"])
        sender.send_task("resolution.generate_documents", args=["y"])
        sender.send_task("resolution.send_notification", args=["z"])
        values = scrape(client)
        assert values['finplatform_celery_queue_length{queue="documents"}'] == 2
        assert values['finplatform_celery_queue_length{queue="notifications"}'] == 1
        assert values['finplatform_celery_queue_length{queue="deadlines"}'] == 0
    finally:
        redis.Redis.from_url(url).flushdb()


def test_the_dashboard_and_the_scrape_config_cover_every_gauge(client):
    import json
    from pathlib import Path

    import yaml

    deploy = Path(__file__).resolve().parents[2] / "deploy"
    scrape_config = yaml.safe_load((deploy / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape_config["metrics_path"] == "/metrics"
    assert scrape_config["authorization"]["type"] == "Bearer"
    dashboard = (deploy / "grafana" / "finplatform-dashboard.json").read_text()
    json.loads(dashboard)
    for family in ("finplatform_cases", "finplatform_creditor_answers_overdue",
                   "finplatform_packages_near_signing_deadline", "finplatform_outbox_backlog",
                   "finplatform_outbox_oldest_age_seconds",
                   "finplatform_sweep_seconds_since_finished", "finplatform_payments_booked",
                   "finplatform_ledger_reconciliation_ok", "finplatform_celery_queue_length",
                   "finplatform_http_requests_total"):  # fmt: skip
        assert family in dashboard
        assert any(name.startswith(family) for name in scrape(client)) or family in (
            "finplatform_sweep_seconds_since_finished",
            "finplatform_ledger_reconciliation_ok",
        )
