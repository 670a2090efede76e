"""The embedded L1 process: it starts, serves eth_* and its own dry-run estimation, maps errors, stops."""

from __future__ import annotations

import pytest

from contracts.errors import TransactionRevertedError
from node.l1host import start_host
from node.signing import dev_accounts


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    l1 = start_host(tmp_path_factory.mktemp("host") / "l1.sqlite", 30_000_000, 10)
    yield l1
    l1.stop()
    assert l1.process.poll() is not None


def test_accounts_and_transfer_with_exact_gas(hosted):
    assert hosted.accounts[:2] == [a.address for a in dev_accounts(2)]
    result = hosted.transact({"to": hosted.accounts[1], "value": 7, "data": b""})
    assert result.gas_used == 21_000 and result.gas.execution_exact
    assert hosted.w3.eth.get_balance(hosted.accounts[1]) >= 7


def test_revert_reason_crosses_the_process(hosted, burner_artifact_path):
    from contracts.compiler import compile_contract

    burner = hosted.deploy(compile_contract(burner_artifact_path))
    functions = [f["name"] for f in burner.abi if f.get("type") == "function"]
    assert functions  # the gas burner deploys and is callable over JSON-RPC
    with pytest.raises(TransactionRevertedError):
        hosted.transact({"to": burner.address, "data": b"\xde\xad\xbe\xef"})  # no such function: reverts


@pytest.fixture(scope="module")
def burner_artifact_path():
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "contracts" / "gas_burner.vy"
