"""keccak Merkle trees and batched multiproofs."""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.crypto.keccak import keccak256
from prover.crypto.merkle import MerkleTree, leaf_hashes_of, multiproof_size, verify_multiproof

rng = random.Random(9)


def leaves(count: int, size: int = 24) -> np.ndarray:
    return np.frombuffer(rng.randbytes(count * size), dtype=np.uint8).reshape(count, size)


def naive_root(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    half = len(hashes) // 2
    return keccak256(naive_root(hashes[:half]) + naive_root(hashes[half:]))


def flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


@pytest.mark.parametrize("count,size", [(1, 24), (2, 24), (4, 1), (64, 0), (1024, 24), (4096, 16), (256, 200)])
def test_root_matches_naive(count, size):
    data = leaves(count, size)
    tree = MerkleTree(data)
    hashes = [keccak256(row.tobytes()) for row in data]
    assert tree.root == naive_root(hashes)
    assert tree.depth == count.bit_length() - 1
    assert tree.num_leaves == count
    assert [tree.leaf_hash(i) for i in range(count)] == hashes


def test_one_leaf_tree():
    data = leaves(1, 5)
    tree = MerkleTree(data)
    assert tree.root == keccak256(data[0].tobytes()) and tree.depth == 0
    assert tree.multiproof([0]) == [] and multiproof_size(0, [0]) == 0
    assert verify_multiproof(tree.root, 0, [0], [tree.root], [])
    assert not verify_multiproof(tree.root, 0, [0], [tree.root], [tree.root])
    assert not verify_multiproof(tree.root, 0, [0], [flip(tree.root)], [])


def test_node_order_follows_the_specification():
    tree = MerkleTree(leaves(8))
    level0, level1 = tree.levels[0], tree.levels[1]
    # level 0: 1 is lone (node 0), 2-3 are siblings, 6 is lone (node 7); level 1: 0-1 siblings, 3 lone (node 2).
    expected = [level0[0].tobytes(), level0[7].tobytes(), level1[2].tobytes()]
    assert tree.multiproof([1, 2, 3, 6]) == expected
    assert multiproof_size(3, [1, 2, 3, 6]) == 3
    # an odd index followed by its even successor is not a sibling pair.
    assert tree.multiproof([1, 2]) == [level0[0].tobytes(), level0[3].tobytes(), tree.levels[2][1].tobytes()]


def _index_sets(count):
    yield [0]
    yield [count - 1]
    yield list(range(count))
    if count >= 4:
        yield [0, 1]
        yield [1, 2]
        yield [count - 2, count - 1]
        yield list(range(0, count, 2))
        yield list(range(1, count, 2))
    for _ in range(10):
        k = rng.randint(1, count)
        yield sorted(rng.sample(range(count), k))


@pytest.mark.parametrize("count", [1, 2, 4, 8, 256, 4096])
def test_multiproofs_verify_and_count(count):
    tree = MerkleTree(leaves(count))
    for idx in _index_sets(count):
        nodes = tree.multiproof(idx)
        assert len(nodes) == multiproof_size(tree.depth, idx)
        assert all(len(n) == 32 for n in nodes)
        hashes = [tree.leaf_hash(i) for i in idx]
        assert verify_multiproof(tree.root, tree.depth, idx, hashes, nodes)
    assert tree.multiproof(list(range(count))) == []


def test_multiproof_shares_nodes():
    tree = MerkleTree(leaves(1024))
    idx = sorted(rng.sample(range(1024), 32))
    assert len(tree.multiproof(idx)) < 32 * tree.depth * 0.8
    assert len(tree.multiproof([0])) == tree.depth


def test_multiproof_accepts_numpy_indices():
    tree = MerkleTree(leaves(16))
    idx = np.array([2, 5, 11])
    assert tree.multiproof(idx) == tree.multiproof([2, 5, 11])


@pytest.mark.parametrize("count", [2, 128])
def test_tampering_is_detected(count):
    tree = MerkleTree(leaves(count))
    depth = tree.depth
    idx = sorted(rng.sample(range(count), min(10, count - 1)))
    nodes = tree.multiproof(idx)
    hashes = [tree.leaf_hash(i) for i in idx]
    root = tree.root
    assert verify_multiproof(root, depth, idx, hashes, nodes)
    for k in range(len(nodes)):
        assert not verify_multiproof(root, depth, idx, hashes, nodes[:k] + [flip(nodes[k])] + nodes[k + 1 :])
        assert not verify_multiproof(root, depth, idx, hashes, nodes[:k] + nodes[k + 1 :])
        assert not verify_multiproof(root, depth, idx, hashes, nodes[:k] + [nodes[k], nodes[k]] + nodes[k + 1 :])
    for k in range(len(hashes)):
        assert not verify_multiproof(root, depth, idx, hashes[:k] + [flip(hashes[k])] + hashes[k + 1 :], nodes)
    assert not verify_multiproof(flip(root), depth, idx, hashes, nodes)
    assert not verify_multiproof(root, depth, idx, hashes, nodes + [root])
    if len(nodes) >= 2:
        assert not verify_multiproof(root, depth, idx, hashes, [nodes[1], nodes[0]] + nodes[2:])
    for _ in range(20):
        moved = sorted(rng.sample(range(count), len(idx)))
        if moved != idx:
            assert not verify_multiproof(root, depth, moved, hashes, nodes)


def test_malformed_inputs_return_false():
    tree = MerkleTree(leaves(16))
    idx = [3, 8, 9]
    nodes = tree.multiproof(idx)
    hashes = [tree.leaf_hash(i) for i in idx]
    root = tree.root
    assert verify_multiproof(root, 4, idx, hashes, nodes)
    assert not verify_multiproof(root, 4, idx, hashes, [n[:31] for n in nodes])
    assert not verify_multiproof(root, 4, idx, hashes, [n + b"\0" for n in nodes])
    assert not verify_multiproof(root, 4, idx, hashes, nodes[:-1] + ["x" * 32])
    assert not verify_multiproof(root, 4, idx, hashes, nodes[:-1] + [None])
    assert not verify_multiproof(root, 4, idx, [hashes[0][:31]] + hashes[1:], nodes)
    assert not verify_multiproof(root[:31], 4, idx, hashes, nodes)
    assert not verify_multiproof(root, 4, [], [], [])
    assert not verify_multiproof(root, 3, [3], [hashes[0]], nodes)
    assert not verify_multiproof(root, 5, idx, hashes, nodes)
    assert verify_multiproof(bytearray(root), 4, idx, [bytearray(h) for h in hashes], [bytearray(n) for n in nodes])


def test_bad_indices_raise():
    tree = MerkleTree(leaves(8))
    h = [b"x" * 32] * 2
    for bad in ([2, 1], [1, 1], [8], [-1, 2]):
        with pytest.raises(ValueError):
            tree.multiproof(bad)
        with pytest.raises(ValueError):
            multiproof_size(3, bad)
    with pytest.raises(ValueError):
        verify_multiproof(tree.root, 3, [1, 1], h, [])
    with pytest.raises(ValueError):
        verify_multiproof(tree.root, 3, [2, 1], h, [])
    with pytest.raises(ValueError):
        verify_multiproof(tree.root, 3, [0, 8], h, [])
    with pytest.raises(ValueError):
        verify_multiproof(tree.root, 3, [0, 1], h[:1], [])
    with pytest.raises(ValueError):
        verify_multiproof(tree.root, -1, [0], h[:1], [])
    with pytest.raises(ValueError):
        tree.leaf_hash(8)


def test_bad_leaves_raise():
    for bad in (leaves(6), np.zeros((0, 4), dtype=np.uint8), np.zeros(8, dtype=np.uint8), np.zeros((4, 2), dtype=np.uint64)):
        with pytest.raises(ValueError):
            MerkleTree(bad)


def test_leaf_hashes_of():
    rows = [bytes([i]) * 40 for i in range(5)]
    assert leaf_hashes_of(rows) == [keccak256(r) for r in rows]
    assert leaf_hashes_of([b"a", b"bb"]) == [keccak256(b"a"), keccak256(b"bb")]
    assert leaf_hashes_of([b""]) == [keccak256(b"")]
    assert leaf_hashes_of([]) == []
