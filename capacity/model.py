"""Block capacity and settled throughput derived from measured L1 gas.

Every figure here comes from :class:`GasPoint` measurements: transactions that
really verified a proof (one execution, or a batch of N) on an L1, with the
gas split that :mod:`contracts.gas` computes from the receipt.  A
:class:`ChainProfile` says what the L1 allows (block gas limit, block time,
EIP-7825 per-transaction cap, EIP-7623 floor, optionally EIP-4844 blobs), and
:func:`capacity` derives verifications and requests per block, settled
requests per second and per day, L1 gas and ETH per request, and the
constraint that binds.

Capacity is bound by gas: a block holds as many verifications as their gas
fits under its limit.  How long a verifier takes to run (the original
design's "12 s / 24.5 ms") appears nowhere in it; :func:`time_bound_per_block`
computes that figure only to set it beside the gas-bound one.

Between measured batch sizes, :class:`GasCurve` fits execution gas and
calldata tokens to ``fixed + per_member * N + per_log * ceil(log2 N)`` (a
batch trace and its journal tree are padded to powers of two) and
recombines them under the profile's rules, so a profile that changes the
calldata (blobs) or drops the floor is answered from the same measurements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

import numpy as np

from capacity.errors import CapacityError, InfeasibleBatchError, MissingMeasurementError
from contracts import gas as G
from contracts.gas import GasBreakdown

SECONDS_PER_DAY = 86_400
#: Largest batch statement Rollup.vy takes (``MAX_JOURNAL``).
MAX_STATEMENT_BYTES = 32_768
#: EIP-4844: blob gas of one blob.
GAS_PER_BLOB = 1 << 17
#: EIP-4844: gas of the point-evaluation precompile (0x0A).
POINT_EVALUATION_GAS = 50_000
#: EIP-4844 blob: 4096 field elements; 31 bytes each in the usual encoding.
BLOB_USABLE_BYTES = 4096 * 31


@dataclass(frozen=True)
class GasPoint:
    """One measured L1 transaction that verified ``members`` requests (1 for a single proof).

    ``verify_s`` (off-chain verification time) is kept only to compare with
    the original design's time-based figure; no capacity figure uses it.
    """

    members: int
    gas_used: int
    intrinsic: int
    calldata_gas: int
    execution_gas: int
    calldata_bytes: int
    tokens: int
    floor_binds: bool
    backend: str = "stark"
    da: str = "calldata"
    workload: str = "mixed"  # the member sizes: a key of capacity.measure.WORKLOADS
    kind: str = "batch"  # "batch" or "single"
    statement_bytes: int = 0
    statement_tokens: int = 0
    seal_bytes: int = 0
    prove_s: float | None = None
    trace_rows: int | None = None
    verify_s: float | None = None

    @classmethod
    def from_breakdown(cls, members: int, gas: GasBreakdown, *, statement: bytes = b"", **extra: object) -> "GasPoint":
        """A point from a transaction's :class:`GasBreakdown` and the statement bytes it carried."""
        return cls(
            members=members,
            gas_used=gas.gas_used,
            intrinsic=gas.intrinsic,
            calldata_gas=gas.calldata_gas,
            execution_gas=gas.execution_gas,
            calldata_bytes=gas.calldata_bytes,
            tokens=gas.tokens,
            floor_binds=gas.floor_binds,
            statement_bytes=len(statement),
            statement_tokens=G.calldata_tokens(statement),
            **extra,  # type: ignore[arg-type]
        )

    @property
    def gas_per_request(self) -> float:
        return self.gas_used / self.members

    @property
    def floor_gas(self) -> int:
        return G.TX_BASE_GAS + G.TOTAL_COST_FLOOR_PER_TOKEN * self.tokens


@dataclass(frozen=True)
class BlobProfile:
    """EIP-4844 data: the batch statement goes to blobs instead of calldata.

    Assumptions (not measured: the AIR and contract changes are not built):
    statements are packed 31 bytes per field element (126,976 bytes per
    blob), several batches sharing a blob; each batch transaction binds its
    statement to the blob with one call of the point-evaluation precompile
    (50,000 gas); the rest of the execution gas stays as measured in
    calldata mode; blob gas is a separate market, not counted against the
    block gas limit, and the sustainable blob space is the *target* blobs per
    block (above it the blob base fee rises).  Defaults are Pectra's
    (EIP-7691: target 6, max 9).
    """

    name: str = "Pectra blobs (EIP-7691)"
    target_blobs_per_block: int = 6
    max_blobs_per_block: int = 9
    usable_bytes_per_blob: int = BLOB_USABLE_BYTES
    binding_gas_per_batch: int = POINT_EVALUATION_GAS


