#!/usr/bin/env bash
# One entry point for a fresh machine: creates .venv, installs the project and
# its test tools when pyproject.toml changes, then runs the requested job.
#   ./scripts/dev.sh devnet    the main job: a local rollup node (supervm devnet [flags])
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

# anvil (an EVM node) for the contract tests, from npm; the platform binary
# comes as an optional dependency from the registry, no other download.
ANVIL_VERSION=1.7.1
install_anvil() {
    local pkg=.tools/node_modules/@foundry-rs/anvil/package.json
    if [ -f "$pkg" ] && grep -q "\"version\": \"$ANVIL_VERSION\"" "$pkg" \
        && .tools/node_modules/.bin/anvil --version >/dev/null 2>&1; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        echo "[dev] npm not found: cannot install anvil; the anvil tests will fail" >&2
        return 0
    fi
    echo "[dev] installing anvil $ANVIL_VERSION into .tools" >&2
    npm install --prefix .tools --no-audit --no-fund --loglevel=error "@foundry-rs/anvil@$ANVIL_VERSION" >&2 \
        || echo "[dev] anvil install failed; the anvil tests will fail" >&2
}

job=${1:-demo}
case "$job" in
    test)
        shift
        install_anvil
        exec "$VENV/bin/python" -m pytest -n "${PYTEST_WORKERS:-2}" -q "$@"
        ;;
    *)
        exec "$VENV/bin/supervm" "$@"
        ;;
esac
