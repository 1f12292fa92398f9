import os
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings

from tests.conftest import ROOT


def _run_check(env_overrides: dict) -> subprocess.CompletedProcess:
    drop = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "FIELD_ENCRYPTION_KEYS"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_production_settings_pass_the_deployment_checklist():
    result = _run_check({"DJANGO_ENV": "production", "SECRET_KEY": "x" * 30 + "Yz0!" * 10,
                         "ALLOWED_HOSTS": "finkelisim.kz",
                         "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()})  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_check({"DJANGO_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_business_time_zone_is_almaty():
    assert settings.TIME_ZONE == "Asia/Almaty"
    assert settings.USE_TZ


def test_pages_carry_security_headers_and_api_docs_work_offline(client, db):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert "cdn.jsdelivr" not in docs.content.decode()  # Swagger UI from our own static files
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi" in schema.content
