#!/usr/bin/env bash
# One entry point for a fresh machine: creates .venv, installs the project and
# its test tools when pyproject.toml changes, then runs the requested job.
#   ./scripts/dev.sh demo      prove and verify every program with both backends
#   ./scripts/dev.sh test      the whole test suite
#   ./scripts/dev.sh <args>    any supervm command, e.g. `bench prover --quick`
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON_BIN=${PYTHON:-python3}
VENV=.venv
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [ ! -x "$VENV/bin/python" ]; then
    echo "[dev] creating $VENV with $($PYTHON_BIN --version)" >&2
    "$PYTHON_BIN" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "[dev] installing supervm-l2 and its dependencies into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e '.[dev,l1]'
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi

job=${1:-demo}
case "$job" in
    test)
        shift
        exec "$VENV/bin/python" -m pytest -n "${PYTEST_WORKERS:-2}" -q "$@"
        ;;
    *)
        exec "$VENV/bin/supervm" "$@"
        ;;
esac