@dataclass(frozen=True)
class ChainProfile:
    """What an L1 allows: block gas limit, block time, EIP-7825 cap, EIP-7623 floor, optional blobs.

    ``block_share`` is the fraction of each block (and of the blob target)
    the rollup may use; 1.0 gives the upper bound of a rollup that has the
    chain to itself.
    """

    name: str
    block_gas_limit: int
    block_time_s: float = 12.0
    tx_gas_cap: int | None = G.MAX_TX_GAS
    calldata_floor: bool = True
    blobs: BlobProfile | None = None
    block_share: float = 1.0

    def __post_init__(self) -> None:
        if self.block_gas_limit <= G.TX_BASE_GAS or self.block_time_s <= 0 or not 0 < self.block_share <= 1:
            raise CapacityError(f"invalid chain profile {self.name!r}")

    @property
    def usable_block_gas(self) -> int:
        return int(self.block_gas_limit * self.block_share)

    @property
    def tx_gas_limit(self) -> int:
        """Most gas one transaction may use: the cap, and never more than the block."""
        cap = self.tx_gas_cap if self.tx_gas_cap is not None else self.block_gas_limit
        return min(cap, self.block_gas_limit)

    def with_gas_limit(self, gas_limit: int, name: str | None = None) -> "ChainProfile":
        return replace(self, block_gas_limit=gas_limit, name=name or f"{gas_limit / 1e6:g}M")


#: Ethereum's block gas limits over time, each under today's rules (EIP-7623 floor, EIP-7825 cap),
#: so that only the limit changes between them.
PROFILES: dict[str, ChainProfile] = {
    "30M": ChainProfile("30M", 30_000_000),
    "36M": ChainProfile("36M", 36_000_000),
    "45M": ChainProfile("45M", 45_000_000),
    "60M": ChainProfile("60M", 60_000_000),
}
BLOB_PROFILE = ChainProfile("60M + blobs", 60_000_000, blobs=BlobProfile())


def time_bound_per_block(verify_s: float, block_time_s: float = 12.0) -> float:
    """The original design's figure: block time divided by one verification's wall time (not a capacity)."""
    return block_time_s / verify_s


def tx_gas(tokens: float, execution: float, floor: bool = True) -> int:
    """gasUsed of a call with ``tokens`` calldata tokens and ``execution`` gas (EIP-2028, EIP-7623)."""
    standard = G.TX_BASE_GAS + G.STANDARD_TOKEN_COST * tokens + execution
    if not floor:
        return math.ceil(standard)
    return math.ceil(max(standard, G.TX_BASE_GAS + G.TOTAL_COST_FLOOR_PER_TOKEN * tokens))


def _steps(n: float | np.ndarray) -> float | np.ndarray:
    """log2(N) rounded up: batch traces and journal trees are padded to powers of two, so gas steps there."""
    return np.ceil(np.log2(n) - 1e-9)


def _basis(n: np.ndarray, terms: int) -> np.ndarray:
    cols = [np.ones_like(n), n, _steps(n)][:terms]
    return np.stack(cols, axis=1)


@dataclass(frozen=True)
class Fit:
    """``fixed + per_member * N + per_log * ceil(log2(N))`` by least squares."""

    fixed: float
    per_member: float
    per_log: float = 0.0

    @classmethod
    def of(cls, xs: Sequence[int], ys: Sequence[float]) -> "Fit":
        """Non-negative least squares: gas never falls as a batch grows, so no term may be negative.

        With three terms and few points an unconstrained fit can trade a
        negative per-member slope against the log term and extrapolate to
        nonsense; this one tries every subset of the terms and keeps the best
        fit whose coefficients are all >= 0.
        """
        n = np.asarray(xs, dtype=float)
        y = np.asarray(ys, dtype=float)
        distinct = len(set(xs))
        if distinct < 2:
            raise MissingMeasurementError("a gas fit needs measurements at two batch sizes or more")
        basis = _basis(n, 3 if distinct >= 3 else 2)
        best: tuple[float, list[float]] | None = None
        terms = basis.shape[1]
        for mask in range(1, 1 << terms):
            cols = [i for i in range(terms) if mask >> i & 1]
            coef, *_ = np.linalg.lstsq(basis[:, cols], y, rcond=None)
            if (coef < 0).any():
                continue
            full = [0.0] * 3
            for i, c in zip(cols, coef):
                full[i] = float(c)
            error = float(np.sum((basis[:, cols] @ coef - y) ** 2))
            if best is None or error < best[0]:
                best = (error, full)
        if best is None:  # only when every measurement is negative: not gas
            raise CapacityError("cannot fit negative measurements")
        return cls(*best[1])

    def __call__(self, n: float) -> float:
        return self.fixed + self.per_member * n + self.per_log * float(_steps(n))

    def describe(self, unit: str = "gas") -> str:
        return f"{self.fixed:,.0f} + {self.per_member:,.1f}·N + {self.per_log:,.0f}·⌈log2 N⌉ {unit}"


