import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from bureau_gateway.webhooks import verify
from creditors.models import WebhookDelivery
from creditors.tasks import deliver_webhook
from creditors.webhooks import register_endpoint
from resolution.services.notifications import notify_creditor
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db


class Receiver:
    """A loopback HTTP server that records what it receives and answers `status`."""

    def __init__(self, status=200):
        self.requests = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

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
