"""Liveness and readiness for load balancers and compose healthchecks.

`/healthz`: the process answers (touches nothing). `/readyz`: PostgreSQL answers, Redis answers
and every migration is applied. Both are answered by a middleware at the top of the stack,
before host validation, HTTPS redirect, sessions and authentication: an orchestrator probes by
internal address, needs no login, and the answer holds no personal data (check names only).
"""

import logging

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def check_migrations() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migration(s) not applied")


CHECKS = {"database": check_database, "redis": check_redis, "migrations": check_migrations}


def readiness() -> tuple[bool, dict[str, str]]:
    results = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "skipped"
            continue
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the reason goes to the log
            logger.warning("readiness check %s failed: %s", name, exc.__class__.__name__)
            results[name] = "failing"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    """Answers GET/HEAD /healthz and /readyz; everything else passes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if request.path == "/healthz":
            return _no_store(JsonResponse({"status": "ok"}))
        if request.path == "/readyz":
            ready, checks = readiness()
            if not ready:
                # a broken connection must not be reused by the next probe
                connections[DEFAULT_DB_ALIAS].close()
            body = {"status": "ok" if ready else "unavailable", "checks": checks}
            return _no_store(JsonResponse(body, status=200 if ready else 503))
        return self.get_response(request)
