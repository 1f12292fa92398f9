"""Issue 16, Medium 9: the production stack (docker-compose.yml) puts a TLS proxy in front.
It cannot run here (no Docker engine), so its shape is checked: gunicorn publishes no port
and trusts forwarded headers from the proxy's address only, the proxy publishes 443 and
overwrites X-Forwarded-Proto, Django trusts that header only when told it is behind the
proxy, and beat keeps its state in the database rather than in /tmp."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_gunicorn_publishes_no_port_and_the_proxy_does():
    for name, service in SERVICES.items():
        if name != "proxy":
            assert not service.get("ports"), f"{name} publishes {service.get('ports')}"
    assert "443:443" in SERVICES["proxy"]["ports"]


def test_gunicorn_trusts_forwarded_headers_from_the_proxy_only():
    proxy_ip = SERVICES["proxy"]["networks"]["default"]["ipv4_address"]
    command = SERVICES["web"]["command"]
    assert command[command.index("--forwarded-allow-ips") + 1] == proxy_ip
    assert SERVICES["web"]["environment"]["BEHIND_TLS_PROXY"] == "1"
    assert SERVICES["web"]["environment"]["DJANGO_ENV"] == "production"
    for name in ("worker", "beat", "migrate"):
        assert "BEHIND_TLS_PROXY" not in (SERVICES[name].get("environment") or {})


def test_the_proxy_terminates_tls_and_overwrites_x_forwarded_proto():
    volumes = SERVICES["proxy"]["volumes"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in volumes
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile
    assert "header_up X-Forwarded-Proto {scheme}" in caddyfile
    assert "tls " in caddyfile


def test_beat_state_is_in_the_database_not_in_tmp():
    command = " ".join(SERVICES["beat"]["command"])
    assert "django_celery_beat.schedulers:DatabaseScheduler" in command
    assert "/tmp" not in command and "-s " not in command


def proxy_header(**env) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_PROXY_SSL_HEADER)"
    )
    clean = {k: v for k, v in os.environ.items() if k != "BEHIND_TLS_PROXY"}
    clean.update(DJANGO_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.kz",
                 DJANGO_SETTINGS_MODULE="finplatform.settings", **env)  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout.strip()


def test_django_trusts_x_forwarded_proto_only_behind_the_proxy():
    assert proxy_header() == "None"
    assert proxy_header(BEHIND_TLS_PROXY="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_the_proxy_never_serves_metrics_and_web_sums_them_over_its_processes():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    refusal = caddyfile.index("respond /metrics* 404")
    assert refusal < caddyfile.index("reverse_proxy web:8000")
    web = SERVICES["web"]
    directory = web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert directory in web["tmpfs"]  # empty at every start, as prometheus_client requires
    assert int(web["command"][web["command"].index("--workers") + 1]) > 1
