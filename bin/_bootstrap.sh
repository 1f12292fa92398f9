# Sourced by bin/dev and bin/test: finds Python >= 3.12 (Django 6 needs it), creates .venv and
# installs requirements.txt when it changed. Needs nothing but Python and pip.
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
STAMP="$VENV/.requirements.sha256"
WANT="$(cat "$ROOT/requirements.txt" "$ROOT/requirements-nodeps.txt" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "==> installing dependencies"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$ROOT/requirements-nodeps.txt"
  echo "$WANT" > "$STAMP"
fi
cd "$ROOT"
export PATH="$VENV/bin:$PATH"