@dataclass(frozen=True)
class BatchGas:
    """Gas of one batch transaction of ``members`` requests under a profile."""

    members: int
    gas_used: int
    gas_upper: int  # what a cap check must use: measured, or the fit raised by its largest residual and the head-room
    tokens: int
    execution_gas: int
    blobs: float  # blob space the statement takes (shared blobs: a fraction of one)
    floor_binds: bool
    measured: bool
    statement_bytes: int


@dataclass(frozen=True)
class Capacity:
    """What a profile settles with batches of ``members`` requests, and what binds it."""

    profile: str
    backend: str
    da: str
    members: int
    gas_per_batch: int
    blobs_per_batch: float
    batches_per_block: int
    requests_per_block: int
    requests_per_second: float
    requests_per_day: float
    gas_per_request: float
    eth_per_request: float
    binding: str  # "block gas", "calldata floor", "blob space", "per-tx cap", "block gas limit"
    measured: bool
    extrapolated: bool = False  # larger than every measured batch: the fit beyond its data
    workload: str = "mixed"

    @property
    def feasible(self) -> bool:
        return self.batches_per_block > 0


@dataclass(frozen=True)
class TargetResult:
    """The smallest batch size that reaches a target throughput under a profile (or the best there is)."""

    target_rps: float
    profile: str
    reached: bool
    capacity: Capacity  # at the smallest size reaching the target, else at the best size
    max_members: int
    batch_size_limit: str  # what stops batches growing: "per-tx cap", "block gas limit", "statement limit"
    prove_s: float | None
    prove_extrapolated: bool


@dataclass
class ProveTimeModel:
    """Measured prove time against batch size, interpolated log-log between measurements."""

    points: list[tuple[int, float]] = field(default_factory=list)

    def estimate(self, members: int) -> tuple[float, bool] | None:
        """(seconds, extrapolated) for a batch of ``members``; None without measurements."""
        pts = sorted({n: s for n, s in self.points if s and s > 0}.items())
        if not pts:
            return None
        if len(pts) == 1:
            return pts[0][1], members != pts[0][0]
        for n, s in pts:
            if n == members:
                return s, False
        lo, hi = (pts[0], pts[1]) if members < pts[0][0] else (pts[-2], pts[-1])
        extrapolated = not pts[0][0] <= members <= pts[-1][0]
        for a, b in zip(pts, pts[1:]):
            if a[0] <= members <= b[0]:
                lo, hi = a, b
                break
        slope = math.log(hi[1] / lo[1]) / math.log(hi[0] / lo[0])
        return lo[1] * (members / lo[0]) ** slope, extrapolated


