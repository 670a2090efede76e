"""L2 blocks inside a batch: where each block's members sit in the batch's journal tree.

The journal tree is a hierarchy, member journals -> L2 block root -> batch
root, with one Merkle path from any member to the batch root.  A block's
*width* is its member count rounded up to a power of two; its members fill
the first leaves of a run of ``width`` leaves that starts at a multiple of
``width``, so the node above that run is the block's root.  Blocks are placed
widest first (ties in L2 order): every block then starts where the previous
block's run ends, already aligned, and the only padding is each block's own
rounding up, plus the rounding of the whole tree to a power of two.  Leaves
that hold no member are padding: zero words in the keccak tree, fib(0)
journals in the Rescue tree of root-only batches.  A batch of one block has
no padding between members, so its tree is the plain tree of its members.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

from prover.errors import ProofFormatError

#: Most L2 blocks one batch may hold.
MAX_BLOCKS = 1024

#: Most journal tree leaves up to a batch's last member (members and the padding between blocks).
MAX_TREE_SLOTS = 1 << 16


def width(size: int) -> int:
    """Leaves a block of ``size`` members spans: ``size`` rounded up to a power of two."""
    return 1 << max(0, size - 1).bit_length()


@dataclass(frozen=True)
class BlockLayout:
    """Member counts of a batch's blocks, in tree order (non-increasing widths)."""

    sizes: tuple[int, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.sizes) <= MAX_BLOCKS:
            raise ProofFormatError(f"a batch holds 1..{MAX_BLOCKS} blocks, got {len(self.sizes)}")
        if any(not isinstance(s, int) or s < 1 for s in self.sizes):
            raise ProofFormatError("every block holds at least one member")
        widths = [width(s) for s in self.sizes]
        if any(a < b for a, b in zip(widths, widths[1:])):
            raise ProofFormatError("blocks are not in tree order (widest first)")
        if self.end > MAX_TREE_SLOTS:
            raise ProofFormatError(f"the blocks span more than {MAX_TREE_SLOTS} tree leaves")

    @classmethod
    def single(cls, members: int) -> "BlockLayout":
        """The layout of a batch that is one block."""
        return cls((members,))

    @staticmethod
    def tree_order(sizes: Sequence[int]) -> list[int]:
        """Indices of blocks given in L2 order, in tree order: widest first, ties in L2 order."""
        return sorted(range(len(sizes)), key=lambda k: (-width(sizes[k]), k))

    @cached_property
    def starts(self) -> tuple[int, ...]:
        """Tree position of each block's first member."""
        out, at = [], 0
        for size in self.sizes:
            out.append(at)
            at += width(size)
        return tuple(out)

    @property
    def member_count(self) -> int:
        return sum(self.sizes)

    @property
    def end(self) -> int:
        """One past the last member's tree position: the tree's leaves are this rounded up to a power of two."""
        return self.starts[-1] + self.sizes[-1]

    @cached_property
    def positions(self) -> tuple[int, ...]:
        """Tree position of each member, members in batch order (block by block)."""
        return tuple(start + i for start, size in zip(self.starts, self.sizes) for i in range(size))

    def block_of(self, position: int) -> tuple[int, int]:
        """(block, index in block) of the member at tree ``position``; ProofFormatError on a padding leaf."""
        for k, (start, size) in enumerate(zip(self.starts, self.sizes)):
            if start <= position < start + size:
                return k, position - start
        raise ProofFormatError(f"tree position {position} holds no member")

    def block_level(self, block: int) -> int:
        """Height of block ``block``'s root above the leaves (its index at that level is start >> height)."""
        return width(self.sizes[block]).bit_length() - 1
