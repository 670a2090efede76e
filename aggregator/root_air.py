"""Root-only data availability: a batch AIR that computes the Rescue-Prime Merkle root of its members.

The public statement is only (member count, root): no member value is a
public input.  The trace proves every member's execution (fib for now) and,
in the same rows, hashes each member's journal into a leaf and merges leaves
into the tree whose root is public; a bus (running products in auxiliary
columns, randomness drawn after the main trace is committed) ties the
hashing together.  ``docs/aggregator.md`` has the design and its soundness
argument; in short:

* every segment j (L rows) holds one member: columns 0..3 are its fib
  segment form; the Rescue lane (columns 4..15, :mod:`prover.air.rescue_lane`)
  runs one permutation per 8-row block;
* leaf block A (rows L-24..L-17) absorbs the program id limbs (segment
  assertions), block B (rows L-16..L-9) absorbs [1, n, 1, out] read from the
  member's columns at row L-17 (a segment constraint), so B's output is
  ``rescue.journal_leaf`` of the member's journal; it *produces* the bus tuple
  (0, idx, leaf) (flag F is asserted 1 there);
* block 0 of a segment may be a merge (flag M): it *consumes*
  (lvl-1, 2 idx, left) and (lvl-1, 2 idx+1, right) and produces (lvl, idx,
  merge(left, right));
* each of three running products Z_i (fingerprints with independent random
  (gamma_i, beta_i)) starts at 1 and must end at 1 / (gamma_i - fp(D, 0, root)):
  the public root is consumed once, so produced and consumed tuples must
  balance, which forces a perfect binary tree of merges over exactly the N
  member leaves (a different one needs a Rescue collision or cycle).

Member order in the tree is the segment order: leaf idx = j.  Mixed-program
batches and the EVM side are not built yet.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import Any, NamedTuple, Sequence

import numpy as np

from aggregator.journal_tree import placed
from aggregator.segments import SteppedFibSegment, _fib_segment
from prover.air.air import Air, Assertion, SegmentAssertion, TransitionDegree
from prover.air.rescue_lane import BLOCK, RescueLane
from prover.crypto import rescue
from prover.crypto.keccak import keccak256
from prover.errors import InvalidInputError, InvalidParametersError
from prover.math import goldilocks as gl
from prover.programs.base import MAX_LOG_TRACE_LENGTH, next_power_of_two
from prover.receipt import Journal
from prover.stark.params import ProofOptions

FIB_FORM = SteppedFibSegment()
FIB_ID = FIB_FORM.program.program_id

#: The id a root-only batch statement is proven under (the first bytes of its transcript seed).
ROOT_BATCH_ID = keccak256(b"supervm-l2/batch/root-only/rescue-prime/v1:" + FIB_ID)

# Main columns.
LANE = FIB_FORM.width  # 12 lane columns from here
M = LANE + rescue.WIDTH  # merge flag
F = M + 1  # leaf flag
LVL = M + 2  # tree level of the block's output
IDX = M + 3  # index of the block's output in its level
WIDTH = M + 4
# Periodic columns: the lane's 25 (its selector last), then the block-input-row selector.
SELECTOR = RescueLane.periodic_count - 1
FIRST_ROW = RescueLane.periodic_count
#: Rows of the leaf blocks before a segment's end, and the step that feeds the member's values to block B.
LEAF_A = 3 * BLOCK
LEAF_B = 2 * BLOCK
LINK = LEAF_A - (BLOCK - 1)  # row L - 17: block A's output row
#: Smallest segment: one merge block, leaf blocks A and B, and a last block kept free of bus events.
MIN_SEGMENT = 4 * BLOCK
PRODUCTS = 3
LIMBS = rescue.journal_elements(FIB_ID, (0,), (0,))[:8]
FIB_ELEMENTS = 12  # 8 id limbs, #inputs, n, #outputs, out


def with_lane_blowup(options: ProofOptions) -> ProofOptions:
    """``options`` with the blowup raised to 8 where it is lower: the Rescue lane's degree-7 constraints need it
    (a cheaper preset such as "test" keeps its queries and grinding)."""
    return replace(options, log_blowup=max(options.log_blowup, 3))


def root_journal(count: int, root: Sequence[int]) -> Journal:
    """The public statement of a root-only batch: (member count) in, the 4-element root out."""
    return Journal(ROOT_BATCH_ID, (count,), tuple(int(x) for x in root))


def _fp(tuple_values: Sequence[Any], beta: int) -> Any:
    """Fingerprint sum_k beta^k t_k of a bus tuple (level, index, d0, d1, d2, d3)."""
    acc = tuple_values[-1]
    for value in reversed(tuple_values[:-1]):
        acc = acc * beta + value
    return acc


class RootBatchAir(Air):
    """The AIR of a root-only fib batch of ``count`` members with Merkle root ``root``."""

    width = WIDTH
    aux_width = PRODUCTS
    aux_randomness = 2 * PRODUCTS

    def __init__(self, count: int, root: Sequence[int]) -> None:
        if not 1 <= count <= 1 << 16:
            raise InvalidInputError(f"a root-only batch has 1 .. 65536 members, not {count}")
        self.count = count
        self.segment_count = next_power_of_two(count)
        self.depth = self.segment_count.bit_length() - 1
        self.root = tuple(int(x) for x in root)
        if len(self.root) != rescue.DIGEST_SIZE or not all(0 <= x < gl.P for x in self.root):
            raise InvalidInputError("a root is 4 canonical field elements")
        self.lane = RescueLane(LANE, 0)

    @classmethod
    def for_journal(cls, journal: Journal) -> "RootBatchAir":
        if journal.program_id != ROOT_BATCH_ID or len(journal.inputs) != 1:
            raise InvalidInputError("not a root-only batch statement")
        return cls(journal.inputs[0], journal.outputs)

    # -- shape ---------------------------------------------------------------
    def trace_length(self, inputs: Sequence[int] = (), outputs: Sequence[int] = ()) -> int:
        return self.segment_count * MIN_SEGMENT

    def segments(self, trace_length: int) -> int:
        return self.segment_count

    def periodic_columns(self) -> list[list[int]]:
        return self.lane.periodic_columns() + [[1] + [0] * (BLOCK - 1)]

    # -- main constraints ----------------------------------------------------------
    @cached_property
    def _degrees(self) -> list[TransitionDegree]:
        hold = [TransitionDegree(1, (BLOCK,))] * 4
        binary = [TransitionDegree(2)] * 2
        capacity = [TransitionDegree(2, (BLOCK,))] * rescue.CAPACITY
        return FIB_FORM.transition_degrees() + self.lane.transition_degrees() + hold + binary + capacity

    def transition_degrees(self) -> list[TransitionDegree]:
        return self._degrees

    def evaluate_transition(self, cur: Sequence[Any], nxt: Sequence[Any], periodic: Sequence[Any]) -> list[Any]:
        out = FIB_FORM.evaluate_transition(cur[:LANE], nxt[:LANE], [])
        out += self.lane.evaluate(cur, nxt, periodic)
        rounds = periodic[SELECTOR]  # 1 on rows 0..6 of a block: flags hold through the block
        out += [rounds * (nxt[c] - cur[c]) for c in (M, F, LVL, IDX)]
        out += [cur[M] * (1 - cur[M]), cur[F] * (1 - cur[F])]
        first = periodic[FIRST_ROW]  # a merge's input has a zero capacity, as rescue.merge
        out += [first * cur[M] * cur[LANE + rescue.RATE + k] for k in range(rescue.CAPACITY)]
        return out

    def assertions(self, inputs: Sequence[int], outputs: Sequence[int], trace_length: int) -> list[Assertion]:
        return []

    def segment_assertions(self, trace_length: int) -> list[SegmentAssertion]:
        length = trace_length // self.segment_count
        n = self.segment_count

        def every(column: int, offset: int, value: int) -> SegmentAssertion:
            return SegmentAssertion(column, offset, (value % gl.P,) * n)

        out = [every(0, 0, 0), every(1, 0, 1), every(3, 0, 0)]  # fib starts at a = 0, b = 1, c = 0
        sponge = LIMBS + [FIB_ELEMENTS, rescue.SPONGE_TAG, 0, 0]
        out += [every(LANE + k, length - LEAF_A, v) for k, v in enumerate(sponge)]
        out += [every(F, length - LEAF_B + BLOCK - 1, 1)]  # block B produces the member's leaf
        for offset in (BLOCK - 1, length - LINK, length - 1):  # nowhere else in the segment's fixed blocks
            out.append(every(F, offset, 0))
        for offset in (length - LINK, length - LEAF_B + BLOCK - 1, length - 1):
            out.append(every(M, offset, 0))
        return out

    def segment_constraints(self, trace_length: int) -> list[tuple[int, TransitionDegree]]:
        length = trace_length // self.segment_count
        return [(length - LINK, TransitionDegree(1))] * rescue.WIDTH

    def evaluate_segment_constraints(self, cur: Sequence[Any], nxt: Sequence[Any], periodic: Sequence[Any]) -> list[Any]:
        # block B's input = block A's output + [1, n, 1, out, 0 ...]: n and out from the member's final row
        absorbed = [1, cur[3], 1, cur[0]] + [0] * (rescue.WIDTH - 4)
        return [nxt[LANE + k] - cur[LANE + k] - absorbed[k] for k in range(rescue.WIDTH)]

    # -- the bus ---------------------------------------------------------------------
    def _factors(self, cur: Sequence[Any], periodic: Sequence[Any], gamma: int, beta: int) -> tuple[Any, Any, Any, Any]:
        first = periodic[FIRST_ROW]
        last = 1 - periodic[SELECTOR]  # a block's output row
        h = cur[LANE : LANE + rescue.WIDTH]
        lvl, idx = cur[LVL], cur[IDX]
        leaf = 1 + last * cur[F] * (gamma - _fp([0, idx, *h[:4]], beta) - 1)
        made = 1 + last * cur[M] * (gamma - _fp([lvl, idx, *h[:4]], beta) - 1)
        left = 1 + first * cur[M] * (gamma - _fp([lvl - 1, idx * 2, *h[:4]], beta) - 1)
        right = 1 + first * cur[M] * (gamma - _fp([lvl - 1, idx * 2 + 1, *h[4:8]], beta) - 1)
        return leaf, made, left, right

    def aux_transition_degrees(self) -> list[TransitionDegree]:
        return [TransitionDegree(5, (BLOCK, BLOCK))] * PRODUCTS

    def evaluate_aux_transition(
        self, cur: Sequence[Any], nxt: Sequence[Any], periodic: Sequence[Any], randomness: Sequence[int]
    ) -> list[Any]:
        out = []
        for i in range(PRODUCTS):
            leaf, made, left, right = self._factors(cur, periodic, randomness[2 * i], randomness[2 * i + 1])
            out.append(nxt[WIDTH + i] * leaf * made - cur[WIDTH + i] * left * right)
        return out

    def aux_assertions(self, trace_length: int, randomness: Sequence[int]) -> list[Assertion]:
        out = []
        for i in range(PRODUCTS):
            gamma, beta = randomness[2 * i], randomness[2 * i + 1]
            final = gl.inv_int((gamma - _fp([self.depth, 0, *self.root], beta)) % gl.P)
            out += [Assertion(WIDTH + i, 0, 1), Assertion(WIDTH + i, trace_length - 1, final)]
        return out

    def aux_trace(self, trace: np.ndarray, randomness: Sequence[int]) -> np.ndarray:
        rows = trace.shape[1]
        block_row = np.arange(rows) % BLOCK
        first = (block_row == 0).astype(np.uint64)
        last = (block_row == BLOCK - 1).astype(np.uint64)
        out = np.empty((PRODUCTS, rows), dtype=np.uint64)
        h = [trace[LANE + k] for k in range(rescue.WIDTH)]
        zero = np.zeros(rows, dtype=np.uint64)
        lvl_below = gl.add_scalar_vec(trace[LVL], np.uint64(gl.P - 1))
        left_idx = gl.add_vec(trace[IDX], trace[IDX])
        right_idx = gl.add_scalar_vec(left_idx, np.uint64(1))
        for i in range(PRODUCTS):
            gamma, beta = randomness[2 * i], randomness[2 * i + 1]

            def factor(gate: np.ndarray, values: list[np.ndarray]) -> np.ndarray:
                fp = values[-1]
                for v in reversed(values[:-1]):
                    fp = gl.add_vec(gl.scale_vec(fp, np.uint64(beta)), v)
                term = gl.add_scalar_vec(gl.neg_vec(fp), np.uint64((gamma - 1) % gl.P))
                return gl.add_scalar_vec(gl.mul_vec(gate, term), np.uint64(1))

            leaf = factor(gl.mul_vec(last, trace[F]), [zero, trace[IDX], *h[:4]])
            made = factor(gl.mul_vec(last, trace[M]), [trace[LVL], trace[IDX], *h[:4]])
            left = factor(gl.mul_vec(first, trace[M]), [lvl_below, left_idx, *h[:4]])
            right = factor(gl.mul_vec(first, trace[M]), [lvl_below, right_idx, *h[4:8]])
            ratio = gl.mul_vec(gl.mul_vec(left, right), gl.batch_inverse(gl.mul_vec(leaf, made)))
            out[i] = gl.running_product(ratio[:-1])
        return out


def segment_length(inputs: Sequence[int]) -> int:
    """Rows per segment: every member final by row L - 17, and room for the four fixed blocks."""
    return max(MIN_SEGMENT, next_power_of_two(max(inputs) + LINK + 1))


class _HashBlocks(NamedTuple):
    """The permutation runs (k, 8, 12) of a root-only batch: leaf blocks A and B per segment, merges per level."""

    leaf_a: np.ndarray
    leaf_b: np.ndarray
    levels: list[np.ndarray]

    @property
    def leaves(self) -> list[rescue.Digest]:
        return [tuple(int(x) for x in row[-1, : rescue.DIGEST_SIZE]) for row in self.leaf_b]

    @property
    def root(self) -> tuple[int, ...]:
        last = self.levels[-1] if self.levels else self.leaf_b
        return tuple(int(x) for x in last[0, -1, : rescue.DIGEST_SIZE])


def _hash_blocks(padded: Sequence[int], outputs: Sequence[int]) -> _HashBlocks:
    """Hash every member's journal into its leaf and the leaves into the tree, one numba batch per stage."""
    n_seg = len(padded)
    sponge = np.array([LIMBS + [FIB_ELEMENTS, rescue.SPONGE_TAG, 0, 0]] * n_seg, dtype=np.uint64)
    leaf_a = rescue.permute_trace_batch(sponge)
    absorbed = np.zeros((n_seg, rescue.WIDTH), dtype=np.uint64)
    absorbed[:, 0] = 1
    absorbed[:, 1] = padded
    absorbed[:, 2] = 1
    absorbed[:, 3] = outputs
    leaf_b = rescue.permute_trace_batch(gl.add_vec(leaf_a[:, -1, :].ravel(), absorbed.ravel()).reshape(n_seg, -1))
    levels = []
    level = leaf_b[:, -1, : rescue.DIGEST_SIZE]
    while level.shape[0] > 1:
        states = np.zeros((level.shape[0] // 2, rescue.WIDTH), dtype=np.uint64)
        states[:, : rescue.DIGEST_SIZE] = level[0::2]
        states[:, rescue.DIGEST_SIZE : 2 * rescue.DIGEST_SIZE] = level[1::2]
        levels.append(rescue.permute_trace_batch(states))
        level = levels[-1][:, -1, : rescue.DIGEST_SIZE]
    return _HashBlocks(leaf_a, leaf_b, levels)


def _padded(inputs: Sequence[int]) -> tuple[list[int], list[int]]:
    n_seg = next_power_of_two(len(inputs))
    padded = list(inputs) + [FIB_FORM.padding_inputs[0]] * (n_seg - len(inputs))
    return padded, [FIB_FORM.program.execute((n,))[0] for n in padded]


def slot_inputs(journals: Sequence[Journal], positions: Sequence[int] | None = None) -> list[int]:
    """The fib input of every tree slot up to the last member: members at their ``positions`` (consecutive
    if None), the padding member fib(0) in the slots between blocks."""
    if not journals:
        raise InvalidInputError("a batch needs at least one member")
    for j in journals:
        if j.program_id != FIB_ID or len(j.inputs) != 1 or len(j.outputs) != 1:
            raise InvalidInputError("root-only batches take fib journals only")
    return placed([j.inputs[0] for j in journals], positions, FIB_FORM.padding_inputs[0])


def member_tree(journals: Sequence[Journal], positions: Sequence[int] | None = None) -> tuple[list[rescue.Digest], tuple[int, ...]]:
    """(leaves, root) of the Rescue tree of fib member journals at their tree ``positions``, every other slot
    a fib(0) journal up to a power of two: what a root-only batch of these members commits to
    (rescue.journal_leaf of each, merged in order)."""
    padded, outputs = _padded(slot_inputs(journals, positions))
    for j, position in zip(journals, positions if positions is not None else range(len(journals))):
        outputs[position] = j.outputs[0]
    blocks = _hash_blocks(padded, outputs)
    return blocks.leaves, blocks.root


def generate_trace(inputs: Sequence[int]) -> tuple[np.ndarray, list[rescue.Digest], tuple[int, ...]]:
    """(trace, leaves, root) of a root-only fib batch over members fib(inputs[j]), padded with fib(0)."""
    if not inputs:
        raise InvalidInputError("a batch needs at least one member")
    padded, outputs = _padded(inputs)
    n_seg = len(padded)
    length = segment_length(padded)
    if n_seg * length > 1 << MAX_LOG_TRACE_LENGTH:
        raise InvalidParametersError(f"root-only batch needs {n_seg} segments of {length} rows: too long")
    trace = np.zeros((WIDTH, n_seg * length), dtype=np.uint64)
    lane = slice(LANE, LANE + rescue.WIDTH)

    # Blocks not otherwise used permute the zero state (their rows must still satisfy the lane).
    blocks = trace[lane].reshape(rescue.WIDTH, -1, BLOCK)
    blocks[:] = RescueLane.block([0] * rescue.WIDTH)[:, None, :]

    def put(starts: Sequence[int], runs: np.ndarray, **flags: Sequence[int]) -> None:
        """Write one permutation block per start row."""
        for i, start in enumerate(starts):
            trace[lane, start : start + BLOCK] = runs[i].T
            for column, values in flags.items():
                trace[{"m": M, "f": F, "lvl": LVL, "idx": IDX}[column], start : start + BLOCK] = values[i]

    bases = [j * length for j in range(n_seg)]
    for base, n in zip(bases, padded):
        trace[:LANE, base : base + length] = _fib_segment(n, length)
    hashed = _hash_blocks(padded, outputs)
    put([b + length - LEAF_A for b in bases], hashed.leaf_a)
    put([b + length - LEAF_B for b in bases], hashed.leaf_b, f=[1] * n_seg, idx=list(range(n_seg)))
    slot = 0
    for lvl, runs in enumerate(hashed.levels, start=1):
        pairs = runs.shape[0]
        put([(slot + i) * length for i in range(pairs)], runs, m=[1] * pairs, lvl=[lvl] * pairs, idx=list(range(pairs)))
        slot += pairs
    return trace, hashed.leaves, hashed.root
