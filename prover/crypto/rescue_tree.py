"""The Rescue-Prime Merkle tree over digests: the algebraic twin of aggregator/journal_tree.py.

Leaves are 4-element Rescue digests (for journals, :func:`prover.crypto.rescue.journal_leaf`)
in order, padded with :data:`~prover.crypto.rescue.ZERO_DIGEST` to a power of
two; a node is ``merge(left, right)``.  A tree of one leaf has that leaf as its
root.  The API mirrors the keccak journal tree (``root``, ``inclusion_proof``,
``verify_inclusion``); ``contracts/stark/rescue.vy`` checks the same paths on
L1, where a digest travels as one bytes32 (:func:`prover.crypto.rescue.digest_to_bytes`).

Levels of 64 nodes or more are built with the numba batch kernel, smaller ones
with the plain-Python reference (no compilation on the aggregator's small batches).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from prover.crypto.rescue import ZERO_DIGEST, Digest, P, journal_leaf, merge, merge_batch
from prover.errors import SuperVMError

_BATCH_MIN = 64


class RescueInclusionError(SuperVMError):
    """Raised when a tree has no leaves or a proof is asked for a position outside it."""


def _canonical(digest: Sequence[int]) -> Digest | None:
    try:
        d = tuple(int(x) for x in digest)
    except (TypeError, ValueError):
        return None
    if len(d) != 4 or not all(0 <= x < P for x in d):
        return None
    return d  # type: ignore[return-value]


def _next_level(level: list[Digest]) -> list[Digest]:
    if len(level) >= _BATCH_MIN:
        nodes = np.array(level, dtype=np.uint64)
        out = merge_batch(nodes[0::2], nodes[1::2])
        return [tuple(int(x) for x in row) for row in out]  # type: ignore[misc]
    return [merge(level[i], level[i + 1]) for i in range(0, len(level), 2)]


def levels(leaves: Sequence[Sequence[int]]) -> list[list[Digest]]:
    """Every level of the tree, padded leaves first, the one-node root level last."""
    if not leaves:
        raise RescueInclusionError("a Rescue tree needs at least one leaf")
    level: list[Digest] = []
    for leaf in leaves:
        d = _canonical(leaf)
        if d is None:
            raise RescueInclusionError(f"{leaf!r} is not a digest of 4 canonical field elements")
        level.append(d)
    width = 1 << (len(level) - 1).bit_length()
    level += [ZERO_DIGEST] * (width - len(level))
    out = [level]
    while len(level) > 1:
        level = _next_level(level)
        out.append(level)
    return out


def root(leaves: Sequence[Sequence[int]]) -> Digest:
    """Root of the tree over ``leaves`` (in order)."""
    return levels(leaves)[-1][0]


def inclusion_proof(leaves: Sequence[Sequence[int]], position: int) -> list[Digest]:
    """Sibling digests from the leaf at ``position`` up to the root (leaf level first)."""
    if not 0 <= position < len(leaves):
        raise RescueInclusionError(f"position {position} is outside a tree of {len(leaves)} leaves")
    path = []
    for level in levels(leaves)[:-1]:
        path.append(level[position ^ 1])
        position >>= 1
    return path


def root_from_path(leaf: Sequence[int], position: int, path: Sequence[Sequence[int]]) -> Digest | None:
    """The root that ``path`` leads to from ``leaf`` at ``position``; None if the position or a digest is invalid."""
    node = _canonical(leaf)
    if node is None or position < 0 or position >> len(path):
        return None
    for sibling in path:
        s = _canonical(sibling)
        if s is None:
            return None
        node = merge(s, node) if position & 1 else merge(node, s)
        position >>= 1
    return node


def verify_inclusion(root_digest: Sequence[int], leaf: Sequence[int], position: int, path: Sequence[Sequence[int]]) -> bool:
    """True iff ``leaf`` is leaf ``position`` under ``root_digest`` (the rule of contracts/stark/rescue.vy)."""
    expected = _canonical(root_digest)
    return expected is not None and root_from_path(leaf, position, path) == expected


def journal_leaves(journals: Sequence) -> list[Digest]:
    """The Rescue leaves of journals (objects with program_id, inputs and outputs, e.g. prover.receipt.Journal)."""
    return [journal_leaf(j.program_id, j.inputs, j.outputs) for j in journals]


def journal_root(journals: Sequence) -> Digest:
    """Root of the Rescue tree of ``journals`` (batch order)."""
    return root(journal_leaves(journals))
