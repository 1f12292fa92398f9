"""The logging configuration of every process (web, worker, beat): JSON lines in production
(python-json-logger: a maintained formatter for the standard logging module, so Django's,
Celery's and our loggers need no change), plain text in dev and tests. Every record passes
the personal-data mask (finplatform/logfilters.py) and carries the request id
(finplatform/requestid.py) before any formatter sees it."""

from __future__ import annotations

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


def build(*, json_logs: bool, level: str) -> dict:
    formatter = (
        {"()": "pythonjsonlogger.json.JsonFormatter", "format": JSON_FIELDS}
        if json_logs
        else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "mask_pii": {"()": "finplatform.logfilters.MaskPIIFilter"},
            "request_id": {"()": "finplatform.requestid.RequestIdFilter"},
        },
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["mask_pii", "request_id"],
                "formatter": "main",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # WeasyPrint logs its CSS parsing at INFO on import (the PDF views import it).
            "weasyprint.progress": {"level": "WARNING"},
        },
    }
