import importlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction

from bureau_gateway import webhooks
from bureau_gateway.webhooks import verify
from creditors.models import WebhookDelivery, WebhookEndpoint
from creditors.tasks import deliver_webhook
from creditors.webhooks import register_endpoint
from resolution.services.notifications import notify_creditor
from tests.support.workflow import api_client_for, awaiting_case

pytestmark = pytest.mark.django_db


class Receiver:
    """A loopback HTTP server that records what it receives and answers `status`."""

    def __init__(self, status=200, headers=None):
        self.requests = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_event_is_delivered_signed_and_verifiable(receiver):
    world = awaiting_case()
    creditor = world.creditors[0]
    endpoint = register_endpoint(creditor=creditor, url=receiver.url)
    notify_creditor(creditor=creditor, case=world.case, template_key="creditor_reminder",
                    event="case.answer_late", context={"deadline": "01.12.2026"})  # fmt: skip
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert deliver_webhook.apply(args=[str(delivery.pk)]).get() == "delivered"
    headers, body = receiver.requests[0]
    assert verify(endpoint.secret, headers["X-Finkelisim-Timestamp"], body,
                  headers["X-Finkelisim-Signature"])  # fmt: skip
    assert abs(int(headers["X-Finkelisim-Timestamp"]) - time.time()) < 60
    assert not verify("another-secret", headers["X-Finkelisim-Timestamp"], body,
                      headers["X-Finkelisim-Signature"])  # fmt: skip
    assert not verify(endpoint.secret, headers["X-Finkelisim-Timestamp"], body + b" ",
                      headers["X-Finkelisim-Signature"])  # fmt: skip
    payload = json.loads(body)
    assert payload["event"] == "case.answer_late"
    assert payload["data"]["case"]["reference"] == world.case.reference
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    # delivered once: running the task again sends nothing
    deliver_webhook.apply(args=[str(delivery.pk)])
    assert len(receiver.requests) == 1


def test_same_event_is_recorded_once_and_other_orgs_get_nothing(receiver):
    world = awaiting_case()
    mine = register_endpoint(creditor=world.creditors[0], url=receiver.url)
    theirs = register_endpoint(creditor=world.creditors[1], url=receiver.url)
    for _ in range(2):
        notify_creditor(creditor=world.creditors[0], case=world.case,
                        template_key="creditor_reminder", event="case.answer_late",
                        context={"deadline": "x"})  # fmt: skip
    assert WebhookDelivery.objects.filter(endpoint=mine).count() == 1
    assert not WebhookDelivery.objects.filter(endpoint=theirs).exists()


def test_failing_endpoint_is_retried_then_marked_failed(settings):
    settings.RESOLUTION_POLICY = {**settings.RESOLUTION_POLICY, "WEBHOOK_MAX_ATTEMPTS": 3}
    failing = Receiver(status=503)
    try:
        world = awaiting_case()
        endpoint = register_endpoint(creditor=world.creditors[0], url=failing.url)
        with transaction.atomic():
            notify_creditor(creditor=world.creditors[0], case=world.case,
                            template_key="creditor_reminder", event="case.answer_late",
                            context={"deadline": "x"})  # fmt: skip
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        deliver_webhook.apply(args=[str(delivery.pk)])  # eager: retries run in-line
        delivery.refresh_from_db()
        assert delivery.status == "failed"
        assert delivery.attempts == 3 and delivery.last_status_code == 503
        assert len(failing.requests) == 3
    finally:
        failing.close()


# --- the guarded client (SSRF): refused targets, pinning, no redirects ------------------------


def _one_delivery(url):
    world = awaiting_case()
    endpoint = register_endpoint(creditor=world.creditors[0], url=url)
    notify_creditor(creditor=world.creditors[0], case=world.case, template_key="creditor_reminder",
                    event="case.answer_late", context={"deadline": "x"})  # fmt: skip
    return world, WebhookDelivery.objects.get(endpoint=endpoint)


