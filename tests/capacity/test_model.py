"""The original capacity analysis as executable claims, each computed from gas measured in this run.

Measurements come from the ``measured`` fixture (real proofs verified by the
rollup contract on anvil) or from transactions sent here; the only constants
are Ethereum's rules and the original design's claims under test.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

import pytest

from aggregator import prove_batch
from capacity.errors import CapacityError, MissingMeasurementError
from capacity.measure import fib_members
from capacity.model import (
    BLOB_PROFILE,
    PROFILES,
    ChainProfile,
    GasCurve,
    GasPoint,
    capacity,
    smallest_batch_for,
    verifications_per_block,
)
from contracts import gas as G
from contracts.verifier import verify_request
from prover.backends import prove
from prover.errors import InvalidParametersError

ANVIL_GAS_LIMIT = 60_000_000


@contextlib.contextmanager
def manual_mining(w3, block_gas_limit: int):
    """anvil without automine, at ``block_gas_limit``; afterwards the pool is dropped and automine restored."""

    def rpc(method: str, params: list) -> None:
        response = w3.provider.make_request(method, params)
        assert "error" not in response, response

    rpc("evm_setBlockGasLimit", [hex(block_gas_limit)])
    rpc("evm_setAutomine", [False])
    rpc("evm_mine", [])
    try:
        yield lambda: rpc("evm_mine", [])
    finally:
        rpc("anvil_dropAllTransactions", [])
        rpc("evm_setAutomine", [True])
        rpc("evm_setBlockGasLimit", [hex(ANVIL_GAS_LIMIT)])
        rpc("evm_mine", [])


def fill_block(rollup, journal: bytes, seal: bytes, block_gas_limit: int) -> tuple[int, int, GasPoint, int]:
    """Send more identical verifications than a block can hold, mine one block.

    Returns (transactions in the block, the block's gasUsed, the measured
    point of one verification, the gas limit each was sent with).
    """
    result = rollup.verify_transaction(journal, seal)  # mined on its own: the measured gas of one verification
    point = GasPoint.from_breakdown(1, result.gas, statement=journal)
    chain = rollup.chain
    tx = verify_request(rollup.verifier_for(journal), rollup.airs[journal[:32]].address, journal, seal)
    w3 = chain.w3
    with manual_mining(w3, block_gas_limit) as mine:
        for _ in range(block_gas_limit // point.gas_used + 2):
            w3.eth.send_transaction({**tx, "from": chain.accounts[0], "gas": result.gas_limit})
        mine()
        block = w3.eth.get_block("latest")
    return len(block["transactions"]), int(block["gasUsed"]), point, result.gas_limit


def test_capacity_is_gas_bound_not_time_bound(model, rollup, test_options):
    """A block holds as many verifications as their gas fits; verification time appears nowhere."""
    single = model.single("stark")
    for profile in PROFILES.values():
        count = verifications_per_block(single, profile)
        assert count * single.gas_used <= profile.block_gas_limit < (count + 1) * single.gas_used
        # the original arithmetic (block time / verify time) is not an input: a 1000x slower verifier changes nothing
        slow = replace(single, verify_s=(single.verify_s or 1.0) * 1000)
        assert verifications_per_block(slow, profile) == count
    # and a real block: anvil at 30M takes what the measured gas allows
    receipt = prove("fib", (50,), "stark", test_options)
    included, block_gas, point, sent_limit = fill_block(rollup, receipt.journal.to_bytes(), receipt.seal, 30_000_000)
    predicted = verifications_per_block(point, PROFILES["30M"])
    assert block_gas == included * point.gas_used
    # the model counts gas used; a builder also needs the last transaction's gas limit free, so it may take one fewer
    assert predicted - 1 <= included <= predicted
    assert (included - 1) * point.gas_used + sent_limit <= 30_000_000


def test_doubling_the_gas_limit_doubles_requests_per_block(model, rollup, test_options):
    """30M -> 60M: requests per block double (whole transactions: up to one more batch), in the model and in a real block."""
    for backend in ("stark", "trace"):
        curve = model.curve(backend)
        for p in curve.points:
            r30 = capacity(curve, PROFILES["30M"], p.members).requests_per_block
            r60 = capacity(curve, PROFILES["60M"], p.members).requests_per_block
            assert r30 == (30_000_000 // p.gas_used) * p.members  # measured gas, whole transactions
            assert 2 * r30 <= r60 <= 2 * r30 + p.members
    n = 16
    batch = prove_batch([("fib", [10 + 3 * i]) for i in range(n)], "stark", test_options)
    statement = batch.statement.to_bytes()
    per_block = {}
    for limit in (30_000_000, 60_000_000):
        included, _, point, _ = fill_block(rollup, statement, batch.seal, limit)
        per_block[limit] = included * n
        profile = PROFILES["30M"].with_gas_limit(limit)
        assert verifications_per_block(point, profile) - 1 <= included <= verifications_per_block(point, profile)
    # each count may be one short of the model (gas-limit head-room of the last transaction), hence -n / +3n
    assert 2 * per_block[30_000_000] - n <= per_block[60_000_000] <= 2 * per_block[30_000_000] + 3 * n


def test_gas_per_request_falls_with_n_towards_the_per_member_cost(model):
    """Per-request gas falls with N; its floor is the per-member cost, of which calldata is a measured part."""
    for backend in ("stark", "trace"):
        curve = model.curve(backend)
        points = curve.points
        per_request = [p.gas_per_request for p in points]
        assert all(a > b for a, b in zip(per_request, per_request[1:])), per_request
        marginal = curve.marginal_gas()
        assert marginal > 0 and all(p.gas_per_request > marginal for p in points)
        # the calldata share of the gas grows with N: the fixed verification cost is amortised, calldata is not
        assert points[-1].calldata_gas / points[-1].gas_used > points[0].calldata_gas / points[0].gas_used
        # each member adds its statement bytes to calldata: the per-member floor includes their EIP-2028 price
        a, b = points[-2], points[-1]
        calldata_per_member = (b.calldata_gas - a.calldata_gas) / (b.members - a.members)
        statement_per_member = G.STANDARD_TOKEN_COST * (b.statement_tokens - a.statement_tokens) / (b.members - a.members)
        execution_per_member = (b.execution_gas - a.execution_gas) / (b.members - a.members)
        assert calldata_per_member >= statement_per_member > 0
        assert marginal == pytest.approx(calldata_per_member + execution_per_member)


def test_215_kb_calldata_costs_what_eip2028_and_eip7623_say(measured):
    """A real 215 KB calldata transaction costs 21,000 + max(4, 10) x tokens gas, not the claimed 11M."""
    from capacity.measure import calldata_payload, send_calldata
    from contracts.chain import EmbeddedL1

    payload = calldata_payload(215 * 1024)
    zero = payload.count(0)
    tokens = zero + 4 * (len(payload) - zero)
    eip2028 = 21_000 + 4 * zero + 16 * (len(payload) - zero)
    floor = 21_000 + 10 * tokens
    embedded = send_calldata(EmbeddedL1(), payload).gas
    for gas in (measured["payload"], embedded):  # anvil (in the fixture) and py-evm
        assert gas.gas_used == max(eip2028, floor) == floor
        assert gas.floor_binds and gas.execution_gas == 0 and gas.tokens == tokens
    claimed = 11_000_000
    assert eip2028 < floor < claimed  # the claim is neither calldata price; calldata is all a verifier needs
    storage = measured["storage"]
    assert storage.gas_for(len(payload)) > G.MAX_TX_GAS > claimed  # storing it costs far more, over many transactions


def test_model_batch_size_never_exceeds_the_per_transaction_cap(measured, model, rollup, test_options):
    """The model's largest batch under a cap, proven and settled, stays within the cap; one over the limit is refused."""
    curve = model.curve("stark")
    cap = curve.measured(64).gas_used - 1  # just under a measured batch: the model must choose a size in between
    profile = ChainProfile("scaled cap", 60_000_000, tx_gas_cap=cap)
    limit, reason = curve.max_members(profile)
    assert 16 <= limit < 64 and reason == "per-tx cap"
    assert capacity(curve, profile, 64).batches_per_block == 0 and capacity(curve, profile, 64).binding == "per-tx cap"
    batch = prove_batch(fib_members(limit), "stark", test_options)
    result = rollup.submit_batch(rollup.batch_count(), batch)
    assert result.gas_used <= cap
    # under the real EIP-7825 cap every measured batch was sent, and the model's limit keeps its upper bound under it
    real = PROFILES["60M"]
    assert all(p.gas_used <= G.MAX_TX_GAS for p in curve.points)
    n, _ = curve.max_members(real)
    assert curve.batch_gas(n, real).gas_upper <= G.MAX_TX_GAS