class GasCurve:
    """Measured batch transactions of one backend and DA mode, and the fitted gas(N) between them.

    For a size that was not measured, a cap check uses the fit raised by its
    largest residual and by ``headroom``: two proofs of the same shape differ
    in size (the query positions decide how many Merkle nodes they share),
    which moves a batch's gas by about 1 %, and the fit cannot see that.
    """

    def __init__(self, points: Iterable[GasPoint], statement_limit: int = MAX_STATEMENT_BYTES,
                 max_extrapolation: float | None = 2.0, headroom: float = 0.03):
        pts = sorted(points, key=lambda p: p.members)
        if not pts:
            raise MissingMeasurementError("no measured transactions")
        keys = {(p.backend, p.da, p.workload) for p in pts}
        if len(keys) != 1:
            raise CapacityError(f"one curve per backend, DA mode and workload, got {sorted(keys)}")
        self.backend, self.da, self.workload = keys.pop()
        self.points = pts
        self.statement_limit = statement_limit
        self.max_extrapolation = max_extrapolation
        self.headroom = headroom
        xs = [p.members for p in pts]
        self.execution = Fit.of(xs, [p.execution_gas for p in pts])
        self.tokens = Fit.of(xs, [p.tokens for p in pts])
        self.statement_bytes = Fit.of(xs, [p.statement_bytes for p in pts])
        self.statement_tokens = Fit.of(xs, [p.statement_tokens for p in pts])
        self.margin = max(0, max(p.gas_used - tx_gas(self.tokens(p.members), self.execution(p.members)) for p in pts))
        self.prove_time = ProveTimeModel([(p.members, p.prove_s) for p in pts if p.prove_s is not None])

    def measured(self, members: int) -> GasPoint | None:
        return next((p for p in self.points if p.members == members), None)

    def fitted_gas(self, members: int) -> int:
        """gas(N) of the fit under Ethereum's rules (floor applied)."""
        return tx_gas(self.tokens(members), self.execution(members))

    def marginal_gas(self) -> float:
        """Gas per further member between the two largest measured batches (measured, not fitted)."""
        a, b = self.points[-2], self.points[-1]
        return (b.gas_used - a.gas_used) / (b.members - a.members)

    def max_relative_residual(self) -> float:
        return max(abs(p.gas_used - self.fitted_gas(p.members)) / p.gas_used for p in self.points)

    def batch_gas(self, members: int, profile: ChainProfile) -> BatchGas:
        """Gas of a batch of ``members`` under ``profile``: measured where measured, else from the fit."""
        if members < 1:
            raise CapacityError("a batch holds at least one request")
        point = self.measured(members)
        if point is not None:
            tokens, execution = point.tokens, point.execution_gas
            st_bytes, st_tokens = point.statement_bytes, point.statement_tokens
        else:
            tokens, execution = self.tokens(members), self.execution(members)
            st_bytes, st_tokens = self.statement_bytes(members), self.statement_tokens(members)
        blobs = 0.0
        if profile.blobs is not None and st_bytes > 0:
            blobs = st_bytes / profile.blobs.usable_bytes_per_blob
            tokens -= st_tokens
            execution += profile.blobs.binding_gas_per_batch
        used = tx_gas(tokens, execution, profile.calldata_floor)
        standard = tx_gas(tokens, execution, floor=False)
        if point is not None and profile.blobs is None and profile.calldata_floor:
            used = point.gas_used  # the receipt itself
        exact = point is not None and (profile.blobs is None or st_bytes == 0)
        return BatchGas(
            members=members,
            gas_used=used,
            gas_upper=used if exact else math.ceil((used + self.margin) * (1 + self.headroom)),
            tokens=round(tokens),
            execution_gas=round(execution),
            blobs=blobs,
            floor_binds=used > standard,
            measured=point is not None,
            statement_bytes=round(st_bytes),
        )

    def max_members(self, profile: ChainProfile, search_limit: int = 1 << 16) -> tuple[int, str]:
        """Largest batch one transaction can settle under ``profile``, and the limit that stops it growing.

        The fit is trusted up to ``max_extrapolation`` times the largest
        measured batch; past that the answer is "measured range".
        """
        per_tx = min(profile.tx_gas_limit, profile.usable_block_gas)
        tx_limit = "per-tx cap" if profile.tx_gas_cap is not None and per_tx == profile.tx_gas_cap else "block gas limit"
        best, reason = 0, tx_limit
        if self.max_extrapolation is not None:
            search_limit = min(search_limit, int(self.max_extrapolation * self.points[-1].members))
        for n in range(1, search_limit + 1):
            if self.statement_bytes(n) > self.statement_limit and self.measured(n) is None:
                reason = "statement limit" if best else tx_limit
                break
            if self.batch_gas(n, profile).gas_upper > per_tx:
                reason = tx_limit
                break
            best = n
        else:
            reason = "measured range"
        if best == 0:
            raise InfeasibleBatchError(f"even one request does not fit one transaction under {profile.name}")
        return best, reason


