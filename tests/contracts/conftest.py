"""Fixtures for contract tests: an embedded py-evm chain (eth-tester, Prague), the harness, and both L1 targets.

``anvil_url`` (shared with the node tests) lives in ``tests/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.compiler import compile_contract


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
