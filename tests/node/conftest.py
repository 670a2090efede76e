"""Fixtures for node tests: devnet subprocesses on free ports (always cleaned up), stores, signers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from node.client import NodeClient, Signer
from node.config import DEFAULT_L2_CHAIN_ID
from node.store import Store

ROOT = Path(__file__).resolve().parents[2]


class DevnetProcess:
    """``python -m node.cli devnet`` in its own process group, logging to a file."""

    def __init__(self, data_dir: Path, args: list[str], log_dir: Path):
        self.data_dir = data_dir
        self.args = args
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        self.starts = 0
        self.log_path: Path | None = None
        self.leftovers = False

    def start(self, timeout: float = 180.0, env: dict[str, str] | None = None) -> str:
        """Start (or restart) on a free port with extra ``env``; returns the RPC URL once the banner says it listens."""
        self.starts += 1
        self.log_path = self.log_dir / f"devnet-{id(self)}-{self.starts}.log"
        environment = {k: v for k, v in os.environ.items() if k != "SUPERVM_FAULT"}
        environment.update(env or {})
        environment["PYTHONUNBUFFERED"] = "1"
        command = [sys.executable, "-m", "node.cli", "devnet", "--port", "0", "--data-dir", str(self.data_dir), *self.args]
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=environment, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            match = re.search(r"Listening on (http://127\.0\.0\.1:\d+)", text)
            if match:
                self.url = match.group(1)
                return self.url
            if self.proc.poll() is not None:
                pytest.fail(f"devnet exited with {self.proc.returncode}:\n{text[-3000:]}")
            time.sleep(0.1)
        self.kill()
        pytest.fail(f"devnet did not start within {timeout} s:\n{self.log_path.read_text(errors='replace')[-3000:]}")

    def client(self) -> NodeClient:
        assert self.url is not None
        return NodeClient(self.url)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM and wait for a clean exit; returns the exit status.

        ``self.leftovers`` says whether any process of the node's group was
        still alive 5 s after the node itself exited (before they are killed).
        """
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
            deadline = time.monotonic() + 5
            while self.group_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            self.leftovers = self.group_alive()
            return code
        finally:
            self._reap_group()

    def wait_exit(self, timeout: float) -> int:
        """Wait for the process to end by itself (a fault-injected SIGKILL)."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._reap_group()

    def kill(self) -> None:
        """kill -9 the node and everything it started."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reap_group()

    def _reap_group(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # prover workers, if any survived their parent
        except (ProcessLookupError, PermissionError):
            pass

    def group_alive(self) -> bool:
        """True if any process of the node's group is still running."""
        if self.proc is None:
            return False
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


@pytest.fixture
def devnet_factory(tmp_path):
    """``factory(args, data_dir=None)`` → a :class:`DevnetProcess` (not started); all are killed afterwards."""
    made: list[DevnetProcess] = []

    def factory(args: list[str], data_dir: Path | None = None) -> DevnetProcess:
        node = DevnetProcess(data_dir or tmp_path / f"data-{len(made)}", args, tmp_path)
        made.append(node)
        return node

    yield factory
    for node in made:
        node.kill()


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "node.sqlite")
    yield s
    s.close()


@pytest.fixture
def chain_id() -> int:
    return DEFAULT_L2_CHAIN_ID


@pytest.fixture
def signer(chain_id) -> Signer:
    return Signer.dev(1, chain_id)
