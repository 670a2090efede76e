"""Binary keccak256 Merkle trees with batched multiproofs.

leaf hash = keccak256(leaf bytes); node = keccak256(left || right).  A
multiproof opens many leaves at once and shares every node two openings have
in common.  The order of its nodes is specified (docs/proof-format.md) so the
EVM verifier can consume them in one pass: level by level from the leaves,
scanning the sorted unique indices left to right, a sibling pair consumes no
node and a lone index consumes its sibling.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from prover.crypto.keccak import hash_pairs, keccak256, keccak256_rows


def _check_indices(indices: Sequence[int], num_leaves: int) -> None:
    for a, b in zip(indices, indices[1:]):
        if a >= b:
            raise ValueError("indices must be sorted and unique")
    if indices and (indices[0] < 0 or indices[-1] >= num_leaves):
        raise ValueError("index out of range")


class MerkleTree:
    """All levels of a tree over a power-of-two number of byte rows."""

    def __init__(self, leaves: np.ndarray) -> None:
        m = leaves.shape[0]
        if m < 1 or m & (m - 1):
            raise ValueError(f"number of leaves must be a power of two, got {m}")
        level = keccak256_rows(np.ascontiguousarray(leaves, dtype=np.uint8))
        self.levels = [level]
        while level.shape[0] > 1:
            level = hash_pairs(level)
            self.levels.append(level)

    @property
    def root(self) -> bytes:
        return self.levels[-1][0].tobytes()

    @property
    def depth(self) -> int:
        return len(self.levels) - 1

    @property
    def num_leaves(self) -> int:
        return self.levels[0].shape[0]

    def leaf_hash(self, index: int) -> bytes:
        return self.levels[0][index].tobytes()

    def multiproof(self, indices: Sequence[int]) -> list[bytes]:
        """Nodes proving the leaves at sorted unique ``indices``, in verifier order."""
        _check_indices(indices, self.num_leaves)
        nodes: list[bytes] = []
        current = list(indices)
        for level in self.levels[:-1]:
            lone, current = _level_step(current)
            nodes += [level[i ^ 1].tobytes() for i in lone]
        return nodes


def _level_step(current: list[int]) -> tuple[list[int], list[int]]:
    """One level of the multiproof walk: (indices whose sibling is a proof node, parent indices)."""
    lone = []
    parents = []
    i = 0
    while i < len(current):
        idx = current[i]
        if idx % 2 == 0 and i + 1 < len(current) and current[i + 1] == idx + 1:
            i += 2
        else:
            lone.append(idx)
            i += 1
        parents.append(idx >> 1)
    return lone, parents


def multiproof_size(depth: int, indices: Sequence[int]) -> int:
    """Number of nodes a multiproof for sorted unique ``indices`` consumes."""
    _check_indices(indices, 1 << depth)
    count = 0
    current = list(indices)
    for _ in range(depth):
        lone, current = _level_step(current)
        count += len(lone)
    return count


def _hash_concat(pairs: list[bytes]) -> list[bytes]:
    """keccak256 of each 64-byte string, in one batch kernel call."""
    if len(pairs) == 1:
        return [keccak256(pairs[0])]
    digests = hash_pairs(np.frombuffer(b"".join(pairs), dtype=np.uint8).reshape(2 * len(pairs), 32))
    return [row.tobytes() for row in digests]


def verify_multiproof(
    root: bytes, depth: int, indices: Sequence[int], leaf_hashes: Sequence[bytes], nodes: Sequence[bytes]
) -> bool:
    """True iff the leaves hash up to ``root`` with exactly these nodes."""
    _check_indices(indices, 1 << depth)
    if len(leaf_hashes) != len(indices):
        raise ValueError("one leaf hash per index")
    if not indices or any(len(n) != 32 for n in nodes) or any(len(h) != 32 for h in leaf_hashes):
        return False
    current_idx = list(indices)
    current = list(leaf_hashes)
    used = 0
    for _ in range(depth):
        i = 0
        parent_idx: list[int] = []
        inputs: list[bytes] = []
        while i < len(current_idx):
            idx = current_idx[i]
            if idx % 2 == 0 and i + 1 < len(current_idx) and current_idx[i + 1] == idx + 1:
                inputs.append(current[i] + current[i + 1])
                i += 2
            else:
                if used >= len(nodes):
                    return False
                sibling = nodes[used]
                used += 1
                inputs.append(sibling + current[i] if idx % 2 else current[i] + sibling)
                i += 1
            parent_idx.append(idx >> 1)
        current_idx = parent_idx
        current = _hash_concat(inputs)
    return used == len(nodes) and len(current) == 1 and current[0] == root


def leaf_hashes_of(leaves: Sequence[bytes]) -> list[bytes]:
    """keccak256 of each leaf; equal-length leaves are hashed in one batch kernel call."""
    if len(leaves) > 1 and len({len(leaf) for leaf in leaves}) == 1:
        rows = np.frombuffer(b"".join(leaves), dtype=np.uint8).reshape(len(leaves), len(leaves[0]))
        return [row.tobytes() for row in keccak256_rows(rows)]
    return [keccak256(leaf) for leaf in leaves]
