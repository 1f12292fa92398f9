"""A PRIVATE stack for fault injection: its own PostgreSQL cluster (pgserver), its own Redis,
its own Celery worker and web server (gunicorn), all as child processes of the test, so
killing or restarting them never touches the shared stack the rest of the suite runs on.
Only the simulator process (outside systems over HTTP) is shared; it is never faulted here.

The test process talks to it from the outside: HTTP to the web server, SQL through psycopg2
for assertions, and `tests.reliability.stackctl` subprocesses for setup and sweeps."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

from finplatform import devstack
from finplatform.queues import ALL_QUEUES

ROOT = Path(__file__).resolve().parents[2]


class PrivateStack:
    def __init__(self, root: Path, *, simulator_url: str):
        self.root = root
        self.simulator_url = simulator_url
        self.pg = None
        self.redis: subprocess.Popen | None = None
        self.redis_port = devstack.free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.env: dict = {}
        self.runs = 0

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> PrivateStack:
        self.pg = devstack.start_postgres(self.root / "pg", throwaway=True)
        database_url = devstack.ensure_database(self.pg, "finplatform")
        self.start_redis()
        self.env = devstack.base_env(
            profile="test", database_url=database_url,
            redis_url=f"redis://127.0.0.1:{self.redis_port}/0", simulator_url=self.simulator_url,
        )  # fmt: skip
        # Settings of the processes under test (not of the shared suite): the outbox relay
        # takes messages older than 1 s, and an unacked message of a killed worker is
        # redelivered after 10 s instead of an hour.
        self.env.update(OUTBOX_RELAY_AFTER_SECONDS="1", CELERY_VISIBILITY_TIMEOUT_SECONDS="10",
                        DB_CONN_MAX_AGE="60")  # fmt: skip
        self.env.pop("FINPLATFORM_TEST_TMP", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=self.env,
                       check=True)  # fmt: skip
        return self

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGKILL)
        self.stop_redis()
        if self.pg is not None:
            # pgserver only stops the postmaster it started; after a restart that one is gone,
            # so stop whatever runs on the data directory first.
            with contextlib.suppress(Exception):
                self.stop_postgres()
            with contextlib.suppress(Exception):
                self.pg.cleanup()

    # --- Redis --------------------------------------------------------------------------

    def start_redis(self) -> None:
        # Append-only file on: a restarted Redis keeps what was queued, as a production one.
        self.redis = devstack.start_redis(self.root / "redis", self.redis_port, persist=True)

    def stop_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)
        self.redis = None

    # --- PostgreSQL ---------------------------------------------------------------------

    def stop_postgres(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pg.pgdata, user=self.pg.system_user)

    def start_postgres(self) -> None:
        from pgserver._commands import pg_ctl

        socket_dir = self.pg.get_uri().split("host=")[1]
        pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(self.pg.log), "start"],
            pgdata=self.pg.pgdata, user=self.pg.system_user, timeout=30,
        )  # fmt: skip

    def sql(self, query: str, params=None) -> list[tuple]:
        conn = psycopg2.connect(self.env["DATABASE_URL"])
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            conn.close()

    def scalar(self, query: str, params=None):
        return self.sql(query, params)[0][0]

    # --- processes ----------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "a")  # noqa: SIM115 — closed with the process
        proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **(env or {})}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.processes[name] = proc
        return proc

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start_worker(
        self, name: str, *, concurrency: int = 1, env: dict | None = None
    ) -> subprocess.Popen:
        """A prefork worker (the production pool), ready when it logs "ready"; `env`
        overrides the stack's settings for this worker only."""
        before = self.log(name).count(" ready.")
        proc = self._spawn(name, [
            sys.executable, "-m", "celery", "-A", "finplatform", "worker", "-l", "info",
            "--pool", "prefork", "--concurrency", str(concurrency), "-n", f"{name}@%h",
            "--without-gossip", "--without-mingle", "-Q", ",".join(ALL_QUEUES),
        ], env)  # fmt: skip
        self.wait_for(lambda: self.log(name).count(" ready.") > before, 60, f"{name} ready")
        return proc

    def start_web(self) -> str:
        port = devstack.free_port()
        proc = self._spawn("web", [
            sys.executable, "-m", "gunicorn", "finplatform.wsgi", "-b", f"127.0.0.1:{port}",
            "--workers", "2", "--threads", "4", "--timeout", "60",
        ])  # fmt: skip
        devstack.wait_for_port(port, 60, proc)
        return f"http://127.0.0.1:{port}"

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        """Signal the whole process group (a prefork worker's children included)."""
        proc = self.processes.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(30)

    def ctl(self, *args: str, timeout: float = 120) -> dict:
        self.runs += 1
        done = subprocess.run(
            [sys.executable, "-m", "tests.reliability.stackctl", *args], cwd=ROOT,
            env={**self.env, "STACKCTL_RUN": str(self.runs)},
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"stackctl {args} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    @staticmethod
    def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")
