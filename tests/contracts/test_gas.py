"""Gas formula (EIP-2028, EIP-7623 floor, EIP-3860, EIP-7825) against gasUsed measured on py-evm and anvil."""

from __future__ import annotations

import random

import pytest

from contracts import gas as G
from contracts.errors import TransactionTooLargeError


def test_calldata_counts_and_tokens():
    data = b"\x00\x01\x00\xff\x10"
    assert G.calldata_counts(data) == (2, 3)
    assert G.calldata_tokens(data) == 2 + 12
    assert G.calldata_gas(data) == 2 * 4 + 3 * 16
    assert G.intrinsic_gas(data) == 21_000 + 56
    assert G.floor_gas(data) == 21_000 + 140
    assert G.intrinsic_gas(b"") == G.floor_gas(b"") == 21_000


def test_creation_costs():
    code = b"\x01" * 33  # two initcode words
    assert G.creation_gas(code) == 32_000 + 2 * 2
    assert G.intrinsic_gas(code, create=True) == 21_000 + 33 * 16 + 32_004
    # the floor ignores creation costs
    assert G.floor_gas(code) == 21_000 + 10 * 33 * 4
    assert G.predict_gas_used(code, 100, create=True) == G.intrinsic_gas(code, create=True) + 100


def test_predicted_gas_used_switches_at_the_floor():
    data = bytes(range(1, 101))  # 100 non-zero bytes: 400 tokens
    assert G.intrinsic_gas(data) == 21_000 + 1_600 and G.floor_gas(data) == 25_000
    assert G.predict_gas_used(data, 0) == 25_000
    assert G.predict_gas_used(data, 2_400) == 25_000  # 6 * tokens: exactly at the floor
    assert G.predict_gas_used(data, 2_401) == 25_001


def test_breakdown_not_binding():
    data = bytes(range(1, 101))
    b = G.breakdown(data, 30_000)
    assert not b.floor_binds and b.execution_exact and b.execution_gas == 30_000 - 22_600
    assert (b.calldata_bytes, b.zero_bytes, b.nonzero_bytes, b.tokens) == (100, 0, 100, 400)
    assert b.fits_cap and b.floor_surcharge == 0


def test_breakdown_at_the_floor():
    data = bytes(range(1, 101))
    unknown = G.breakdown(data, 25_000)
    assert unknown.floor_binds and not unknown.execution_exact
    assert unknown.execution_gas == 6 * 400  # upper bound
    known = G.breakdown(data, 25_000, execution_gas=1_000)
    assert known.floor_binds and known.execution_exact and known.execution_gas == 1_000
    assert known.floor_surcharge == 25_000 - 22_600 - 1_000
    with pytest.raises(ValueError):
        G.breakdown(data, 25_000, execution_gas=2_401)
    with pytest.raises(ValueError):
        G.breakdown(data, 24_999)
    assert not G.breakdown(b"", 21_000).floor_binds


def test_estimates_and_cap():
    data = b"\x01" * 1000
    assert G.estimate_gas_with_floor(21_000, data) == G.floor_gas(data)
    assert G.estimate_gas_with_floor(10**6, data) == 10**6
    assert G.gas_limit_for(data, 0) == G.floor_gas(data)
    assert G.gas_limit_for(data, 320_000) == G.intrinsic_gas(data) + 320_000 + 10_000 + 10_000
    G.check_cap(G.MAX_TX_GAS)
    with pytest.raises(TransactionTooLargeError) as info:
        G.check_cap(G.MAX_TX_GAS + 1)
    assert info.value.needed == G.MAX_TX_GAS + 1 and info.value.cap == 2**24
    assert not G.breakdown(b"", G.MAX_TX_GAS + 1).fits_cap


def _mix(length: int, zero_fraction: float, seed: int) -> bytes:
    rng = random.Random(seed)
    return bytes(0 if rng.random() < zero_fraction else rng.randrange(1, 256) for _ in range(length))


