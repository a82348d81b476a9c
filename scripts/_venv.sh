# Sourced by the scripts: a project virtualenv with the given requirements,
# installed only when the requirements file changed (idempotent).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON_BIN="${PYTHON_BIN:-python3}"
VENV="${FASTDSO_VENV:-$ROOT/.venv}"
ensure_venv() {
  local req="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON_BIN" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(basename "$req")"
  local sum; sum=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  # requirements-dev.txt includes requirements.txt: its stamp covers both.
  local dev_stamp="$VENV/.installed-requirements-dev.txt"
  if [ "$req" = requirements.txt ] && [ -f "$dev_stamp" ] && [ "$(cat "$dev_stamp")" = "$sum" ]; then
    stamp="$dev_stamp"
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r "$req"
    echo "$sum" > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