def test_smallest_batch_for_a_target_and_its_prove_time(model):
    """A target set at a measured batch's throughput is reached at that size or below; an unreachable one is reported."""
    curve = model.curve("stark")
    profile = PROFILES["60M"]
    point = curve.measured(16)
    target = capacity(curve, profile, 16).requests_per_second
    found = smallest_batch_for(curve, profile, target)
    assert found.reached and found.capacity.members <= 16
    assert found.capacity.members == 1 or capacity(curve, profile, found.capacity.members - 1).requests_per_second < target
    if found.capacity.members == 16:
        assert found.prove_s == point.prove_s and not found.prove_extrapolated
    limit, _ = curve.max_members(profile)
    best = max(capacity(curve, profile, n).requests_per_second for n in range(1, limit + 1))
    missed = smallest_batch_for(curve, profile, 2 * best)
    assert not missed.reached and missed.capacity.requests_per_second == best


def test_fit_bounds_every_measurement_and_is_non_negative(model):
    for backend in ("stark", "trace"):
        curve = model.curve(backend)
        for fit in (curve.execution, curve.tokens):
            assert min(fit.fixed, fit.per_member, fit.per_log) >= 0
        for p in curve.points:
            assert curve.fitted_gas(p.members) + curve.margin >= p.gas_used
            assert curve.batch_gas(p.members, PROFILES["60M"]).gas_used == p.gas_used  # measured sizes: the receipt


