"""``fib``: the Fibonacci program of the original SuperVM design.

Input ``n``; output ``F(n) mod p``.  Two columns hold consecutive Fibonacci
numbers, row i = (F(i), F(i+1)); the output is asserted at row n.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit

from prover.air.air import Assertion, TransitionDegree
from prover.errors import InvalidInputError
from prover.math import goldilocks as gl
from prover.programs.base import MAX_LOG_TRACE_LENGTH, MIN_LOG_TRACE_LENGTH, Program, next_power_of_two


@njit(cache=True)
def _fib_trace(length: int) -> np.ndarray:
    trace = np.empty((2, length), dtype=np.uint64)
    a = np.uint64(0)
    b = np.uint64(1)
    for i in range(length):
        trace[0, i] = a
        trace[1, i] = b
        a, b = b, gl.add(a, b)
    return trace


class Fib(Program):
    """Fibonacci numbers modulo the Goldilocks prime."""

    name = "fib"
    description = "F(n) mod p, one step per row"
    width = 2
    num_inputs = 1
    num_outputs = 1

    def transition_degrees(self) -> list[TransitionDegree]:
        return [TransitionDegree(1), TransitionDegree(1)]

    def evaluate_transition(self, cur, nxt, periodic):
        return [nxt[0] - cur[1], nxt[1] - (cur[0] + cur[1])]

    def assertions(self, inputs: Sequence[int], outputs: Sequence[int], trace_length: int) -> list[Assertion]:
        return [Assertion(0, 0, 0), Assertion(1, 0, 1), Assertion(0, inputs[0], outputs[0])]

    def check_inputs(self, inputs: tuple[int, ...]) -> None:
        n = inputs[0]
        if not 1 <= n < (1 << MAX_LOG_TRACE_LENGTH):
            raise InvalidInputError(f"fib: n must be in [1, 2^{MAX_LOG_TRACE_LENGTH}), got {n}")

    def execute(self, inputs: Sequence[int]) -> tuple[int, ...]:
        a, b = 0, 1
        for _ in range(inputs[0]):
            a, b = b, (a + b) % gl.P
        return (a,)

    def trace_length(self, inputs: Sequence[int], outputs: Sequence[int]) -> int:
        return max(1 << MIN_LOG_TRACE_LENGTH, next_power_of_two(inputs[0] + 1))

    def trace_rows(self, inputs: Sequence[int]) -> int:
        return max(1 << MIN_LOG_TRACE_LENGTH, next_power_of_two(inputs[0] + 1))

    def generate_trace(self, inputs: Sequence[int], length: int | None = None) -> np.ndarray:
        return _fib_trace(length or self.trace_rows(inputs))
