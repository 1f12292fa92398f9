"""The notice sweeps as the beat runs them: registered with an expiry, and on the real worker
a reminder reaches the SMS simulator over HTTP with its delivery status recorded."""

import time
from datetime import timedelta

import pytest
import requests
from django.conf import settings

from finplatform.celery import app
from finplatform.clock import business_date
from finplatform.money import format_tenge
from resolution.models import Notification
from resolution.tasks import sweep_payment_notices
from tests.support.ledger import make_plan

NAMES = {
    "resolution-payment-notices": "resolution.sweep_payment_notices",
    "resolution-statement-notices": "resolution.send_statement_notices",
}


def test_beat_runs_the_notice_sweeps_with_an_expiry():
    app.loader.import_default_modules()
    for name, task in NAMES.items():
        entry = app.conf.beat_schedule[name]
        assert entry["task"] == task and task in app.tasks
        assert 0 < entry["options"]["expires"] <= 12 * 3600


@pytest.mark.slow
@pytest.mark.worker
def test_the_worker_sends_a_due_reminder_by_sms_once(worker):
    plan, _ = make_plan([30_000_000, 20_000_000], first_due=business_date() + timedelta(days=3))
    phone = plan.case.borrower.phone
    first = sweep_payment_notices.delay().get(timeout=60)
    again = sweep_payment_notices.delay().get(timeout=60)
    assert first["reminders"] == 1 and again["reminders"] == 0
    notice = Notification.objects.get(case=plan.case, template_key="due_reminder")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notice.refresh_from_db()
        if notice.status == "sent":
            break
        time.sleep(0.2)
    assert notice.status == "sent" and notice.attempts == 1 and notice.sent_at is not None
    texts = requests.get(
        f"{settings.SIMULATOR_URL}/_control/sms", params={"phone": phone}, timeout=5
    ).json()["messages"]
    amount = format_tenge(plan.instalments.get(number=1).amount_tiyn)
    assert [m["text"] for m in texts if amount in m["text"]] == [notice.body]
