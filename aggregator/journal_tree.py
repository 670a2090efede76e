"""The keccak Merkle tree of a batch's member journals.

Leaves are the keccak256 digests of the encoded member journals
(:attr:`prover.receipt.Journal.digest`) in batch order, padded with zero
words to a power of two; a node is keccak256(left || right).  A batch of one
has its single digest as root, which is what the rollup stores for a single
receipt.  The same tree is rebuilt by the rollup contract from calldata and
checked by its ``journal_in_batch`` view.
"""

from __future__ import annotations

from typing import Sequence

from prover.crypto.keccak import keccak256
from prover.errors import SuperVMError
from prover.receipt import Journal

ZERO_LEAF = bytes(32)


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


def journal_root(journals: Sequence[Journal]) -> bytes:
    """Root of the journal tree of ``journals`` (batch order)."""
    return _levels([j.digest for j in journals])[-1][0]


def inclusion_proof(journals: Sequence[Journal], position: int) -> list[bytes]:
    """Sibling hashes from the leaf at ``position`` up to the root (leaf level first)."""
    if not 0 <= position < len(journals):
        raise InclusionError(f"position {position} is outside a batch of {len(journals)}")
    path = []
    for level in _levels([j.digest for j in journals])[:-1]:
        path.append(level[position ^ 1])
        position >>= 1
    return path


def verify_inclusion(root: bytes, journal_hash: bytes, position: int, path: Sequence[bytes]) -> bool:
    """True iff ``journal_hash`` is leaf ``position`` under ``root`` (the contract's rule)."""
    if position >> len(path):
        return False
    node = journal_hash
    for sibling in path:
        node = keccak256(sibling + node) if position & 1 else keccak256(node + sibling)
        position >>= 1
    return node == root
