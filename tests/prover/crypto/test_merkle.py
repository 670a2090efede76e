"""keccak Merkle trees and batched multiproofs."""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.crypto.keccak import keccak256
from prover.crypto.merkle import MerkleTree, leaf_hashes_of, multiproof_size, verify_multiproof

rng = random.Random(9)


def leaves(count: int, size: int = 24) -> np.ndarray:
    return np.frombuffer(bytes(rng.randrange(256) for _ in range(count * size)), dtype=np.uint8).reshape(count, size)


def naive_root(hashes: list[bytes]) -> bytes:
    while len(hashes) > 1:
        hashes = [keccak256(hashes[i] + hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


@pytest.mark.parametrize("count", [1, 2, 4, 64, 1024])
def test_root_matches_naive(count):
    data = leaves(count)
    tree = MerkleTree(data)
    assert tree.root == naive_root([keccak256(row.tobytes()) for row in data])
    assert tree.depth == count.bit_length() - 1


def _index_sets(count):
    yield [0]
    yield [count - 1]
    yield list(range(count))
    if count >= 4:
        yield [0, 1]
        yield [1, 2]
        yield [count - 2, count - 1]
    for _ in range(10):
        k = rng.randint(1, count)
        yield sorted(rng.sample(range(count), k))


@pytest.mark.parametrize("count", [1, 2, 8, 256])
def test_multiproofs_verify_and_count(count):
    data = leaves(count)
    tree = MerkleTree(data)
    for idx in _index_sets(count):
        nodes = tree.multiproof(idx)
        assert len(nodes) == multiproof_size(tree.depth, idx)
        hashes = [tree.leaf_hash(i) for i in idx]
        assert verify_multiproof(tree.root, tree.depth, idx, hashes, nodes)


def test_multiproof_shares_nodes():
    tree = MerkleTree(leaves(1024))
    idx = sorted(rng.sample(range(1024), 32))
    assert len(tree.multiproof(idx)) < 32 * tree.depth * 0.8


def test_tampering_is_detected():
    tree = MerkleTree(leaves(128))
    idx = sorted(rng.sample(range(128), 10))
    nodes = tree.multiproof(idx)
    hashes = [tree.leaf_hash(i) for i in idx]
    root = tree.root
    flip = lambda b: bytes([b[0] ^ 1]) + b[1:]  # noqa: E731
    for k in range(len(nodes)):
        assert not verify_multiproof(root, tree.depth, idx, hashes, nodes[:k] + [flip(nodes[k])] + nodes[k + 1 :])
    for k in range(len(hashes)):
        assert not verify_multiproof(root, tree.depth, idx, hashes[:k] + [flip(hashes[k])] + hashes[k + 1 :], nodes)
    assert not verify_multiproof(flip(root), tree.depth, idx, hashes, nodes)
    assert not verify_multiproof(root, tree.depth, idx, hashes, nodes[:-1])
    assert not verify_multiproof(root, tree.depth, idx, hashes, nodes + [nodes[0]])
    moved = sorted(set(idx[:-1] + [(idx[-1] + 1) % 128]))
    if len(moved) == len(idx):
        assert not verify_multiproof(root, tree.depth, moved, hashes, nodes)
    assert not verify_multiproof(root, tree.depth, idx, hashes, [n[:31] for n in nodes])


def test_bad_indices_raise():
    tree = MerkleTree(leaves(8))
    with pytest.raises(ValueError):
        tree.multiproof([2, 1])
    with pytest.raises(ValueError):
        tree.multiproof([8])
    with pytest.raises(ValueError):
        verify_multiproof(tree.root, 3, [1, 1], [b"x" * 32] * 2, [])
    with pytest.raises(ValueError):
        MerkleTree(leaves(6))


def test_leaf_hashes_of():
    rows = [bytes([i]) * 40 for i in range(5)]
    assert leaf_hashes_of(rows) == [keccak256(r) for r in rows]
    assert leaf_hashes_of([b"a", b"bb"]) == [keccak256(b"a"), keccak256(b"bb")]
