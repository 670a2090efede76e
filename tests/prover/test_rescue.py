"""Rescue-Prime over Goldilocks: parameters, kernels against the reference, sponge, journal leaves, Merkle tree."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest

from prover.crypto import rescue as rp
from prover.crypto import rescue_tree as rt
from prover.errors import FieldError, InvalidInputError

P = rp.P
rng = random.Random(2024)
EDGES = [0, 1, 2, P - 1, P - 2, 2**32 - 1, 2**32, 2**63, (P - 1) // 2]


def rand_state() -> list[int]:
    return [rng.randrange(P) for _ in range(rp.WIDTH)]


def rand_digest() -> rp.Digest:
    return tuple(rng.randrange(P) for _ in range(4))  # type: ignore[return-value]


# --- parameters --------------------------------------------------------------


def test_parameters():
    assert (rp.WIDTH, rp.RATE, rp.CAPACITY, rp.ALPHA, rp.ROUNDS) == (12, 8, 4, 7, 7)
    assert rp.ALPHA_INV == pow(7, -1, P - 1) == 10540996611094048183
    assert len(rp.ROUND_CONSTANTS) == 7 and all(len(c) == 24 for c in rp.ROUND_CONSTANTS)
    assert all(0 <= c < P for row in rp.ROUND_CONSTANTS for c in row)
    # the documented derivation: 8-byte little-endian words of SHAKE256(DOMAIN), words >= p skipped
    stream = hashlib.shake_256(rp.DOMAIN).digest(8 * 200)
    words = [int.from_bytes(stream[i : i + 8], "little") for i in range(0, len(stream), 8)]
    assert [c for row in rp.ROUND_CONSTANTS for c in row] == [w for w in words if w < P][:168]


def test_mds_is_the_systematic_reed_solomon_matrix():
    # [I | MDS^T] generates the Reed-Solomon code of evaluations at 7^0 .. 7^23 of polynomials of degree < 12:
    # each row of it is such an evaluation vector iff it lies in the row space of the Vandermonde matrix
    v = [[pow(7, i * j, P) for j in range(24)] for i in range(12)]
    generator = [[int(i == j) for j in range(12)] + [rp.MDS[j][i] for j in range(12)] for i in range(12)]
    # the left halves of V are invertible, so row i of the generator is (V_left^-1 V)[i]
    v_left_inv = rp.matrix_inverse([row[:12] for row in v])
    product = [[sum(a * b for a, b in zip(row, col)) % P for col in zip(*v)] for row in v_left_inv]
    assert product == generator


def test_mds_property_every_minor_nonzero():
    assert rp.is_mds(rp.MDS)
    assert rp.is_mds(rp.MDS_INV)  # the inverse of an MDS matrix is MDS
    identity = [[rp.MDS[i][j] * (i == j) for j in range(12)] for i in range(12)]
    assert not rp.is_mds(identity)  # zero entries: singular 1x1 minors
    singular_2x2 = [row[:] for row in rp.MDS]
    singular_2x2[5][7] = singular_2x2[4][7] * singular_2x2[5][3] * pow(singular_2x2[4][3], P - 2, P) % P
    assert not rp.is_mds(singular_2x2)  # rows 4, 5 x columns 3, 7 now singular, every entry nonzero
    assert rp.is_mds([[3, 5], [7, 11]]) and not rp.is_mds([[1, 2], [2, 4]])


def test_mds_inverse():
    for i in range(12):
        for j in range(12):
            assert sum(rp.MDS[i][k] * rp.MDS_INV[k][j] for k in range(12)) % P == int(i == j)


def test_inverse_sbox_inverts():
    for x in EDGES + [rng.randrange(P) for _ in range(200)]:
        assert pow(pow(x, rp.ALPHA, P), rp.ALPHA_INV, P) == x
        assert pow(pow(x, rp.ALPHA_INV, P), rp.ALPHA, P) == x
    xs = np.array(EDGES + [rng.randrange(P) for _ in range(3)], dtype=np.uint64)
    assert xs.shape[0] == 12
    out = np.empty(12, dtype=np.uint64)
    rp._root7_lanes(xs, out, np.empty(12, dtype=np.uint64), np.empty(12, dtype=np.uint64))
    assert [int(v) for v in out] == [pow(int(x), rp.ALPHA_INV, P) for x in xs]


# --- permutation -------------------------------------------------------------


def test_kernel_equals_reference():
    states = [rand_state() for _ in range(40)] + [[0] * 12, [P - 1] * 12, EDGES + [1, 2, 3]]
    batch = rp.permute_batch(np.array(states, dtype=np.uint64))
    assert [[int(x) for x in row] for row in batch] == [rp.permute(s) for s in states]


def test_parallel_kernel_equals_reference():
    states = np.array([rand_state() for _ in range(rp._PARALLEL_MIN + 3)], dtype=np.uint64)
    batch = rp.permute_batch(states)
    for i in rng.sample(range(states.shape[0]), 5) + [states.shape[0] - 1]:
        assert [int(x) for x in batch[i]] == rp.permute(states[i].tolist())


def test_permutation_is_not_trivial():
    zero = rp.permute([0] * 12)
    assert zero != [0] * 12 and len(set(zero)) == 12
    s = rand_state()
    t = list(s)
    t[11] = (t[11] + 1) % P
    a, b = rp.permute(s), rp.permute(t)
    assert all(x != y for x, y in zip(a, b))  # one input element changes every output element


def test_invalid_states_rejected():
    with pytest.raises(FieldError):
        rp.permute([0] * 11)
    with pytest.raises(FieldError):
        rp.permute([P] + [0] * 11)
    with pytest.raises(FieldError):
        rp.permute_batch(np.full((2, 12), P, dtype=np.uint64))
    with pytest.raises(FieldError):
        rp.permute_batch(np.zeros((2, 11), dtype=np.uint64))


def test_trace_and_round_equation():
    s = rand_state()
    trace = rp.permute_trace(s)
    assert len(trace) == rp.ROUNDS + 1 and trace[0] == s and trace[-1] == rp.permute(s)
    for r in range(rp.ROUNDS):
        assert rp.round_residual(r, trace[r], trace[r + 1]) == [0] * 12
    bad = list(trace[4])
    bad[3] = (bad[3] + 1) % P
    assert any(rp.round_residual(3, trace[3], bad))
    assert any(rp.round_residual(2, trace[3], trace[4]))  # wrong round's constants


# --- sponge, merge, journal leaves --------------------------------------------


def test_hash_elements_definition():
    values = [rng.randrange(P) for _ in range(13)]
    state = [0] * 8 + [13, rp.SPONGE_TAG, 0, 0]
    for block in (values[:8], values[8:] + [0, 0, 0]):
        state = rp.permute([(a + b) % P for a, b in zip(state[:8], block)] + state[8:])
    assert rp.hash_elements(values) == tuple(state[:4])
    assert rp.hash_elements([]) == tuple(rp.permute([0] * 8 + [0, rp.SPONGE_TAG, 0, 0])[:4])


def test_hash_elements_separates_lengths_and_padding():
    seen = {rp.hash_elements([]), rp.hash_elements([0]), rp.hash_elements([0, 0]), rp.hash_elements([0] * 8), rp.hash_elements([0] * 9)}
    assert len(seen) == 5
    assert rp.hash_elements([1, 2, 3]) != rp.hash_elements([1, 2, 3, 0])
    with pytest.raises(FieldError):
        rp.hash_elements([P])


def test_merge_definition_and_separation():
    a, b = rand_digest(), rand_digest()
    assert rp.merge(a, b) == tuple(rp.permute(list(a) + list(b) + [0] * 4)[:4])
    assert rp.merge(a, b) != rp.merge(b, a)
    assert rp.merge(a, b) != rp.hash_elements(list(a) + list(b))  # sponge tag in the capacity
    assert rp.merge(rp.ZERO_DIGEST, rp.ZERO_DIGEST) != rp.hash_elements([])
    with pytest.raises(FieldError):
        rp.merge((0, 0, 0, P), a)
    with pytest.raises(FieldError):
        rp.merge((0, 0, 0), a)


def test_merge_batch_equals_merge():
    left = [rand_digest() for _ in range(9)]
    right = [rand_digest() for _ in range(9)]
    out = rp.merge_batch(np.array(left, dtype=np.uint64), np.array(right, dtype=np.uint64))
    assert [tuple(int(x) for x in row) for row in out] == [rp.merge(a, b) for a, b in zip(left, right)]


def test_digest_bytes_roundtrip():
    d = rand_digest()
    packed = rp.digest_to_bytes(d)
    assert len(packed) == 32 and rp.digest_from_bytes(packed) == d
    assert packed[:8] == d[0].to_bytes(8, "big")
    with pytest.raises(FieldError):
        rp.digest_from_bytes(P.to_bytes(8, "big") + bytes(24))  # a word >= p has no digest
    with pytest.raises(FieldError):
        rp.digest_from_bytes(bytes(31))


PID = bytes(range(32))


def test_journal_encoding():
    elements = rp.journal_elements(PID, [5, 6], [7])
    assert elements == [int.from_bytes(PID[i : i + 4], "big") for i in range(0, 32, 4)] + [2, 5, 6, 1, 7]
    assert rp.journal_leaf(PID, [5, 6], [7]) == rp.hash_elements(elements)
    with pytest.raises(InvalidInputError):
        rp.journal_leaf(PID[:31], [], [])
    with pytest.raises(FieldError):
        rp.journal_leaf(PID, [P], [])


def test_journal_leaves_differ():
    leaves = {
        rp.journal_leaf(PID, [1, 2], [3]),
        rp.journal_leaf(PID, [1], [2, 3]),  # same concatenation, other split
        rp.journal_leaf(PID, [1, 2, 3], []),
        rp.journal_leaf(PID, [], [1, 2, 3]),
        rp.journal_leaf(PID, [1, 2], [3, 0]),  # trailing zero
        rp.journal_leaf(PID, [], []),
        rp.journal_leaf(bytes(32), [], []),
    }
    assert len(leaves) == 7


def test_journal_program_ids_that_collide_under_naive_64_bit_limbs():
    # 64-bit limbs reduced mod p identify x and x + p (for x < 2^32 - 1): two program ids, one naive encoding
    x = 12345
    low = bytes(24) + x.to_bytes(8, "big")
    high = bytes(24) + (x + P).to_bytes(8, "big")
    naive = lambda pid: [int.from_bytes(pid[i : i + 8], "big") % P for i in range(0, 32, 8)]  # noqa: E731
    assert low != high and naive(low) == naive(high)
    assert rp.journal_elements(low, [], []) != rp.journal_elements(high, [], [])
    assert rp.journal_leaf(low, [9], [10]) != rp.journal_leaf(high, [9], [10])


# --- Merkle tree ---------------------------------------------------------------


def test_tree_shapes():
    leaves = [rand_digest() for _ in range(5)]
    assert rt.root(leaves[:1]) == leaves[0]
    assert rt.root(leaves[:2]) == rp.merge(leaves[0], leaves[1])
    expected = rp.merge(
        rp.merge(rp.merge(leaves[0], leaves[1]), rp.merge(leaves[2], leaves[3])),
        rp.merge(rp.merge(leaves[4], rp.ZERO_DIGEST), rp.merge(rp.ZERO_DIGEST, rp.ZERO_DIGEST)),
    )
    assert rt.root(leaves) == expected
    with pytest.raises(rt.RescueInclusionError):
        rt.root([])
    with pytest.raises(rt.RescueInclusionError):
        rt.root([(P, 0, 0, 0)])


def test_inclusion_proofs_and_forgeries():
    leaves = [rand_digest() for _ in range(11)]
    root = rt.root(leaves)
    for i, leaf in enumerate(leaves):
        path = rt.inclusion_proof(leaves, i)
        assert len(path) == 4
        assert rt.verify_inclusion(root, leaf, i, path)
        assert rt.root_from_path(leaf, i, path) == root
    path = rt.inclusion_proof(leaves, 6)
    assert not rt.verify_inclusion(root, leaves[6], 7, path)  # wrong position
    assert not rt.verify_inclusion(root, leaves[6], 6 + 16, path)  # position beyond the path
    assert not rt.verify_inclusion(root, leaves[6], -1, path)
    assert not rt.verify_inclusion(root, leaves[5], 6, path)  # wrong leaf
    assert not rt.verify_inclusion(root, leaves[6], 6, path[:-1])  # short path
    forged = [list(p) for p in path]
    forged[2][1] = (forged[2][1] + 1) % P
    assert not rt.verify_inclusion(root, leaves[6], 6, forged)
    non_canonical = list(leaves[6])
    non_canonical[0] += P  # the same element mod p, not a canonical digest
    if non_canonical[0] < 2**64:
        assert not rt.verify_inclusion(root, non_canonical, 6, path)
    assert not rt.verify_inclusion(root, leaves[6], 6, path[:2] + [(P, 0, 0, 0)] + path[3:])
    assert not rt.verify_inclusion(rp.ZERO_DIGEST, leaves[6], 6, path)
    with pytest.raises(rt.RescueInclusionError):
        rt.inclusion_proof(leaves, 11)


def test_large_tree_batch_kernel_equals_reference():
    leaves = [rand_digest() for _ in range(130)]  # 256 wide: levels of 128 and 64 use the numba kernel
    levels = rt.levels(leaves)
    assert [len(level) for level in levels] == [256, 128, 64, 32, 16, 8, 4, 2, 1]
    for depth in (0, 1):
        for i in rng.sample(range(len(levels[depth + 1])), 4):
            assert levels[depth + 1][i] == rp.merge(levels[depth][2 * i], levels[depth][2 * i + 1])
    path = rt.inclusion_proof(leaves, 129)
    assert rt.verify_inclusion(levels[-1][0], leaves[129], 129, path)


def test_journal_root():
    from prover.receipt import Journal

    journals = [Journal(PID, (i,), (i * i,)) for i in range(3)]
    leaves = rt.journal_leaves(journals)
    assert leaves == [rp.journal_leaf(PID, (i,), (i * i,)) for i in range(3)]
    assert rt.journal_root(journals) == rt.root(leaves)


def test_trace_batch_equals_reference():
    states = [rand_state() for _ in range(5)]
    traces = rp.permute_trace_batch(np.array(states, dtype=np.uint64))
    assert traces.shape == (5, rp.ROUNDS + 1, 12)
    assert [[[int(x) for x in row] for row in t] for t in traces] == [rp.permute_trace(s) for s in states]
