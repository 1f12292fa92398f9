"""One request id from the HTTP request, through the outbox, into the Celery tasks it caused.

The web process takes a sane incoming X-Request-ID (a proxy's or a client's) or makes one,
answers with it, and every log record of the request carries it (`RequestIdFilter`). The
outbox stores it with each message (outbox/services.py) and publishes it in the task's
headers; the worker restores it around the task (the Celery signals below), so the worker's
log records carry the same id, and the messages a task enqueues in turn carry it on."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import task_postrun, task_prerun

HEADER = "request_id"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_current: ContextVar[str] = ContextVar("request_id", default="")


def current() -> str:
    return _current.get()


def accept_or_make(incoming: str | None) -> str:
    """An incoming id only when it is short plain text (it goes into every log line)."""
    return incoming if incoming and _SANE.match(incoming) else uuid.uuid4().hex


def bind(request_id: str):
    return _current.set(request_id)


def unbind(token) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = accept_or_make(request.headers.get("X-Request-ID"))
        token = bind(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            unbind(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True


def _from_task(task) -> str:
    request = getattr(task, "request", None)
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return value if isinstance(value, str) and _SANE.match(value) else ""


_tokens: dict[str, object] = {}


logger = logging.getLogger(__name__)


@task_prerun.connect
def _bind_task(task_id=None, task=None, **kwargs) -> None:
    _tokens[task_id] = bind(_from_task(task))
    logger.info("task %s[%s] started", getattr(task, "name", "?"), task_id)


@task_postrun.connect
def _unbind_task(task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        try:
            unbind(token)
        except ValueError:  # reset in another context (thread pool): clear instead
            bind("")