def capacity(curve: GasCurve, profile: ChainProfile, members: int, gas_price_gwei: float = 1.0,
             blob_gas_price_gwei: float | None = None) -> Capacity:
    """Batches, requests and throughput per block with batches of ``members`` under ``profile``.

    ``blob_gas_price_gwei`` defaults to the EIP-7918 reserve price, 1/16 of
    the execution gas price.
    """
    bg = curve.batch_gas(members, profile)
    blob_price = gas_price_gwei / 16 if blob_gas_price_gwei is None else blob_gas_price_gwei
    eth = (bg.gas_used * gas_price_gwei + bg.blobs * GAS_PER_BLOB * blob_price) * 1e-9 / members
    base = dict(profile=profile.name, backend=curve.backend, da=curve.da, workload=curve.workload, members=members, gas_per_batch=bg.gas_used,
                blobs_per_batch=bg.blobs, gas_per_request=bg.gas_used / members, eth_per_request=eth, measured=bg.measured,
                extrapolated=members > curve.points[-1].members)
    if profile.tx_gas_cap is not None and bg.gas_upper > profile.tx_gas_cap:
        return Capacity(**base, batches_per_block=0, requests_per_block=0, requests_per_second=0.0,
                        requests_per_day=0.0, binding="per-tx cap")
    if bg.gas_upper > profile.usable_block_gas:
        return Capacity(**base, batches_per_block=0, requests_per_block=0, requests_per_second=0.0,
                        requests_per_day=0.0, binding="block gas limit")
    batches = profile.usable_block_gas // bg.gas_used
    binding = "calldata floor" if bg.floor_binds else "block gas"
    if profile.blobs is not None and bg.blobs:
        by_blobs = math.floor(profile.blobs.target_blobs_per_block * profile.block_share / bg.blobs)
        if by_blobs < batches:
            batches, binding = by_blobs, "blob space"
    per_block = batches * members
    rps = per_block / profile.block_time_s
    return Capacity(**base, batches_per_block=batches, requests_per_block=per_block, requests_per_second=rps,
                    requests_per_day=rps * SECONDS_PER_DAY, binding=binding)


def verifications_per_block(point: GasPoint, profile: ChainProfile) -> int:
    """How many transactions like ``point`` fit in one block of ``profile`` (0 when over the cap)."""
    if profile.tx_gas_cap is not None and point.gas_used > profile.tx_gas_cap:
        return 0
    return profile.usable_block_gas // point.gas_used


def best_capacity(curve: GasCurve, profile: ChainProfile, gas_price_gwei: float = 1.0) -> tuple[Capacity, int, str]:
    """The batch size with the highest throughput under ``profile``: (capacity, max batch size, its limit)."""
    limit, reason = curve.max_members(profile)
    best = max((capacity(curve, profile, n, gas_price_gwei) for n in range(1, limit + 1)),
               key=lambda c: (c.requests_per_second, -c.members))
    return best, limit, reason


def smallest_batch_for(curve: GasCurve, profile: ChainProfile, target_rps: float,
                       gas_price_gwei: float = 1.0) -> TargetResult:
    """The smallest batch size whose settled throughput reaches ``target_rps`` under ``profile``.

    When no size does, the result is not ``reached`` and carries the best
    size; either way it carries the prove time such a batch needs (from
    measured prove times, interpolated; ``prove_extrapolated`` outside them).
    """
    limit, reason = curve.max_members(profile)
    chosen = None
    best = None
    for n in range(1, limit + 1):
        c = capacity(curve, profile, n, gas_price_gwei)
        if best is None or c.requests_per_second > best.requests_per_second:
            best = c
        if c.requests_per_second >= target_rps:
            chosen = c
            break
    result = chosen or best
    assert result is not None
    prove = curve.prove_time.estimate(result.members)
    return TargetResult(target_rps, profile.name, chosen is not None, result, limit, reason,
                        prove[0] if prove else None, prove[1] if prove else False)


class CapacityModel:
    """Curves by (backend, DA mode, workload), with the reason for every mode that has no measurements."""

    def __init__(self, points: Iterable[GasPoint], missing: dict[tuple[str, str], str] | None = None):
        batches: dict[tuple[str, str, str], list[GasPoint]] = {}
        self.singles: list[GasPoint] = []
        for p in points:
            (self.singles if p.kind == "single" else batches.setdefault((p.backend, p.da, p.workload), [])).append(p)
        self.curves = {key: GasCurve(pts) for key, pts in batches.items() if len({p.members for p in pts}) >= 2}
        self.missing = dict(missing or {})

    def curve(self, backend: str, da: str = "calldata", workload: str = "mixed") -> GasCurve:
        if (backend, da, workload) in self.curves:
            return self.curves[(backend, da, workload)]
        reason = self.missing.get((backend, da), "no batches of two or more sizes were measured")
        raise MissingMeasurementError(
            f"no measured gas for backend {backend!r} with DA {da!r} and workload {workload!r}: {reason}")

    def single(self, backend: str) -> GasPoint:
        for p in self.singles:
            if p.backend == backend:
                return p
        raise MissingMeasurementError(f"no single {backend} verification was measured")
