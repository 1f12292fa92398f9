"""Reading settings from the environment: which environment runs, booleans, comma lists, rates,
a PostgreSQL URL."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from limits import parse as parse_rate

ENVIRONMENTS = ("production", "dev", "test")


def django_env() -> str:
    """DJANGO_ENV: production unless `bin/dev` (dev) or `bin/test` (test) says otherwise;
    any other value stops the start. Every settings module asks here."""
    env = os.environ.get("DJANGO_ENV", "production")
    if env not in ENVIRONMENTS:
        raise ImproperlyConfigured(f"DJANGO_ENV must be production, dev or test, not {env!r}")
    return env


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str) -> str:
    """A rate in the `limits` notation ("600/minute", "10/second"), checked at start-up so a
    typo stops the process instead of the first request (finplatform/ratelimit.py)."""
    value = os.environ.get(name, default).strip()
    try:
        parse_rate(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must read like 600/minute, not {value!r}") from exc
    return value


def database_from_url(url: str) -> dict:
    """postgresql://user:pass@host:port/name?host=/socket/dir → Django DATABASES entry."""
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured("DATABASE_URL must be a postgresql:// URL")
    query = parse_qs(parts.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host", [parts.hostname or ""])[0],
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": "test_finplatform"},
    }
