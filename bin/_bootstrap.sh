# Sourced by bin/dev and bin/test: finds Python >= 3.12 (Django 6 needs it), creates .venv and
# installs the locked dependencies (uv.lock) when they changed. Needs nothing but Python and pip.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${FINPLATFORM_VENV:-$ROOT/.venv}"

find_python() {
  local candidates=()
  [ -n "${FINPLATFORM_PYTHON:-}" ] && candidates+=("$FINPLATFORM_PYTHON")
  candidates+=(python3.13 python3.12 python3)
  if command -v pyenv >/dev/null 2>&1 || [ -d "${PYENV_ROOT:-$HOME/.pyenv}/versions" ]; then
    for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do candidates+=("$p"); done
  fi
  for c in "${candidates[@]}"; do
    if "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      echo "$c"; return 0
    fi
  done
  echo "No Python >= 3.12 found (Django 6 needs it). Set FINPLATFORM_PYTHON=/path/to/python3.12" >&2
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  PY="$(find_python)"
  echo "==> creating virtualenv $VENV with $("$PY" --version)"
  "$PY" -m venv "$VENV"
fi
# Dependencies come from uv.lock (exact versions with hashes), installed by uv, which itself
# comes from PyPI with pip at the version the lock names. `uv sync --locked` refuses to run when
# uv.lock no longer matches pyproject.toml. A venv given with FINPLATFORM_VENV may hold other
# packages: it is synced --inexact (nothing removed); the project's own .venv is synced exactly.
STAMP="$VENV/.uv-lock.sha256"
WANT="$(cat "$ROOT/pyproject.toml" "$ROOT/uv.lock" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ] || [ ! -x "$VENV/bin/uv" ]; then
  echo "==> installing dependencies from uv.lock"
  UV_VERSION="$("$VENV/bin/python" -c 'import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
print(next(p["version"] for p in lock["package"] if p["name"] == "uv"))' "$ROOT/uv.lock")"
  if [ "$("$VENV/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  SYNC_FLAGS=(--locked --quiet)
  [ -n "${FINPLATFORM_VENV:-}" ] && SYNC_FLAGS+=(--inexact)
  (cd "$ROOT" && UV_PROJECT_ENVIRONMENT="$VENV" UV_PYTHON_DOWNLOADS=never \
    "$VENV/bin/uv" sync "${SYNC_FLAGS[@]}" --python "$VENV/bin/python")
  echo "$WANT" > "$STAMP"
fi
cd "$ROOT"
export PATH="$VENV/bin:$PATH"
