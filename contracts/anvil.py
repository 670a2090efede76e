"""A local anvil node (Prague rules) on 127.0.0.1: find the binary, start it, wait until it answers, stop it.

Used by the gas profiler (``contracts.profile.local_anvil``) and by the test
fixtures that run the L1 suite against an external node.  anvil comes from
the npm package ``@foundry-rs/anvil``, which ``scripts/dev.sh test`` installs
under ``.tools/``.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from contracts.compiler import CONTRACTS_DIR
from contracts.errors import L1UnavailableError

ROOT = CONTRACTS_DIR.parent
#: How anvil announces the address it bound (with ``--port 0`` the only way to learn the port).
_LISTENING = re.compile(r"Listening on (\d+\.\d+\.\d+\.\d+:\d+)")


def find_anvil() -> str | None:
    """The anvil binary: $ANVIL, the npm package under .tools (``scripts/dev.sh test`` installs it), or PATH."""
    if os.environ.get("ANVIL"):
        return os.environ["ANVIL"]
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), "")
    system = {"Linux": "linux", "Darwin": "darwin"}.get(platform.system(), "")
    modules = ROOT / ".tools" / "node_modules"
    for candidate in (modules / "@foundry-rs" / f"anvil-{system}-{arch}" / "bin" / "anvil", modules / ".bin" / "anvil"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("anvil")


class AnvilNode:
    """One anvil process; ``port`` 0 lets anvil choose, ``state`` keeps its chain across restarts.

    Each start writes its output to ``log_dir/anvil-<n>.log`` (kept), or to a
    temporary file removed on :meth:`stop` when no ``log_dir`` is given.
    """

    def __init__(
        self,
        binary: str | None = None,
        port: int = 0,
        gas_limit: int = 60_000_000,
        state: Path | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.binary = binary
        self.port = port
        self.gas_limit = gas_limit
        self.state = state
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        self.log_path: Path | None = None
        self.starts = 0

    def start(self, timeout: float = 30.0) -> str:
        """Start anvil and return its URL once it answers ``eth_chainId``; L1UnavailableError otherwise."""
        binary = self.binary or find_anvil()
        if binary is None or not os.access(binary, os.X_OK):
            raise L1UnavailableError(
                f"anvil not found ({binary or 'not installed'}): run ./scripts/dev.sh test "
                "(installs @foundry-rs/anvil into .tools) or set $ANVIL"
            )
        self.starts += 1
        if self.log_dir is not None:
            self.log_path = Path(self.log_dir) / f"anvil-{self.starts}.log"
        else:
            fd, name = tempfile.mkstemp(prefix="anvil-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        args = [binary, "--host", "127.0.0.1", "--port", str(self.port), "--gas-limit", str(self.gas_limit), "--hardfork", "prague"]
        if self.state is not None:
            args += ["--state", str(self.state)]
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            self.url = self._wait(timeout)
        except L1UnavailableError:
            self.stop()
            raise
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.url

    def stop(self) -> None:
        """SIGTERM (anvil writes ``--state`` on the way out), then wait; a temporary log is removed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log_dir is None and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> "AnvilNode":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:] if self.log_path else ""
        except OSError:
            return ""

    def _wait(self, timeout: float) -> str:
        import requests

        assert self.proc is not None
        deadline = time.monotonic() + timeout
        url = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise L1UnavailableError(f"anvil exited with {self.proc.returncode}:\n{self._log_tail()}")
            if url is None:
                match = _LISTENING.search(self._log_tail() if self.log_path else "")
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
        raise L1UnavailableError(f"anvil did not answer within {timeout} s:\n{self._log_tail()}")
