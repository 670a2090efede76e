"""Shared fixtures: presets, cached receipts (proving is the slow part), and anvil.

``anvil_url`` starts the anvil installed by ``scripts/dev.sh test`` (npm package
``@foundry-rs/anvil`` under ``.tools/``; or ``$ANVIL``, or ``anvil`` on PATH).
When no anvil can be found the tests that need it fail, loudly; set
``SUPERVM_NO_ANVIL=1`` to skip them instead on a machine without one.
``anvil_factory`` starts further anvils a test owns (to stop and restart them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contracts.anvil import AnvilNode, find_anvil
from contracts.errors import L1UnavailableError
from prover.backends import prove
from prover.receipt import Backend
from prover.stark.params import preset


@pytest.fixture(scope="session")
def test_options():
    """Fast, insecure options for tests that exercise logic rather than security."""
    return preset("test")


@pytest.fixture(scope="session")
def default_options():
    return preset("default")


@pytest.fixture(scope="session")
def fib_receipt(test_options):
    """A STARK receipt of fib(50) under the test preset."""
    return prove("fib", (50,), Backend.STARK, test_options)


@pytest.fixture(scope="session")
def fib_receipt_default(default_options):
    """A STARK receipt of fib(100) under the default (>= 100-bit) preset."""
    return prove("fib", (100,), Backend.STARK, default_options)


ROOT = Path(__file__).resolve().parents[1]
ANVIL_BLOCK_GAS_LIMIT = 60_000_000


class Anvil(AnvilNode):
    """An anvil the tests own (Prague, 60M gas limit, logs kept in ``log_dir``); a start that fails fails the test."""

    def __init__(self, binary: str, log_dir: Path, port: int = 0, state: Path | None = None):
        super().__init__(binary, port, ANVIL_BLOCK_GAS_LIMIT, state, log_dir)

    def start(self, timeout: float = 30.0) -> str:
        try:
            return super().start(timeout)
        except L1UnavailableError as exc:
            pytest.fail(str(exc))


def _anvil_binary() -> str:
    binary = find_anvil()
    if binary is None or not os.access(binary, os.X_OK):
        message = f"anvil not found ({binary or 'not installed'}): run ./scripts/dev.sh test (installs @foundry-rs/anvil into .tools) or set $ANVIL"
        if os.environ.get("SUPERVM_NO_ANVIL") == "1":
            pytest.skip(reason=message)
        pytest.fail(message)
    return binary


@pytest.fixture(scope="session")
def anvil_url(tmp_path_factory):
    """URL of a fresh anvil (Prague, 60M block gas limit) on 127.0.0.1, stopped after the session."""
    anvil = Anvil(_anvil_binary(), tmp_path_factory.mktemp("anvil"))
    try:
        yield anvil.start()
    finally:
        anvil.stop()


@pytest.fixture
def anvil_factory(tmp_path):
    """Start anvils this test owns (``factory(port=0, state=None)``); all are stopped afterwards."""
    started: list[Anvil] = []

    def factory(port: int = 0, state: Path | None = None) -> Anvil:
        anvil = Anvil(_anvil_binary(), tmp_path, port, state)
        anvil.start()
        started.append(anvil)
        return anvil

    yield factory
    for anvil in started:
        anvil.stop()
