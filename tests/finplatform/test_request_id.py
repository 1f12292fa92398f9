"""One request id from the HTTP request through the outbox into the worker's log
(finplatform/requestid.py), and JSON logs that still mask personal data."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import os
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from finplatform import logconfig, requestid
from outbox.models import OutboxMessage
from tests.factories import BorrowerFactory
from tests.support.bureau import loan, org, wait_for_check


def test_a_sane_incoming_id_is_kept_and_anything_else_replaced():
    assert requestid.accept_or_make("edge-3f2a9c1b") == "edge-3f2a9c1b"
    for bad in (None, "", "short", "x" * 65, "id with spaces", "a\nforged log line"):
        made = requestid.accept_or_make(bad)
        assert made != bad and len(made) == 32


@pytest.mark.django_db
def test_the_response_carries_the_request_id(client):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="probe-0001-abcd")
    assert response["X-Request-ID"] == "probe-0001-abcd"
    other = client.get(reverse("login"), HTTP_X_REQUEST_ID="bad id")
    assert other["X-Request-ID"] != "bad id" and len(other["X-Request-ID"]) == 32


def _log_through(config: dict, message: str, *args) -> str:
    stream = io.StringIO()
    config = {**config, "handlers": {"console": {**config["handlers"]["console"]}}}
    config["handlers"]["console"]["stream"] = stream
    config["handlers"]["console"]["class"] = "logging.StreamHandler"
    logging.config.dictConfig(config)
    try:
        token = requestid.bind("json-test-0001")
        logging.getLogger("finplatform.test").warning(message, *args)
        requestid.unbind(token)
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)
    return stream.getvalue()


def test_json_logs_carry_the_request_id_and_mask_personal_data():
    out = _log_through(logconfig.build(json_logs=True, level="INFO"), "iin %s phone %s",
                       "880412412011", "+77015550123")  # fmt: skip
    record = json.loads(out.strip().splitlines()[-1])
    assert record["request_id"] == "json-test-0001"
    assert record["levelname"] == "WARNING" and record["name"] == "finplatform.test"
    assert "880412412011" not in out and "7015550123" not in out
    assert record["message"].startswith("iin 88**********")


def test_text_logs_in_dev_carry_the_request_id():
    out = _log_through(logconfig.build(json_logs=False, level="INFO"), "hello")
    assert "[json-test-0001] hello" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


@pytest.mark.slow
@pytest.mark.worker
def test_the_web_request_id_is_in_the_worker_log_of_the_task_it_caused(client, worker, sim):
    borrower = BorrowerFactory(identified_at=timezone.now(), identification_method="biometric")
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    sim.put_report(borrower.iin, [loan(org("bank"), principal=1_150_000_00, overdue_days=95)])
    rid = f"trace-{time.monotonic_ns()}"
    response = client.post(reverse("resolution:apply"), {"consent": "on"},
                           HTTP_X_REQUEST_ID=rid)  # fmt: skip
    assert response.status_code == 302 and response["X-Request-ID"] == rid
    case = borrower.cases.get()
    message = OutboxMessage.objects.get(task_name="resolution.tasks.run_eligibility_check")
    assert message.request_id == rid
    wait_for_check(case.pk)
    log = Path(os.environ.get("FINPLATFORM_TEST_TMP", "/tmp")) / "worker.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [line for line in log.read_text(errors="replace").splitlines() if rid in line]
        if any("resolution.tasks.run_eligibility_check" in line for line in lines):
            break
        time.sleep(0.2)
    assert any("run_eligibility_check" in line and f"[{rid}]" in line for line in lines), lines
