"""``collatz``: the number of Collatz steps from an input down to 1.

Data-dependent control flow expressed with selector columns.  Each Collatz
step occupies a block of 8 rows that decomposes the current value into 32
bits (4 bits per row), which proves its parity soundly: the decomposition is
the integer one because the value is shown to be < 2^32.  The parity selector
``p`` then picks ``3a + 1`` (odd) or ``a / 2`` (even).  A ``done`` selector
freezes the value at 1 and stops the step counter; it is forced to 1 exactly
when the value is 1 (``(a - 1) * w = 1`` whenever not done).

Columns: a, v, b0, b1, b2, b3, p, done, w, count.  Periodic: first, last
(cycle 8).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from prover.air.air import Assertion, TransitionDegree
from prover.errors import InvalidInputError
from prover.math import goldilocks as gl
from prover.programs.base import MAX_LOG_TRACE_LENGTH, MIN_LOG_TRACE_LENGTH, Program, next_power_of_two

BLOCK = 8
BITS_PER_ROW = 4
VALUE_BITS = BLOCK * BITS_PER_ROW
INV2 = (gl.P + 1) // 2
A, V, B0, B1, B2, B3, PAR, DONE, W, CNT = range(10)


def collatz_values(start: int) -> list[int]:
    """Trajectory from ``start`` to 1 inclusive; InvalidInputError if a value leaves 32 bits."""
    values = [start]
    a = start
    while a != 1:
        a = 3 * a + 1 if a & 1 else a >> 1
        if a >= 1 << VALUE_BITS:
            raise InvalidInputError(f"collatz: trajectory of {start} exceeds 2^{VALUE_BITS}")
        values.append(a)
    return values


class Collatz(Program):
    """Collatz step count with a 32-bit range-checked parity."""

    name = "collatz"
    description = "steps for n to reach 1 under n -> n/2 | 3n+1"
    width = 10
    num_inputs = 1
    num_outputs = 1

    def parameters(self) -> dict:
        return {"block": BLOCK, "bits_per_row": BITS_PER_ROW}

    def transition_degrees(self) -> list[TransitionDegree]:
        cyc = (BLOCK,)
        return (
            [TransitionDegree(2)] * 4
            + [TransitionDegree(1, cyc)] * 4
            + [TransitionDegree(1, cyc)] * 5
            + [TransitionDegree(3, cyc), TransitionDegree(1, cyc)]
            + [TransitionDegree(2), TransitionDegree(2), TransitionDegree(3)]
        )

    def periodic_columns(self) -> list[list[int]]:
        first = [1] + [0] * (BLOCK - 1)
        last = [0] * (BLOCK - 1) + [1]
        return [first, last]

    def evaluate_transition(self, cur, nxt, periodic):
        first, last = periodic
        a, v, p, d, w, c = cur[A], cur[V], cur[PAR], cur[DONE], cur[W], cur[CNT]
        bits = [cur[B0], cur[B1], cur[B2], cur[B3]]
        nibble = bits[0] + 2 * bits[1] + 4 * bits[2] + 8 * bits[3]
        not_last = 1 - last
        not_done = 1 - d
        step = p * (3 * a + 1) + (1 - p) * a * INV2
        constraints = [b * (1 - b) for b in bits]
        constraints += [
            not_last * (v - 16 * nxt[V] - nibble),
            last * (v - nibble),
            first * (v - a),
            first * (p - bits[0]),
        ]
        constraints += [not_last * (nxt[col] - cur[col]) for col in (A, PAR, DONE, W, CNT)]
        constraints += [
            last * (nxt[A] - d * a - not_done * step),
            last * (nxt[CNT] - c - not_done),
            d * (1 - d),
            d * (a - 1),
            not_done * ((a - 1) * w - 1),
        ]
        return constraints

    def assertions(self, inputs: Sequence[int], outputs: Sequence[int], trace_length: int) -> list[Assertion]:
        last_row = trace_length - 1
        return [
            Assertion(A, 0, inputs[0]),
            Assertion(CNT, 0, 0),
            Assertion(CNT, last_row, outputs[0]),
            Assertion(DONE, last_row, 1),
        ]

    def check_inputs(self, inputs: tuple[int, ...]) -> None:
        n = inputs[0]
        if not 1 <= n < 1 << VALUE_BITS:
            raise InvalidInputError(f"collatz: n must be in [1, 2^{VALUE_BITS}), got {n}")
        steps = len(collatz_values(n)) - 1
        if BLOCK * (steps + 1) > 1 << MAX_LOG_TRACE_LENGTH:
            raise InvalidInputError(f"collatz: {steps} steps exceed the trace limit")

    def execute(self, inputs: Sequence[int]) -> tuple[int, ...]:
        return (len(collatz_values(inputs[0])) - 1,)

    def trace_length(self, inputs: Sequence[int], outputs: Sequence[int]) -> int:
        return max(1 << MIN_LOG_TRACE_LENGTH, next_power_of_two(BLOCK * (outputs[0] + 1)))

    def generate_trace(self, inputs: Sequence[int], length: int | None = None) -> np.ndarray:
        values = collatz_values(inputs[0])
        steps = len(values) - 1
        length = length or self.trace_length(inputs, (steps,))
        blocks = length // BLOCK
        a = np.ones(blocks, dtype=np.uint64)
        a[: len(values)] = np.array(values, dtype=np.uint64)
        done = (a == 1).astype(np.uint64)
        count = np.minimum(np.arange(blocks), steps).astype(np.uint64)
        w = gl.batch_inverse(gl.sub_vec(a, np.ones(blocks, dtype=np.uint64)))
        shifts = (np.arange(BLOCK, dtype=np.uint64) * np.uint64(BITS_PER_ROW))[None, :]
        v = a[:, None] >> shifts
        nibble = v & np.uint64(15)
        trace = np.empty((self.width, blocks, BLOCK), dtype=np.uint64)
        trace[A] = a[:, None]
        trace[V] = v
        for i in range(BITS_PER_ROW):
            trace[B0 + i] = (nibble >> np.uint64(i)) & np.uint64(1)
        trace[PAR] = (a & np.uint64(1))[:, None]
        trace[DONE] = done[:, None]
        trace[W] = w[:, None]
        trace[CNT] = count[:, None]
        return trace.reshape(self.width, length)
