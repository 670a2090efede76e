"""A Rescue-Prime permutation as AIR constraints: a 12-column lane that any AIR can embed.

The lane runs in blocks of 8 rows aligned to multiples of 8: rows 8b .. 8b+6
apply rounds 0 .. 6 (``prover.crypto.rescue``), so row 8b holds a
permutation's input and row 8b+7 its output.  What happens between blocks
(chaining, absorbing, a bus) is the host AIR's business: the lane constrains
nothing across row 8b+7 -> 8b+8.

Per round r and element k (docs/rescue.md):

    (MDS^-1 (next - C[r][12:24]))_k^7 = (MDS cur^7)_k + C[r][k]

both sides of degree 7, multiplied by a selector that is 0 on row 7 of each
block.  The constants and the selector are periodic columns of cycle 8 (row 7
of each constant column is 0), so each constraint has TransitionDegree(7, (8,)):
its composition needs a blowup of at least 8.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from prover.air.air import TransitionDegree
from prover.crypto.rescue import ALPHA, MDS, MDS_INV, ROUND_CONSTANTS, ROUNDS, WIDTH, permute_trace

#: Rows per permutation block: ROUNDS round rows and one output row.
BLOCK = ROUNDS + 1


def _pow7(x: Any) -> Any:
    x2 = x * x
    x3 = x2 * x
    x6 = x3 * x3
    return x6 * x


def _mat(m: Sequence[Sequence[int]], v: Sequence[Any]) -> list[Any]:
    out = []
    for row in m:
        acc = v[0] * row[0]
        for coeff, value in zip(row[1:], v[1:]):
            acc = acc + value * coeff
        out.append(acc)
    return out


class RescueLane:
    """Columns ``offset .. offset + 11`` of a host AIR hold a Rescue-Prime state; ``periodic`` starts at its own offset."""

    width = WIDTH
    #: Periodic columns the lane adds: C[r][0:12], C[r][12:24], then the round selector.
    periodic_count = 2 * WIDTH + 1

    def __init__(self, offset: int, periodic_offset: int) -> None:
        assert ALPHA == 7 and BLOCK == 8
        self.offset = offset
        self.periodic_offset = periodic_offset

    @staticmethod
    def periodic_columns() -> list[list[int]]:
        """Forward constants, backward constants (0 on row 7), then the selector (1 on round rows)."""
        cols = []
        for k in range(2 * WIDTH):
            cols.append([ROUND_CONSTANTS[r][k] for r in range(ROUNDS)] + [0])
        cols.append([1] * ROUNDS + [0])
        return cols

    @staticmethod
    def transition_degrees() -> list[TransitionDegree]:
        return [TransitionDegree(ALPHA, (BLOCK,))] * WIDTH

    def evaluate(self, cur: Sequence[Any], nxt: Sequence[Any], periodic: Sequence[Any]) -> list[Any]:
        """The 12 round residuals, times the selector."""
        s = cur[self.offset : self.offset + WIDTH]
        t = nxt[self.offset : self.offset + WIDTH]
        p = periodic[self.periodic_offset : self.periodic_offset + self.periodic_count]
        forward = _mat(MDS, [_pow7(x) for x in s])
        backward = _mat(MDS_INV, [y - c for y, c in zip(t, p[WIDTH : 2 * WIDTH])])
        selector = p[2 * WIDTH]
        return [selector * (_pow7(b) - f - c) for b, f, c in zip(backward, forward, p[:WIDTH])]

    @staticmethod
    def block(state: Sequence[int]) -> np.ndarray:
        """The 8 rows (12 x 8 array) of one permutation of ``state``: input, then after each round."""
        return np.array(permute_trace(state), dtype=np.uint64).T
