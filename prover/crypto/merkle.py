"""Binary keccak256 Merkle trees with batched multiproofs.

leaf hash = keccak256(leaf bytes), always hashed even when short;
node = keccak256(left || right); a one-leaf tree's root is its leaf hash.
The prover builds whole levels with the numba batch kernels.

A multiproof opens many leaves at once and shares every node two openings
have in common.  The order of its nodes is specified (docs/proof-format.md)
because the EVM verifier consumes them in one pass: level by level from the
leaves, scanning the sorted unique indices left to right, an even index whose
successor is also in the list consumes no node (the pair are siblings), any
other index consumes its sibling (i XOR 1) as the next node; the parents
(i >> 1, deduplicated) form the next level.  ``verify_multiproof`` walks the
levels in plain Python and hashes each level's 64-byte inputs in one batch
call (five times faster than one pycryptodome call per node on a STARK).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from prover.crypto.keccak import hash_pairs, keccak256, keccak256_rows

HASH_SIZE = 32


def _checked_indices(indices: Sequence[int], num_leaves: int) -> list[int]:
    """The indices as a list of ints; ValueError unless sorted, unique and in [0, num_leaves)."""
    result = [operator.index(i) for i in indices]
    for a, b in pairwise(result):
        if a >= b:
            raise ValueError("indices must be sorted and unique")
    if result and (result[0] < 0 or result[-1] >= num_leaves):
        raise ValueError(f"index out of range for {num_leaves} leaves")
    return result


def _checked_depth(depth: int) -> int:
    depth = operator.index(depth)
    if depth < 0:
        raise ValueError("depth must be non-negative")
    return depth


def _level_step(current: list[int]) -> tuple[list[int], list[int]]:
    """One level of the walk: (indices whose sibling is the next proof node, parent indices)."""
    lone: list[int] = []
    parents: list[int] = []
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


class MerkleTree:
    """All levels of a keccak256 tree over a power-of-two number of byte rows.

    ``levels[0]`` holds the leaf hashes and ``levels[depth]`` the root, each a
    uint8[n, 32] array.
    """

    def __init__(self, leaves: np.ndarray) -> None:
        leaves = np.asarray(leaves)
        if leaves.ndim != 2 or leaves.dtype != np.uint8:
            raise ValueError(f"leaves must be a 2-D uint8 array, got {leaves.dtype} {leaves.shape}")
        m = leaves.shape[0]
        if m < 1 or m & (m - 1):
            raise ValueError(f"number of leaves must be a power of two, got {m}")
        level = keccak256_rows(leaves)
        self.levels: list[np.ndarray] = [level]
        while level.shape[0] > 1:
            level = hash_pairs(level)
            self.levels.append(level)

    @property
    def root(self) -> bytes:
        """The 32-byte root."""
        return self.levels[-1][0].tobytes()

    @property
    def depth(self) -> int:
        """log2 of the number of leaves."""
        return len(self.levels) - 1

    @property
    def num_leaves(self) -> int:
        """Number of leaves (a power of two)."""
        return self.levels[0].shape[0]

    def leaf_hash(self, index: int) -> bytes:
        """keccak256 of leaf ``index``."""
        if not 0 <= index < self.num_leaves:
            raise ValueError(f"leaf index {index} out of range")
        return self.levels[0][index].tobytes()

    def multiproof(self, indices: Sequence[int]) -> list[bytes]:
        """Nodes proving the leaves at sorted unique ``indices``, in the specified order."""
        current = _checked_indices(indices, self.num_leaves)
        nodes: list[bytes] = []
        for level in self.levels[:-1]:
            lone, current = _level_step(current)
            nodes.extend(level[i ^ 1].tobytes() for i in lone)
        return nodes


def multiproof_size(depth: int, indices: Sequence[int]) -> int:
    """Number of nodes a multiproof for sorted unique ``indices`` in a depth-``depth`` tree holds."""
    depth = _checked_depth(depth)
    current = _checked_indices(indices, 1 << depth)
    count = 0
    for _ in range(depth):
        lone, current = _level_step(current)
        count += len(lone)
    return count


def _hash_level(inputs: list[bytes]) -> list[bytes]:
    """keccak256 of each 64-byte input: one batch kernel call, or pycryptodome for a single one."""
    if len(inputs) == 1:
        return [keccak256(inputs[0])]
    digests = hash_pairs(np.frombuffer(b"".join(inputs), dtype=np.uint8).reshape(2 * len(inputs), HASH_SIZE))
    return [row.tobytes() for row in digests]


def _is_hash(value: object) -> bool:
    return isinstance(value, (bytes, bytearray)) and len(value) == HASH_SIZE


def verify_multiproof(
    root: bytes, depth: int, indices: Sequence[int], leaf_hashes: Sequence[bytes], nodes: Sequence[bytes]
) -> bool:
    """True iff the leaf hashes at ``indices`` and exactly these ``nodes`` hash up to ``root``.

    Returns False on any mismatch (including malformed nodes or hashes and
    unused or missing nodes); raises ValueError only for unsorted, duplicate
    or out-of-range indices or a leaf-hash count that differs from theirs.
    """
    depth = _checked_depth(depth)
    current_idx = _checked_indices(indices, 1 << depth)
    if len(leaf_hashes) != len(current_idx):
        raise ValueError("one leaf hash per index is required")
    if not current_idx or not _is_hash(root):
        return False
    if not all(_is_hash(h) for h in leaf_hashes) or not all(_is_hash(n) for n in nodes):
        return False
    current = [bytes(h) for h in leaf_hashes]
    used = 0
    for _ in range(depth):
        parent_idx: list[int] = []
        inputs: list[bytes] = []
        i = 0
        while i < len(current_idx):
            idx = current_idx[i]
            if idx % 2 == 0 and i + 1 < len(current_idx) and current_idx[i + 1] == idx + 1:
                inputs.append(current[i] + current[i + 1])
                i += 2
            else:
                if used == len(nodes):
                    return False
                sibling = bytes(nodes[used])
                used += 1
                inputs.append(sibling + current[i] if idx & 1 else current[i] + sibling)
                i += 1
            parent_idx.append(idx >> 1)
        current_idx, current = parent_idx, _hash_level(inputs)
    return used == len(nodes) and current[0] == bytes(root)


def leaf_hashes_of(leaves: Sequence[bytes]) -> list[bytes]:
    """keccak256 of each leaf; equal-length leaves are hashed in one batch kernel call."""
    if len(leaves) > 1 and len({len(leaf) for leaf in leaves}) == 1:
        rows = np.frombuffer(b"".join(leaves), dtype=np.uint8).reshape(len(leaves), len(leaves[0]))
        return [row.tobytes() for row in keccak256_rows(rows)]
    return [keccak256(leaf) for leaf in leaves]