# keccak rounds: ~96 gas each; 2 KiB of non-zero calldata gives 6 * tokens ~ 50k
@pytest.mark.parametrize("rounds", [0, 200, 800])
def test_formula_matches_measured_gas(l1, burner, rounds):
    executions = set()
    for zero_fraction in (0.0, 0.3, 0.7, 1.0):
        payload = _mix(2048, zero_fraction, seed=rounds)
        fn = burner.functions.burn(payload, rounds)
        data = bytes.fromhex(fn._encode_transaction_data()[2:])
        result = l1.transact(fn)
        b = result.gas
        assert (b.calldata_bytes, b.tokens) == (len(data), G.calldata_tokens(data))
        assert b.execution_exact  # measured by dry run (embedded) or trace (anvil) when the floor binds
        assert result.gas_used == G.predict_gas_used(data, b.execution_gas)
        assert b.floor_binds == (G.intrinsic_gas(data) + b.execution_gas < G.floor_gas(data))
        if b.floor_binds:
            assert result.gas_used == G.floor_gas(data)
        else:
            assert result.gas_used == G.intrinsic_gas(data) + b.execution_gas
        assert result.gas_limit >= result.gas_used
        executions.add(b.execution_gas)
        if rounds == 0:
            assert b.floor_binds
        if rounds == 800:
            assert not b.floor_binds
    assert len(executions) == 1  # execution does not depend on the calldata's content


def test_floor_binding_depends_on_the_mix(l1, burner):
    nonzero = l1.transact(burner.functions.burn(_mix(2048, 0.0, 1), 200)).gas
    zeros = l1.transact(burner.functions.burn(bytes(2048), 200)).gas
    assert nonzero.floor_binds and not zeros.floor_binds
    assert nonzero.execution_gas == zeros.execution_gas


def test_deployment_gas(l1, burner_artifact):
    contract, result = l1.deploy_with_result(burner_artifact)
    b = result.gas
    assert b.is_create and not b.floor_binds and b.execution_exact
    assert b.intrinsic == G.intrinsic_gas(burner_artifact.bytecode, create=True)
    # execution includes code deposit: 200 gas per runtime byte
    assert b.execution_gas > 200 * burner_artifact.runtime_size
    assert l1.w3.eth.get_code(contract.address) != b""


def test_pyevm_estimate_ignores_the_floor(l1, burner):
    """py-evm's own estimate_gas is below the floor for floor-bound calls; anvil's is not."""
    fn = burner.functions.burn(_mix(2048, 0.0, 2), 0)
    data = bytes.fromhex(fn._encode_transaction_data()[2:])
    params = {"from": l1.accounts[0], "to": burner.address, "data": "0x" + data.hex()}
    node_estimate = l1.w3.eth.estimate_gas(params)
    if type(l1).__name__ == "EmbeddedL1":
        assert node_estimate < G.floor_gas(data)
    else:
        assert node_estimate == G.floor_gas(data)
    assert G.estimate_gas_with_floor(node_estimate, data) == G.floor_gas(data)
    assert l1.estimate_gas(fn) >= G.floor_gas(data)


def test_floor_bound_execution_is_net_of_refunds(l1, burner):
    """Clearing slots earns refunds; at the floor the measured execution is net of them on both chains."""
    l1.transact(burner.functions.fill(500_000, 4))
    fn = burner.functions.clear(500_000, 2, b"\x01" * 3000)
    data = bytes.fromhex(fn._encode_transaction_data()[2:])
    b = l1.transact(fn).gas
    assert b.floor_binds and b.execution_exact and b.gas_used == G.floor_gas(data)
    # two resets (cold: 2,100 + 2,900 each) alone cost 10,000 before the 2 * 4,800 refunds
    assert b.execution_gas < 10_000 - 4_800
    # without the floor, the refund is capped at a fifth of gasUsed (EIP-3529), which depends on calldata
    nonfloor = l1.transact(burner.functions.clear(500_002, 2, b"")).gas
    assert not nonfloor.floor_binds and nonfloor.execution_gas > b.execution_gas
