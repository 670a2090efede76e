"""The keccak Merkle tree of a batch's member journals.

Leaves are the keccak256 digests of the encoded member journals
(:attr:`prover.receipt.Journal.digest`), each at its tree position (batch
order, or the block layout of :mod:`aggregator.blocks`); every other leaf, up
to a power of two, is a zero word.  A node is keccak256(left || right).  A
batch of one has its single digest as root, which is what the rollup stores
for a single receipt.  The same tree is rebuilt by the rollup contract from
calldata and checked by its ``journal_in_batch`` view.
"""

from __future__ import annotations

from typing import Sequence, TypeVar

from prover.crypto.keccak import keccak256
from prover.errors import SuperVMError
from prover.programs import program_by_id
from prover.receipt import Journal

ZERO_LEAF = bytes(32)

T = TypeVar("T")


class InclusionError(SuperVMError):
    """Raised when an inclusion proof is requested for a position outside the batch."""


def _levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    if not leaves:
        raise InclusionError("a journal tree needs at least one leaf")
    width = 1 << (len(leaves) - 1).bit_length()
    level = list(leaves) + [ZERO_LEAF] * (width - len(leaves))
    levels = [level]
    while len(level) > 1:
        level = [keccak256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


def placed(items: Sequence[T], positions: Sequence[int] | None, padding: T) -> list[T]:
    """``items`` at their tree ``positions`` (batch order if None), ``padding`` in every other leaf before the last."""
    if positions is None:
        return list(items)
    if len(positions) != len(items):
        raise InclusionError("one tree position per member is needed")
    out = [padding] * (max(positions) + 1 if positions else 0)
    for item, position in zip(items, positions):
        out[position] = item
    return out


def journal_root(journals: Sequence[Journal], positions: Sequence[int] | None = None) -> bytes:
    """Root of the journal tree of ``journals`` (batch order) at ``positions`` (consecutive if None)."""
    return _levels(placed([j.digest for j in journals], positions, ZERO_LEAF))[-1][0]


def journal_tree_node(journals: Sequence[Journal], positions: Sequence[int] | None, level: int, index: int) -> bytes:
    """Node ``index`` of ``level`` (0: the leaves) of the journal tree: an L2 block's root, for one."""
    levels = _levels(placed([j.digest for j in journals], positions, ZERO_LEAF))
    if not 0 <= level < len(levels) or not 0 <= index < len(levels[level]):
        raise InclusionError(f"the journal tree has no node {index} at level {level}")
    return levels[level][index]


def inclusion_proof(journals: Sequence[Journal], position: int, positions: Sequence[int] | None = None) -> list[bytes]:
    """Sibling hashes from the member at tree ``position`` up to the root (leaf level first)."""
    if (positions is None and not 0 <= position < len(journals)) or (positions is not None and position not in positions):
        raise InclusionError(f"tree position {position} holds no member of this batch of {len(journals)}")
    path = []
    for level in _levels(placed([j.digest for j in journals], positions, ZERO_LEAF))[:-1]:
        path.append(level[position ^ 1])
        position >>= 1
    return path


def verify_inclusion(root: bytes, journal: bytes, position: int, path: Sequence[bytes]) -> bool:
    """True iff the journal bytes are leaf ``position`` under ``root`` (the contract's rule).

    Like ``Rollup.journal_in_batch``, this hashes the journal itself and requires a known program
    id: a bare hash could be an inner node reached by a shorter path, or a padding slot's zero leaf.
    """
    if position >> len(path) or len(journal) < 32:
        return False
    try:
        program_by_id(bytes(journal[:32]))
    except SuperVMError:
        return False
    node = keccak256(bytes(journal))
    for sibling in path:
        node = keccak256(sibling + node) if position & 1 else keccak256(node + sibling)
        position >>= 1
    return node == root