def test_blob_profile_moves_the_statement_out_of_calldata(model):
    curve = model.curve("trace")
    p = curve.points[-1]
    blob = curve.batch_gas(p.members, BLOB_PROFILE)
    assert blob.tokens == p.tokens - p.statement_tokens
    assert blob.execution_gas == p.execution_gas + BLOB_PROFILE.blobs.binding_gas_per_batch
    assert blob.blobs == p.statement_bytes / BLOB_PROFILE.blobs.usable_bytes_per_blob
    assert blob.gas_used == 21_000 + 4 * blob.tokens + blob.execution_gas  # execution dominates: no floor


def test_root_only_gas_hardly_grows_with_the_batch(model):
    """Root-only batches post no member data: 4x the members costs far less than 4x the gas (the trace is 8x longer)."""
    with pytest.raises(InvalidParametersError):
        prove_batch([("fib", [10])], "trace", da="root")
    with pytest.raises(MissingMeasurementError):
        model.curve("trace", "root")
    one, four = model.curve("stark", "root").points[:2]
    assert (one.members, four.members) == (1, 4) and one.statement_bytes == four.statement_bytes
    assert one.gas_used < four.gas_used < 1.5 * one.gas_used
    assert four.gas_per_request < 0.4 * one.gas_per_request
    with pytest.raises(MissingMeasurementError):
        GasCurve([])


def test_each_workload_is_its_own_curve(model):
    """Root-only batches of short members (128-row segments) and of mixed ones (1,024-row segments) are fitted apart:
    the same N is a different trace, so one curve over both would mix two shapes."""
    mixed, short = model.curve("stark", "root", "mixed"), model.curve("stark", "root", "short")
    assert (mixed.workload, short.workload) == ("mixed", "short")
    assert all(p.workload == "short" for p in short.points) and all(p.workload == "mixed" for p in mixed.points)
    assert short.points[-1].trace_rows < mixed.points[-1].trace_rows  # four members: 4 x 128 rows against 4 x 1,024
    with pytest.raises(CapacityError):
        GasCurve(mixed.points + short.points)
    assert capacity(short, PROFILES["60M"], 4).workload == "short"
    with pytest.raises(MissingMeasurementError):
        model.curve("stark", "calldata", "short")
