"""Rescue-Prime over Goldilocks: an algebraic hash for commitments proven inside the STARK.

Instantiation (our own; see docs/rescue.md for the security argument):

* field p = 2^64 - 2^32 + 1, state of ``WIDTH = 12`` elements: ``RATE = 8``
  (state[0:8]) and ``CAPACITY = 4`` (state[8:12]);
* S-box x -> x^7 (``ALPHA``) and its inverse x -> x^ALPHA_INV with
  ALPHA_INV = 7^-1 mod (p - 1) = 10540996611094048183 (7 does not divide p - 1,
  so x^7 is a permutation of the field);
* ``ROUNDS = 7``; round r maps a state s to

      m  = MDS . s^7              + C[r][0:12]     (forward half-round)
      s' = MDS . m^(1/7)          + C[r][12:24]    (backward half-round)

  so the permutation is 7 rounds of (S-box, MDS, constants, inverse S-box,
  MDS, constants), exactly the Rescue-Prime round.

Constants (:func:`round_constants`): 2 * WIDTH * ROUNDS = 168 elements read
from SHAKE256(``DOMAIN``) as consecutive 8-byte little-endian words, a word
kept iff it is below p (rejection sampling: uniform, no modular bias).

MDS matrix (:func:`mds_matrix`), built the way the Rescue-Prime paper builds
it: the 12 x 24 Vandermonde matrix V[i][j] = g^(i*j) with g = 7, the smallest
primitive root mod p, generates a Reed-Solomon code of length 24 and
dimension 12; its reduced row echelon form is [I | A] and MDS = A^T.  A
Reed-Solomon code is maximum-distance-separable, so every square submatrix of
A is nonsingular, which is the MDS property; :func:`is_mds` checks all
2,704,155 minors directly.

AIR form.  :func:`permute_trace` returns the 8 states s_0 (input) .. s_7
(output), one per round boundary.  With MDS_INV the inverse matrix, round r
holds iff, element-wise,

      (MDS_INV . (s_{r+1} - C[r][12:24]))^7 == MDS . s_r^7 + C[r][0:12]

which is degree 7 in the row and in the next row: the backward half-round
is checked forwards (y^7 = x) instead of computing x^(1/7).
:func:`round_residual` evaluates the difference of both sides.

Sponge (:func:`hash_elements`): the state starts as rate = 0, capacity =
(n, 1, 0, 0) where n is the number of input elements and 1 tags the
variable-length sponge; the input is zero-padded to a multiple of 8 (an
empty input is one block of zeros), each block is added into the rate and
followed by one permutation; the digest is state[0:4].  Zero padding is
unambiguous because n is in the capacity (the RPO rule); the tag keeps every
sponge call, including the empty input, apart from :func:`merge`.

2-to-1 compression (:func:`merge`): state = left || right || (0, 0, 0, 0),
one permutation, digest = state[0:4].

Digests are 4 field elements (256 bits).  On L1 a digest travels as one
bytes32 (:func:`digest_to_bytes`): the four elements as 8-byte big-endian
words, element 0 first; decoding rejects a word >= p, so every digest has
exactly one encoding.

Kernels: :func:`permute` and friends work on plain Python ints (the
reference); :func:`permute_batch` / :func:`merge_batch` run numba kernels over
uint64 arrays built on :mod:`prover.math.goldilocks`'s mul/add.
``python -m prover.crypto.rescue`` prints the batch kernel's throughput.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np
from numba import njit, prange

from prover.errors import FieldError, InvalidInputError
from prover.math.goldilocks import GENERATOR, P, add, mul, sub

WIDTH = 12
RATE = 8
CAPACITY = 4
DIGEST_SIZE = 4
ALPHA = 7
ALPHA_INV = 10540996611094048183
ROUNDS = 7
#: Capacity element 1 of every sponge call (merge leaves it 0).
SPONGE_TAG = 1
#: Domain-separation string the round constants are expanded from.
DOMAIN = b"supervm-l2/rescue-prime/goldilocks/width=12/capacity=4/alpha=7/rounds=7/v1"

Digest = tuple[int, int, int, int]
ZERO_DIGEST: Digest = (0, 0, 0, 0)

assert (ALPHA * ALPHA_INV) % (P - 1) == 1

# ---------------------------------------------------------------------------
# Parameter generation
# ---------------------------------------------------------------------------


def round_constants() -> list[list[int]]:
    """ROUNDS lists of 2 * WIDTH constants: [0:12] after the forward half-round, [12:24] after the backward one."""
    needed = 2 * WIDTH * ROUNDS
    out: list[int] = []
    length = 8 * (needed + 16)
    while True:
        stream = hashlib.shake_256(DOMAIN).digest(length)  # SHAKE output is prefix-stable
        out = []
        for i in range(0, length, 8):
            word = int.from_bytes(stream[i : i + 8], "little")
            if word < P:
                out.append(word)
                if len(out) == needed:
                    return [out[2 * WIDTH * r : 2 * WIDTH * (r + 1)] for r in range(ROUNDS)]
        length *= 2  # pragma: no cover - needs 16 rejections at probability 2^-32 each


def _solve_rref(rows: list[list[int]]) -> list[list[int]]:
    """Reduced row echelon form over GF(p) of a full-rank matrix whose left square block is invertible."""
    m = [list(r) for r in rows]
    n = len(m)
    for col in range(n):
        pivot = next(r for r in range(col, n) if m[r][col])
        m[col], m[pivot] = m[pivot], m[col]
        inv = pow(m[col][col], P - 2, P)
        m[col] = [v * inv % P for v in m[col]]
        for r in range(n):
            if r != col and m[r][col]:
                f = m[r][col]
                m[r] = [(a - f * b) % P for a, b in zip(m[r], m[col])]
    return m


def mds_matrix() -> list[list[int]]:
    """MDS = A^T where [I | A] is the reduced echelon form of the 12 x 24 Vandermonde matrix of g = 7."""
    g = GENERATOR
    vandermonde = [[pow(g, i * j, P) for j in range(2 * WIDTH)] for i in range(WIDTH)]
    echelon = _solve_rref(vandermonde)
    a = [row[WIDTH:] for row in echelon]
    return [[a[j][i] for j in range(WIDTH)] for i in range(WIDTH)]


def matrix_inverse(m: Sequence[Sequence[int]]) -> list[list[int]]:
    """Inverse of a square matrix over GF(p)."""
    n = len(m)
    augmented = [list(row) + [int(i == j) for j in range(n)] for i, row in enumerate(m)]
    return [row[n:] for row in _solve_rref(augmented)]


ROUND_CONSTANTS: list[list[int]] = round_constants()
MDS: list[list[int]] = mds_matrix()
MDS_INV: list[list[int]] = matrix_inverse(MDS)

_MDS_ARRAY = np.array(MDS, dtype=np.uint64)
_RC_ARRAY = np.array(ROUND_CONSTANTS, dtype=np.uint64)  # shape (ROUNDS, 24)

# The inverse S-box exponent in 3-bit windows below its top bit: digits are
# only 0, 1, 6 and 7, so the kernel needs x, x^6 and x^7 and no table.
_ROOT_DIGITS = tuple((ALPHA_INV >> (3 * i)) & 7 for i in range(20, -1, -1))
assert ALPHA_INV >> 63 == 1 and set(_ROOT_DIGITS) <= {0, 1, 6, 7}

# ---------------------------------------------------------------------------
# Plain-Python reference
# ---------------------------------------------------------------------------


def _mat_vec(m: Sequence[Sequence[int]], v: Sequence[int]) -> list[int]:
    return [sum(a * b for a, b in zip(row, v)) % P for row in m]


def _check_state(state: Sequence[int]) -> list[int]:
    state = [int(x) for x in state]
    if len(state) != WIDTH:
        raise FieldError(f"a Rescue state has {WIDTH} elements, not {len(state)}")
    for x in state:
        if not 0 <= x < P:
            raise FieldError(f"{x} is not a canonical Goldilocks element")
    return state


def _round(r: int, s: list[int]) -> list[int]:
    c = ROUND_CONSTANTS[r]
    s = [pow(x, ALPHA, P) for x in s]
    s = [(x + k) % P for x, k in zip(_mat_vec(MDS, s), c[:WIDTH])]
    s = [pow(x, ALPHA_INV, P) for x in s]
    return [(x + k) % P for x, k in zip(_mat_vec(MDS, s), c[WIDTH:])]


def permute(state: Sequence[int]) -> list[int]:
    """The Rescue-Prime permutation of a 12-element state (canonical ints)."""
    s = _check_state(state)
    for r in range(ROUNDS):
        s = _round(r, s)
    return s


def permute_trace(state: Sequence[int]) -> list[list[int]]:
    """The ROUNDS + 1 = 8 states of one permutation: the input, then the state after each round."""
    s = _check_state(state)
    trace = [s]
    for r in range(ROUNDS):
        s = _round(r, s)
        trace.append(s)
    return trace


def round_residual(r: int, current: Sequence[int], following: Sequence[int]) -> list[int]:
    """(MDS_INV (next - C_bwd))^7 - (MDS current^7 + C_fwd), element-wise; all zero iff round r maps current to next."""
    c = ROUND_CONSTANTS[r]
    forward = [(x + k) % P for x, k in zip(_mat_vec(MDS, [pow(x, ALPHA, P) for x in current]), c[:WIDTH])]
    backward = _mat_vec(MDS_INV, [(y - k) % P for y, k in zip(following, c[WIDTH:])])
    return [(pow(b, ALPHA, P) - f) % P for b, f in zip(backward, forward)]


def _check_digest(d: Sequence[int]) -> Digest:
    d = tuple(int(x) for x in d)
    if len(d) != DIGEST_SIZE or not all(0 <= x < P for x in d):
        raise FieldError(f"a digest is {DIGEST_SIZE} canonical field elements, got {d!r}")
    return d  # type: ignore[return-value]


def hash_elements(values: Iterable[int]) -> Digest:
    """Sponge hash of a sequence of canonical field elements (length in the capacity, zero padding)."""
    values = [int(v) for v in values]
    for v in values:
        if not 0 <= v < P:
            raise FieldError(f"{v} is not a canonical Goldilocks element")
    state = [0] * RATE + [len(values) % P, SPONGE_TAG, 0, 0]
    blocks = max(1, -(-len(values) // RATE))
    padded = values + [0] * (blocks * RATE - len(values))
    for b in range(blocks):
        for i in range(RATE):
            state[i] = (state[i] + padded[RATE * b + i]) % P
        state = permute(state)
    return tuple(state[:DIGEST_SIZE])  # type: ignore[return-value]


def merge(left: Sequence[int], right: Sequence[int]) -> Digest:
    """2-to-1 compression of two digests: left || right in the rate, zero capacity, one permutation."""
    state = permute(list(_check_digest(left)) + list(_check_digest(right)) + [0] * CAPACITY)
    return tuple(state[:DIGEST_SIZE])  # type: ignore[return-value]


def journal_elements(program_id: bytes, inputs: Sequence[int], outputs: Sequence[int]) -> list[int]:
    """The injective field encoding of a journal.

    program_id as 8 big-endian 32-bit limbs (each < 2^32 < p, so no two ids
    share an encoding, which 64-bit limbs reduced mod p would not ensure),
    then #inputs, the inputs, #outputs, the outputs.  The counts make the
    split between inputs and outputs unambiguous.
    """
    if not isinstance(program_id, (bytes, bytearray)) or len(program_id) != 32:
        raise InvalidInputError("a program id is 32 bytes")
    elements = [int.from_bytes(program_id[i : i + 4], "big") for i in range(0, 32, 4)]
    for values in (inputs, outputs):
        values = [int(v) for v in values]
        for v in values:
            if not 0 <= v < P:
                raise FieldError(f"journal value {v} is not a canonical Goldilocks element")
        elements.append(len(values))
        elements.extend(values)
    return elements


def journal_leaf(program_id: bytes, inputs: Sequence[int], outputs: Sequence[int]) -> Digest:
    """The Rescue digest of a journal: hash_elements of :func:`journal_elements`."""
    return hash_elements(journal_elements(program_id, inputs, outputs))


def digest_to_bytes(digest: Sequence[int]) -> bytes:
    """The bytes32 form of a digest: its 4 elements as 8-byte big-endian words, element 0 first."""
    return b"".join(x.to_bytes(8, "big") for x in _check_digest(digest))


def digest_from_bytes(data: bytes) -> Digest:
    """Inverse of :func:`digest_to_bytes`; FieldError on a word >= p or a length other than 32."""
    if len(data) != 32:
        raise FieldError("a packed digest is 32 bytes")
    return _check_digest([int.from_bytes(data[i : i + 8], "big") for i in range(0, 32, 8)])


# ---------------------------------------------------------------------------
# numba kernels
# ---------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _pow7(x):
    x2 = mul(x, x)
    x3 = mul(x2, x)
    return mul(mul(x3, x3), x)


@njit(cache=True, inline="always")
def _root7_lanes(src, dst, x6, x7):
    """dst[i] = src[i]^ALPHA_INV for the 12 lanes, window by window across lanes.

    63 squarings and one multiply per nonzero 3-bit window (87 products a
    lane); the lanes advance together so the CPU overlaps 12 independent
    multiply chains.  x6 and x7 are uint64[12] scratch.
    """
    for i in range(12):
        x = src[i]
        x3 = mul(mul(x, x), x)
        x6[i] = mul(x3, x3)
        x7[i] = mul(x6[i], x)
        dst[i] = x
    for d in _ROOT_DIGITS:
        for i in range(12):
            acc = dst[i]
            acc = mul(acc, acc)
            acc = mul(acc, acc)
            dst[i] = mul(acc, acc)
        if d == 1:
            for i in range(12):
                dst[i] = mul(dst[i], src[i])
        elif d == 6:
            for i in range(12):
                dst[i] = mul(dst[i], x6[i])
        elif d == 7:
            for i in range(12):
                dst[i] = mul(dst[i], x7[i])


@njit(cache=True, inline="always")
def _mds_add(src, dst, mds, rc, offset):
    """dst = MDS . src + rc[offset : offset + 12]."""
    for i in range(12):
        dst[i] = rc[offset + i]
    for j in range(12):  # column by column: the 12 rows advance together and vectorise
        x = src[j]
        for i in range(12):
            dst[i] = add(dst[i], mul(mds[i, j], x))


@njit(cache=True, inline="always")
def _round_state(s, tmp, mds, row):
    """Round with constants ``row`` (uint64[24]) in place on s; tmp is uint64[36] scratch."""
    t = tmp[0:12]
    for i in range(12):
        t[i] = _pow7(s[i])
    _mds_add(t, s, mds, row, 0)
    _root7_lanes(s, t, tmp[12:24], tmp[24:36])
    _mds_add(t, s, mds, row, 12)


@njit(cache=True)
def permute_state(s: np.ndarray, tmp: np.ndarray, mds: np.ndarray, rc: np.ndarray) -> None:
    """The permutation in place on one uint64[12] state; tmp is uint64[36] scratch, mds/rc the parameter arrays."""
    for r in range(rc.shape[0]):
        _round_state(s, tmp, mds, rc[r])


@njit(cache=True)
def _permute_span(states, mds, rc, lo, hi):
    tmp = np.empty(36, dtype=np.uint64)
    for i in range(lo, hi):
        permute_state(states[i], tmp, mds, rc)


@njit(cache=True)
def _trace_rows(traces, mds, rc):
    """traces is uint64[n, ROUNDS + 1, 12] with the inputs in [:, 0]; fills [:, 1:] round by round."""
    tmp = np.empty(36, dtype=np.uint64)
    s = np.empty(12, dtype=np.uint64)
    for i in range(traces.shape[0]):
        s[:] = traces[i, 0]
        for r in range(rc.shape[0]):
            _round_state(s, tmp, mds, rc[r])
            traces[i, r + 1] = s


_CHUNK = 256
_PARALLEL_MIN = 512


@njit(cache=True)
def _permute_rows_serial(states: np.ndarray, mds: np.ndarray, rc: np.ndarray) -> None:
    _permute_span(states, mds, rc, 0, states.shape[0])


@njit(cache=True, parallel=True)
def _permute_rows_parallel(states: np.ndarray, mds: np.ndarray, rc: np.ndarray) -> None:
    n = states.shape[0]
    for c in prange((n + _CHUNK - 1) // _CHUNK):
        _permute_span(states, mds, rc, c * _CHUNK, min(n, (c + 1) * _CHUNK))


def permute_batch(states: np.ndarray) -> np.ndarray:
    """The permutation of every row of a uint64[n, 12] array of canonical states (a new array)."""
    out = np.array(states, dtype=np.uint64, copy=True, order="C")
    if out.ndim != 2 or out.shape[1] != WIDTH:
        raise FieldError(f"permute_batch takes an (n, {WIDTH}) array")
    if out.size and int(out.max()) >= P:
        raise FieldError("permute_batch takes canonical elements")
    kernel = _permute_rows_parallel if out.shape[0] >= _PARALLEL_MIN else _permute_rows_serial
    kernel(out, _MDS_ARRAY, _RC_ARRAY)
    return out


def permute_trace_batch(states: np.ndarray) -> np.ndarray:
    """uint64[n, ROUNDS + 1, 12]: for each input row, the 8 states of :func:`permute_trace` (one thread)."""
    states = np.asarray(states, dtype=np.uint64)
    if states.ndim != 2 or states.shape[1] != WIDTH:
        raise FieldError(f"permute_trace_batch takes an (n, {WIDTH}) array")
    if states.size and int(states.max()) >= P:
        raise FieldError("permute_trace_batch takes canonical elements")
    traces = np.zeros((states.shape[0], ROUNDS + 1, WIDTH), dtype=np.uint64)
    traces[:, 0] = states
    _trace_rows(traces, _MDS_ARRAY, _RC_ARRAY)
    return traces


def merge_batch(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """merge(left[i], right[i]) for uint64[n, 4] arrays of digests; returns uint64[n, 4]."""
    left = np.asarray(left, dtype=np.uint64)
    right = np.asarray(right, dtype=np.uint64)
    if left.shape != right.shape or left.ndim != 2 or left.shape[1] != DIGEST_SIZE:
        raise FieldError(f"merge_batch takes two (n, {DIGEST_SIZE}) arrays")
    states = np.zeros((left.shape[0], WIDTH), dtype=np.uint64)
    states[:, :DIGEST_SIZE] = left
    states[:, DIGEST_SIZE : 2 * DIGEST_SIZE] = right
    return permute_batch(states)[:, :DIGEST_SIZE].copy()


# ---------------------------------------------------------------------------
# MDS check: every square submatrix nonsingular
# ---------------------------------------------------------------------------


@njit(cache=True)
def _all_minors_nonzero(m, order, start, rank):
    """Every minor of the n x n matrix m is nonzero.

    Minors are computed level by level (size k from size k - 1) by Laplace
    expansion along the lowest row of the row set: det(R, C) =
    sum_t (-1)^t m[r0, c_t] det(R - r0, C - c_t), c_t the t-th column of C.
    Row and column sets are bit masks; ``order`` lists masks by popcount,
    ``start[k]`` is where popcount k begins, ``rank[mask]`` a mask's position
    within its popcount.
    """
    prev = np.ones((1, 1), dtype=np.uint64)  # the empty minor is 1
    n = m.shape[0]
    for k in range(1, n + 1):
        count = start[k + 1] - start[k]
        cur = np.empty((count, count), dtype=np.uint64)
        for a in range(count):
            rows = order[start[k] + a]
            r0 = 0
            while not (rows >> r0) & 1:
                r0 += 1
            sub_rows = rank[rows & (rows - 1)]
            for b in range(count):
                cols = order[start[k] + b]
                acc = np.uint64(0)
                t = 0
                for c in range(n):
                    if (cols >> c) & 1:
                        term = mul(m[r0, c], prev[sub_rows, rank[cols ^ (1 << c)]])
                        acc = add(acc, term) if t % 2 == 0 else sub(acc, term)
                        t += 1
                if acc == 0:
                    return False
                cur[a, b] = acc
        prev = cur
    return True


def is_mds(matrix: Sequence[Sequence[int]]) -> bool:
    """True iff every square submatrix of ``matrix`` (n x n, n <= 16) is nonsingular over GF(p)."""
    n = len(matrix)
    if n == 0 or n > 16 or any(len(row) != n for row in matrix):
        raise FieldError("is_mds takes a square matrix of size 1 .. 16")
    masks = sorted(range(1 << n), key=lambda x: (bin(x).count("1"), x))
    start = [0] * (n + 2)
    for k in range(n + 1):
        start[k + 1] = start[k] + sum(1 for x in masks if bin(x).count("1") == k)
    rank = [0] * (1 << n)
    for i, mask in enumerate(masks):
        rank[mask] = i - start[bin(mask).count("1")]
    return bool(
        _all_minors_nonzero(
            np.array([[int(v) % P for v in row] for row in matrix], dtype=np.uint64),
            np.array(masks, dtype=np.int64),
            np.array(start, dtype=np.int64),
            np.array(rank, dtype=np.int64),
        )
    )


def _benchmark(n: int = 1 << 15, repeats: int = 3) -> None:  # pragma: no cover - a measurement, run by hand
    import time

    rng = np.random.default_rng(1)
    states = rng.integers(0, P, size=(n, WIDTH), dtype=np.uint64)
    for kernel, name in ((_permute_rows_serial, "1 thread"), (_permute_rows_parallel, "parallel")):
        work = states.copy()
        kernel(work[:1].copy(), _MDS_ARRAY, _RC_ARRAY)  # compile / load from cache
        best = float("inf")
        for _ in range(repeats):
            work = states.copy()
            t0 = time.perf_counter()
            kernel(work, _MDS_ARRAY, _RC_ARRAY)
            best = min(best, time.perf_counter() - t0)
        print(f"{name}: {n} permutations in {best:.3f} s = {n / best:,.0f} permutations/s")
    t0 = time.perf_counter()
    for row in states[:200]:
        permute([int(x) for x in row])
    dt = time.perf_counter() - t0
    print(f"plain Python reference: {200 / dt:,.0f} permutations/s")


if __name__ == "__main__":  # pragma: no cover
    _benchmark()
