"""Fixtures for contract tests: an embedded py-evm chain (eth-tester, Prague), the harness, and anvil.

``anvil_url`` starts the anvil installed by ``scripts/dev.sh test`` (npm package
``@foundry-rs/anvil`` under ``.tools/``; or ``$ANVIL``, or ``anvil`` on PATH).
When no anvil can be found the tests that need it fail, loudly; set
``SUPERVM_NO_ANVIL=1`` to skip them instead on a machine without one.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from contracts.compiler import compile_contract

ROOT = Path(__file__).resolve().parents[2]
ANVIL_BLOCK_GAS_LIMIT = 60_000_000


@pytest.fixture(scope="module")
def w3():
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import EthereumTesterProvider, Web3

    params = PyEVMBackend.generate_genesis_params(overrides={"gas_limit": 60_000_000})
    return Web3(EthereumTesterProvider(EthereumTester(PyEVMBackend(genesis_parameters=params))))


@pytest.fixture(scope="module")
def harness(w3):
    artifact = compile_contract(Path(__file__).parent / "harness.vy")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    tx = factory.constructor().transact({"from": w3.eth.accounts[0]})
    address = w3.eth.wait_for_transaction_receipt(tx).contractAddress
    return w3.eth.contract(address=address, abi=artifact.abi)


def find_anvil() -> str | None:
    """The anvil binary: $ANVIL, the npm platform package under .tools, its node wrapper, or PATH."""
    if os.environ.get("ANVIL"):
        return os.environ["ANVIL"]
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), "")
    system = {"Linux": "linux", "Darwin": "darwin"}.get(platform.system(), "")
    modules = ROOT / ".tools" / "node_modules"
    for candidate in (modules / "@foundry-rs" / f"anvil-{system}-{arch}" / "bin" / "anvil", modules / ".bin" / "anvil"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("anvil")


@pytest.fixture(scope="session")
def anvil_url(tmp_path_factory):
    """URL of a fresh anvil (Prague, 60M block gas limit) on 127.0.0.1, stopped after the session."""
    binary = find_anvil()
    if binary is None or not os.access(binary, os.X_OK):
        message = f"anvil not found ({binary or 'not installed'}): run ./scripts/dev.sh test (installs @foundry-rs/anvil into .tools) or set $ANVIL"
        if os.environ.get("SUPERVM_NO_ANVIL") == "1":
            pytest.skip(message)
        pytest.fail(message)
    log_path = tmp_path_factory.mktemp("anvil") / "anvil.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", "0", "--gas-limit", str(ANVIL_BLOCK_GAS_LIMIT), "--hardfork", "prague"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        url = _wait_for_anvil(proc, log_path, timeout=30.0)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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
    pytest.fail(f"anvil did not answer within {timeout} s:\n{log_path.read_text()[-2000:]}")


@pytest.fixture(scope="module", params=["embedded", "anvil"])
def l1(request):
    """The same L1 API on both targets: EmbeddedL1 (py-evm) and RpcL1 on anvil."""
    from contracts.chain import EmbeddedL1, RpcL1

    if request.param == "embedded":
        return EmbeddedL1(gas_limit=60_000_000)
    return RpcL1(request.getfixturevalue("anvil_url"))


@pytest.fixture(scope="module")
def burner_artifact():
    return compile_contract(Path(__file__).parent / "gas_burner.vy")


@pytest.fixture(scope="module")
def burner(l1, burner_artifact):
    """The gas-burner test contract deployed on ``l1``."""
    return l1.deploy(burner_artifact)
