"""Shared fixtures: presets, cached receipts (proving is the slow part), and anvil.

``anvil_url`` starts the anvil installed by ``scripts/dev.sh test`` (npm package
``@foundry-rs/anvil`` under ``.tools/``; or ``$ANVIL``, or ``anvil`` on PATH).
When no anvil can be found the tests that need it fail, loudly; set
``SUPERVM_NO_ANVIL=1`` to skip them instead on a machine without one.
``anvil_factory`` starts further anvils a test owns (to stop and restart them).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from contracts.profile import find_anvil
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


class Anvil:
    """One anvil process on 127.0.0.1 (Prague, 60M gas limit); ``state`` keeps its chain across restarts."""

    def __init__(self, binary: str, log_dir: Path, port: int = 0, state: Path | None = None):
        self.binary, self.log_dir, self.port, self.state = binary, log_dir, port, state
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        self.starts = 0

    def start(self, timeout: float = 30.0) -> str:
        self.starts += 1
        log_path = self.log_dir / f"anvil-{self.starts}.log"
        args = [self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--gas-limit", str(ANVIL_BLOCK_GAS_LIMIT),
                "--hardfork", "prague"]
        if self.state is not None:
            args += ["--state", str(self.state)]
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.url = _wait_for_anvil(self.proc, log_path, timeout)
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.url

    def stop(self) -> None:
        """SIGTERM (anvil writes ``--state`` on the way out), then wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


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


def _wait_for_anvil(proc: subprocess.Popen, log_path: Path, timeout: float) -> str:
    import requests

    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"anvil exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
        if url is None:
            match = re.search(r"Listening on (\d+\.\d+\.\d+\.\d+:\d+)", log_path.read_text())
            if match:
                url = f"http://{match.group(1)}"
        if url is not None:
            try:
                body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
                if requests.post(url, json=body, timeout=2).ok:
                    return url
            except requests.RequestException:
                pass
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    pytest.fail(f"anvil did not answer within {timeout} s:\n{log_path.read_text()[-2000:]}")
