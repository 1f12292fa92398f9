"""bin/dev's supervisor restarts a crashed child with a growing backoff instead of stopping
the whole stack (the Celery worker once died on a Redis reconnect and took everything down)."""

import os
import sys
import time

from finplatform.devstack import Supervisor

CRASH = [sys.executable, "-c", "import sys; sys.exit(3)"]
STEADY = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_a_crashed_child_is_restarted_with_backoff_and_the_others_keep_running(capsys):
    sup = Supervisor(dict(os.environ), first_backoff=0.2, max_backoff=0.8)
    try:
        steady = sup.start("steady", STEADY)
        first = sup.start("flaky", CRASH)
        restarts = []
        deadline = time.monotonic() + 20
        while len(restarts) < 3 and time.monotonic() < deadline:
            if sup.restart_exited():
                restarts.append(time.monotonic())
            time.sleep(0.02)
        assert len(restarts) == 3
        assert sup.children["flaky"] is not first  # a new process
        assert sup.children["steady"] is steady and steady.poll() is None  # untouched
        gaps = [b - a for a, b in zip(restarts, restarts[1:], strict=False)]
        assert gaps[1] > gaps[0] >= 0.35  # 0.4 s then 0.8 s: the backoff doubles
        out = capsys.readouterr().out
        assert "flaky exited with code 3; restarting in" in out and "flaky restarted" in out
    finally:
        sup.stop_all(timeout=5)
    assert steady.poll() is not None
