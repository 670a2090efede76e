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
            i = 0
            parents = []
            while i < len(current):
                idx = current[i]
                if idx % 2 == 0 and i + 1 < len(current) and current[i + 1] == idx + 1:
                    i += 2
                else:
                    nodes.append(level[idx ^ 1].tobytes())
                    i += 1
                if not parents or parents[-1] != idx >> 1:
                    parents.append(idx >> 1)
            current = parents
        return nodes


def multiproof_size(depth: int, indices: Sequence[int]) -> int:
    """Number of nodes a multiproof for sorted unique ``indices`` consumes."""
    _check_indices(indices, 1 << depth)
    count = 0
    current = list(indices)
    for _ in range(depth):
        i = 0
        parents = []
        while i < len(current):
            idx = current[i]
            if idx % 2 == 0 and i + 1 < len(current) and current[i + 1] == idx + 1:
                i += 2
            else:
                count += 1
                i += 1
            if not parents or parents[-1] != idx >> 1:
                parents.append(idx >> 1)
        current = parents
    return count


def verify_multiproof(
    root: bytes, depth: int, indices: Sequence[int], leaf_hashes: Sequence[bytes], nodes: Sequence[bytes]
) -> bool:
    """True iff the leaves hash up to ``root`` with exactly these nodes."""
    _check_indices(indices, 1 << depth)
    if len(leaf_hashes) != len(indices):
        raise ValueError("one leaf hash per index")
    if not indices:
        return False
    current = list(zip(indices, leaf_hashes))
    used = 0
    for _ in range(depth):
        i = 0
        parents: list[tuple[int, bytes]] = []
        while i < len(current):
            idx, h = current[i]
            if idx % 2 == 0 and i + 1 < len(current) and current[i + 1][0] == idx + 1:
                parent = keccak256(h + current[i + 1][1])
                i += 2
            else:
                if used >= len(nodes):
                    return False
                sibling = nodes[used]
                used += 1
                parent = keccak256(sibling + h) if idx % 2 else keccak256(h + sibling)
                i += 1
            parents.append((idx >> 1, parent))
        current = parents
    return used == len(nodes) and len(current) == 1 and current[0][1] == root


def leaf_hashes_of(leaves: Sequence[bytes]) -> list[bytes]:
    return [keccak256(leaf) for leaf in leaves]
