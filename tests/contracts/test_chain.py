"""The L1 layer on the embedded chain and on anvil: deploy, transact, call, reverts, the EIP-7825 cap."""

from __future__ import annotations

import pytest

from contracts import gas as G
from contracts.chain import EmbeddedL1, RpcL1, decode_revert
from contracts.errors import L1Error, L1UnavailableError, TransactionRevertedError, TransactionTooLargeError
from prover.errors import SuperVMError

# anvil's first dev account (the well-known test mnemonic); funded on every anvil
ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def _nonce(l1):
    return l1.w3.eth.get_transaction_count(l1.accounts[0])


def test_basics(l1, burner):
    assert len(l1.accounts) >= 2
    assert l1.chain_id > 0
    assert l1.block_gas_limit == 60_000_000
    assert burner.functions.burn(b"ab", 3).call() == l1.call(burner.functions.burn(b"ab", 3))
    raw = l1.call({"to": burner.address, "data": burner.functions.burn(b"", 0)._encode_transaction_data()})
    assert raw == bytes(32)


def test_transact_result(l1, burner):
    result = l1.transact(burner.functions.fill(10_000, 3), sender=l1.accounts[1])
    assert result.receipt["status"] == 1 and result.tx_hash.startswith("0x")
    assert result.gas_limit >= result.gas_used > 3 * 22_100
    assert burner.functions.filled(10_002).call() == 1
    assert l1.w3.eth.get_transaction(result.tx_hash)["from"] == l1.accounts[1]
    assert l1.w3.eth.get_transaction(result.tx_hash)["gas"] == result.gas_limit


@pytest.mark.parametrize("how", ["call", "transact"])
def test_revert_reason(l1, burner, how):
    nonce = _nonce(l1)
    with pytest.raises(TransactionRevertedError) as info:
        getattr(l1, how)(burner.functions.fail("boom"))
    assert info.value.reason == "boom" and "boom" in str(info.value)
    assert isinstance(info.value, SuperVMError)
    with pytest.raises(TransactionRevertedError) as info:
        getattr(l1, how)(burner.functions.fail(""))
    assert info.value.reason is None
    assert _nonce(l1) == nonce  # nothing was sent


def test_revert_of_a_mined_transaction(l1, burner):
    """With an explicit gas limit there is no pre-flight: the receipt's status 0 becomes the error."""
    with pytest.raises(TransactionRevertedError) as info:
        l1.transact(burner.functions.fail("mined"), gas=100_000)
    assert info.value.tx_hash is not None and info.value.gas_used > 21_000
    assert info.value.reason == "mined"


def test_decode_revert():
    assert decode_revert(b"") is None
    assert decode_revert(bytes.fromhex("4e487b71") + (0x11).to_bytes(32, "big")) == "Panic(0x11)"
    assert decode_revert(b"\x12\x34") == "0x1234"


def test_refuses_explicit_gas_above_the_cap(l1, burner):
    nonce = _nonce(l1)
    with pytest.raises(TransactionTooLargeError):
        l1.transact(burner.functions.burn(b"", 0), gas=G.MAX_TX_GAS + 1)
    assert _nonce(l1) == nonce


def test_refuses_execution_above_the_cap(l1, burner):
    nonce = _nonce(l1)
    with pytest.raises(TransactionTooLargeError):  # 760 fresh slots: ~16.9M gas
        l1.transact(burner.functions.fill(100_000, 760))
    with pytest.raises(TransactionTooLargeError):
        l1.estimate_gas(burner.functions.fill(100_000, 760))
    assert _nonce(l1) == nonce
    result = l1.transact(burner.functions.fill(200_000, 700))  # ~15.6M gas: fits
    assert result.gas.fits_cap and result.gas_limit <= G.MAX_TX_GAS


def test_refuses_calldata_above_the_cap(l1, burner):
    """420 KB of non-zero calldata: the EIP-7623 floor alone exceeds the cap; refused without executing."""
    data = b"\x01" * 420_000
    assert G.floor_gas(data) > G.MAX_TX_GAS
    nonce = _nonce(l1)
    with pytest.raises(TransactionTooLargeError):
        l1.transact({"to": burner.address, "data": data})
    assert _nonce(l1) == nonce


def test_gas_below_the_floor_is_refused(l1, burner):
    fn = burner.functions.burn(b"\x01" * 1000, 0)
    with pytest.raises(L1Error):
        l1.transact(fn, gas=50_000)


def test_snapshot_and_revert(l1, burner):
    snap = l1.snapshot()
    l1.transact(burner.functions.fill(300_000, 1))
    assert burner.functions.filled(300_000).call() == 1
    l1.revert(snap)
    assert burner.functions.filled(300_000).call() == 0


def test_rpc_with_a_private_key(anvil_url, burner_artifact):
    chain = RpcL1(anvil_url, private_keys=[ANVIL_KEY_0])
    assert chain.accounts == ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"]
    contract = chain.deploy(burner_artifact)
    result = chain.transact(contract.functions.fill(0, 2))
    assert result.receipt["status"] == 1 and contract.functions.filled(1).call() == 1


def test_unreachable_node():
    with pytest.raises(L1UnavailableError):
        RpcL1("http://127.0.0.1:9", timeout=2)


@pytest.fixture(scope="module")
def both(anvil_url):
    return EmbeddedL1(), RpcL1(anvil_url)


def test_gas_used_agrees_embedded_and_anvil(both, burner_artifact):
    """The same transactions cost the same gas on py-evm and on anvil, floor-bound or not."""
    embedded, anvil = both
    contracts = []
    deployments = []
    for chain in both:
        contract, result = chain.deploy_with_result(burner_artifact)
        contracts.append(contract)
        deployments.append(result.gas)
    assert deployments[0] == deployments[1]
    calls = [
        lambda c: c.functions.burn(b"\x01" * 3000, 0),  # floor binds
        lambda c: c.functions.burn(bytes(3000), 0),  # zeros: floor still binds (no execution)
        lambda c: c.functions.burn(b"\x07" * 100, 500),  # execution dominates
        lambda c: c.functions.fill(0, 20),  # cold storage writes
        lambda c: c.functions.fill(10, 20),  # slots 10..19 already set: 5,000 each, 20..29 fresh
        lambda c: c.functions.clear(0, 3, b"\x01" * 3000),  # refunds at the floor (trace + refund tracer on anvil)
        lambda c: c.functions.clear(3, 3, b""),  # refunds capped at gasUsed / 5
    ]
    for make in calls:
        results = [chain.transact(make(c)).gas for chain, c in zip(both, contracts)]
        assert results[0] == results[1], make(contracts[0])


def test_embedded_block_gas_limit_below_the_cap(burner_artifact):
    chain = EmbeddedL1(gas_limit=5_000_000)
    assert chain.block_gas_limit == 5_000_000
    contract = chain.deploy(burner_artifact)
    with pytest.raises(TransactionTooLargeError, match="block gas limit"):
        chain.transact(contract.functions.fill(0, 300))  # ~6.6M gas
    assert chain.transact(contract.functions.fill(0, 100)).gas_limit <= 5_000_000


def test_rejected_transaction_is_an_l1_error(anvil_url, burner_artifact):
    poor = RpcL1(anvil_url, private_keys=["0x" + "11" * 32])  # an account with no ether
    with pytest.raises(L1Error) as info:
        poor.deploy(burner_artifact)
    assert not isinstance(info.value, (TransactionRevertedError, TransactionTooLargeError))
