"""Measurements for the capacity model: real proofs, verified by the rollup contract on an L1.

Every :class:`capacity.model.GasPoint` made here is the receipt of a mined
transaction (``Rollup.submit_batch``: verification, journal tree and the
batch record), split by :mod:`contracts.gas`.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from aggregator import BatchReceipt, prove_batch, verify_batch
from aggregator.air import BATCH_ID
from aggregator.batch import execute_members
from aggregator.statement import BatchStatement
from capacity.model import MAX_STATEMENT_BYTES, GasPoint
from contracts.chain import L1Chain, TxResult
from contracts.errors import TransactionTooLargeError
from contracts.rollup import Rollup, statement_bytes
from prover.backends import prove, verify
from prover.receipt import Backend, Receipt
from prover.stark.params import ProofOptions

Progress = Callable[[str], None]
Members = list[tuple[str, list[int]]]
PROOF_STORE_SOURCE = Path(__file__).resolve().parent / "ProofStore.vy"


@dataclass(frozen=True)
class Workload:
    """Batches of fib(n) requests, n drawn uniformly from ``low..high`` (fixed seed)."""

    name: str
    low: int
    high: int

    @property
    def label(self) -> str:
        return f"fib({self.low}..{self.high})"

    def __call__(self, count: int, seed: int = 7) -> Members:
        rng = random.Random(seed)
        return [("fib", [rng.randint(self.low, self.high)]) for _ in range(count)]


#: The workload of ``supervm bench aggregate``: members of 100 to 1,000 steps (segments of 1,024 rows).
MIXED = Workload("mixed", 100, 1000)
#: The original design's main scenario, fib(100..110): segments of 128 rows, so 8× the members per trace row.
SHORT = Workload("short", 100, 110)
WORKLOADS = {w.name: w for w in (MIXED, SHORT)}


def fib_members(count: int, seed: int = 7) -> Members:
    """The workload of ``supervm bench aggregate``: fib(n) with n drawn from 100..1000."""
    return MIXED(count, seed)


def statement_size(members: Members) -> int:
    """Bytes of the batch statement these members would post (executes them; proves nothing)."""
    return len(BatchStatement.from_journals(BATCH_ID, execute_members(members)).to_bytes())


def max_members_by_statement(workload: Callable[[int], Members] = fib_members, limit: int = MAX_STATEMENT_BYTES) -> int:
    """Largest batch of ``workload`` whose statement the rollup contract accepts (``MAX_JOURNAL``)."""
    lo, hi = 1, 1
    while statement_size(workload(hi)) <= limit:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if statement_size(workload(mid)) <= limit else (lo, mid)
    return lo


@dataclass(frozen=True)
class Unsettled:
    """A batch that was proven but could not be settled in one transaction (over the EIP-7825 cap)."""

    members: int
    backend: str
    prove_s: float
    seal_bytes: int
    statement_bytes: int
    needed_gas: int | None  # what the node said it needs, when it could tell (anvil); None on py-evm
    reason: str
    da: str = "calldata"
    workload: str = MIXED.name


def _point(result: TxResult, members: int, receipt: "Receipt | BatchReceipt", backend: str, kind: str, prove_s: float | None,
           trace_rows: int | None, verify_s: float | None = None, da: str = "calldata", workload: str = MIXED.name) -> GasPoint:
    return GasPoint.from_breakdown(
        members, result.gas, statement=statement_bytes(receipt), backend=backend, kind=kind, da=da, workload=workload,
        seal_bytes=len(receipt.seal), prove_s=prove_s, trace_rows=trace_rows, verify_s=verify_s,
    )


def measure_single(rollup: Rollup, program: str, inputs: Sequence[int], backend: str,
                   options: ProofOptions | str | None) -> GasPoint:
    """Prove one execution, time its off-chain verification, settle it; the mined transaction's gas."""
    started = time.perf_counter()
    receipt = prove(program, inputs, backend, options)
    prove_s = time.perf_counter() - started
    verify(receipt, allow_insecure=True)  # warm
    started = time.perf_counter()
    verify(receipt, allow_insecure=True)
    verify_s = time.perf_counter() - started
    rows = 1 << receipt.seal[1] if Backend.parse(backend) == Backend.STARK else None
    result = rollup.submit_batch(rollup.batch_count(), receipt)
    return _point(result, 1, receipt, backend, "single", prove_s, rows, verify_s)


