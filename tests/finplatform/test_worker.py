"""The test run has a real Celery worker on the real Redis broker."""

import pytest

from finplatform.tasks import heartbeat

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def test_task_runs_on_a_real_worker(worker):
    result = heartbeat.delay()
    payload = result.get(timeout=30)
    assert result.successful()
    assert payload["host"]
    assert payload["at"].endswith("+05:00")  # business time is Asia/Almaty
