"""Fixtures for contract tests: an embedded py-evm chain (eth-tester, Prague) and the harness."""

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