def measure_batches(rollup: Rollup, backend: str, sizes: Sequence[int], options: ProofOptions | str | None,
                    workload: Workload = MIXED, progress: Progress | None = None,
                    verify_off_chain: bool = False, da: str = "calldata") -> tuple[list[GasPoint], list[Unsettled]]:
    """Prove and settle one batch of ``workload`` per size in DA mode ``da``; batches over the EIP-7825 cap come back
    as :class:`Unsettled`."""
    points: list[GasPoint] = []
    unsettled: list[Unsettled] = []
    for n in sizes:
        if progress:
            progress(f"{backend} {da} batch of {n}: proving")
        started = time.perf_counter()
        batch = prove_batch(workload(n), backend, options, da)
        prove_s = time.perf_counter() - started
        verify_s = None
        if verify_off_chain:
            started = time.perf_counter()
            verify_batch(batch, allow_insecure=True)
            verify_s = time.perf_counter() - started
        rows = 1 << batch.seal[1] if Backend.parse(backend) == Backend.STARK else None
        if progress:
            progress(f"{backend} {da} batch of {n}: proved in {prove_s:.2f} s; settling")
        try:
            result = rollup.submit_batch(rollup.batch_count(), batch)
        except TransactionTooLargeError as exc:
            unsettled.append(Unsettled(n, backend, prove_s, len(batch.seal), len(statement_bytes(batch)),
                                       exc.needed, str(exc), da, workload.name))
            if progress:
                progress(f"{backend} {da} batch of {n}: over the EIP-7825 cap, not sent")
            continue
        point = _point(result, n, batch, backend, "batch", prove_s, rows, verify_s, da, workload.name)
        points.append(point)
        if progress:
            progress(f"{backend} {da} batch of {n}: {point.gas_used:,} gas, {point.gas_per_request:,.0f} per request")
    return points, unsettled


def calldata_payload(size: int, seed: int = 215) -> bytes:
    """``size`` bytes as random as a proof's (about 1 in 256 is zero)."""
    return random.Random(seed).randbytes(size)


def send_calldata(chain: L1Chain, data: bytes) -> TxResult:
    """A plain transfer to an account with no code, carrying ``data``: calldata and nothing else."""
    return chain.transact({"to": chain.accounts[-1], "data": data}, sender=chain.accounts[0])


@dataclass(frozen=True)
class StorageCost:
    """Measured cost of keeping bytes in contract storage: gas per 32-byte word written."""

    bytes_small: int
    gas_small: int
    bytes_large: int
    gas_large: int

    @property
    def gas_per_word(self) -> float:
        return (self.gas_large - self.gas_small) / ((self.bytes_large - self.bytes_small) / 32)

    def gas_for(self, size: int) -> float:
        """Gas to store ``size`` bytes, extrapolated along the measured slope (may exceed any one transaction)."""
        return self.gas_large + self.gas_per_word * (size - self.bytes_large) / 32


def measure_storage(chain: L1Chain, small: int = 4096, large: int = 16384) -> StorageCost:
    """Store ``small`` and ``large`` random bytes in fresh slots of a contract; the two transactions' gas."""
    from contracts.compiler import compile_contract

    store = chain.deploy(compile_contract(PROOF_STORE_SOURCE))
    gas_small = chain.transact(store.functions.store(1, calldata_payload(small, 1))).gas_used
    gas_large = chain.transact(store.functions.store(2, calldata_payload(large, 2))).gas_used
    return StorageCost(small, gas_small, large, gas_large)