@pytest.mark.parametrize(
    "url",
    ["https://169.254.169.254/latest/meta-data/", "https://localhost:6379/", "https://[::1]/h",
     "https://10.0.0.1/h", "https://172.16.0.1/h", "https://192.168.0.1/h", "file:///etc/passwd"],
)  # fmt: skip
def test_registering_an_internal_url_is_a_400_and_creates_nothing(settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = settings.WEBHOOK_ALLOW_HTTP = False  # production
    world = awaiting_case()
    response = api_client_for(world.creditors[0]).post(
        "/api/v1/creditor/webhooks/", {"url": url}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in {"webhook_url_refused", "validation_error"}
    if url.startswith("https://"):  # a URL the form accepts, refused by the guard
        assert response.json()["error"]["code"] == "webhook_url_refused"
    assert not WebhookEndpoint.objects.exists()


def test_a_target_refused_at_delivery_is_logged_as_refused_and_gets_nothing(settings, receiver):
    world, delivery = _one_delivery(receiver.url)  # registered while loopback was allowed
    settings.WEBHOOK_ALLOW_LOOPBACK = False  # now production rules
    deliver_webhook.apply(args=[str(delivery.pk)])
    delivery.refresh_from_db()
    assert (delivery.last_error, delivery.last_status_code) == ("refused", None)
    assert receiver.requests == []
    shown = api_client_for(world.creditors[0]).get(
        f"/api/v1/creditor/webhooks/{delivery.endpoint_id}/deliveries/"
    )
    assert shown.json()[0]["last_error"] == "refused"


def test_a_closed_port_does_not_reveal_the_inner_error(settings):
    settings.RESOLUTION_POLICY = {**settings.RESOLUTION_POLICY, "WEBHOOK_MAX_ATTEMPTS": 1}
    closed = Receiver()
    url = closed.url
    closed.close()
    _, delivery = _one_delivery(url)
    deliver_webhook.apply(args=[str(delivery.pk)])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", "no answer")


def test_delivery_connects_to_the_checked_address_with_the_name_as_host(receiver, monkeypatch):
    port = receiver.server.server_address[1]
    answers = iter([["127.0.0.1"], ["127.0.0.1"]])  # registration, then delivery
    monkeypatch.setattr(webhooks, "_resolve", lambda host, p: next(answers))
    _, delivery = _one_delivery(f"http://hooks.creditor.test:{port}/hook?a=1")
    assert deliver_webhook.apply(args=[str(delivery.pk)]).get() == "delivered"
    headers, _ = receiver.requests[0]
    assert headers["Host"] == f"hooks.creditor.test:{port}"


def test_a_name_that_rebinds_to_a_private_address_before_delivery_is_refused(receiver, monkeypatch):
    answers = iter([["127.0.0.1"], ["127.0.0.1", "10.0.0.5"]])  # registration, then delivery
    monkeypatch.setattr(webhooks, "_resolve", lambda host, p: next(answers))
    port = receiver.server.server_address[1]
    _, delivery = _one_delivery(f"http://hooks.creditor.test:{port}/hook")
    deliver_webhook.apply(args=[str(delivery.pk)])
    delivery.refresh_from_db()
    assert delivery.last_error == "refused" and receiver.requests == []


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(settings, receiver):
    settings.RESOLUTION_POLICY = {**settings.RESOLUTION_POLICY, "WEBHOOK_MAX_ATTEMPTS": 1}
    redirecting = Receiver(status=307, headers={"Location": receiver.url})
    try:
        _, delivery = _one_delivery(redirecting.url)
        deliver_webhook.apply(args=[str(delivery.pk)])
        delivery.refresh_from_db()
        assert (delivery.status, delivery.last_status_code) == ("failed", 307)
        assert len(redirecting.requests) == 1 and receiver.requests == []
    finally:
        redirecting.close()


def test_verify_refuses_a_replayed_or_future_timestamp():
    body, now = b"{}", 1_800_000_000
    for age, fresh in [(0, True), (299, True), (-299, True), (301, False), (-301, False),
                       (86_400, False)]:  # fmt: skip
        stamp = now - age
        signature = webhooks.sign("s", stamp, body)
        assert webhooks.verify("s", str(stamp), body, signature, now=now) is fresh, age
    stamp = now - 600
    assert webhooks.verify("s", str(stamp), body, webhooks.sign("s", stamp, body), now=now,
                           tolerance=900)  # fmt: skip


def test_the_migration_scrubs_inner_errors_already_in_the_log(receiver):
    scrub = importlib.import_module("creditors.migrations.0004_scrub_webhook_delivery_errors")
    _, delivery = _one_delivery(receiver.url)
    kept = {"HTTP 503", "refused", ""}
    for error in [*kept, "ConnectionError: [Errno 111] Connection refused", "ReadTimeout: x"]:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(last_error=error)
        with connection.cursor() as cursor:
            cursor.execute(scrub.SCRUB)
        delivery.refresh_from_db()
        assert delivery.last_error == (error if error in kept else "no answer")
