"""Request metrics (prometheus-client) and the guard of the metrics endpoint.

`RequestMetricsMiddleware` counts every request and its latency by view name (the URL
pattern's name, never the path: no ids or references in label values) and status. The
business gauges are computed at scrape time from the database (ombudsman/metrics.py).
The endpoint is not public: a bearer token (METRICS_TOKEN; without one configured it refuses
everything) and, optionally, an allow-list of addresses (METRICS_ALLOWED_NETWORKS).
With several web processes (gunicorn), set PROMETHEUS_MULTIPROC_DIR to an empty directory
shared by them: the endpoint then adds up every process's request metrics."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

REQUESTS = Counter(
    "finplatform_http_requests", "HTTP requests answered", ["view", "method", "status"]
)
LATENCY = Histogram(
    "finplatform_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    return match.view_name or getattr(match.func, "__name__", "unnamed")


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_name(request)
        LATENCY.labels(view).observe(time.perf_counter() - started)
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        return response


def allowed(request) -> bool:
    """A scrape is let in only with the configured bearer token, and from an allowed network
    when a list is configured. Constant-time comparison; no token configured = nobody."""
    token = settings.METRICS_TOKEN
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        return False
    networks = settings.METRICS_ALLOWED_NETWORKS
    if networks:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(net, strict=False) for net in networks)
    return True


def request_registry():
    """The registry to scrape for request metrics: this process's, or every process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY
