"""``mimc``: a MiMC-style hash chain with a cubic round.

Inputs ``(seed, rounds)``; output ``x_rounds`` where
``x_{i+1} = (x_i + k_{i mod 64})^3``.  The round constants form a periodic
column (cycle 64, truncated to the trace length when the trace is shorter).
This is the compute-heavy program: one degree-3 constraint per row.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
from numba import njit

from prover.air.air import Assertion, TransitionDegree
from prover.crypto.keccak import keccak256
from prover.errors import InvalidInputError
from prover.math import goldilocks as gl
from prover.programs.base import MAX_LOG_TRACE_LENGTH, MIN_LOG_TRACE_LENGTH, Program, next_power_of_two

ROUND_CYCLE = 64


@lru_cache(maxsize=1)
def round_constants() -> tuple[int, ...]:
    """The 64 round constants: keccak256("supervm-mimc" || i) mod p."""
    return tuple(
        int.from_bytes(keccak256(b"supervm-mimc" + i.to_bytes(4, "big")), "big") % gl.P for i in range(ROUND_CYCLE)
    )


@njit(cache=True)
def _mimc_trace(seed: np.uint64, length: int, constants: np.ndarray) -> np.ndarray:
    trace = np.empty((1, length), dtype=np.uint64)
    x = seed
    cycle = constants.shape[0]
    for i in range(length):
        trace[0, i] = x
        t = gl.add(x, constants[i % cycle])
        x = gl.mul(gl.mul(t, t), t)
    return trace


class Mimc(Program):
    """MiMC-style cubic hash chain over Goldilocks."""

    name = "mimc"
    description = "x <- (x + k_i)^3 for `rounds` rounds, from `seed`"
    width = 1
    num_inputs = 2
    num_outputs = 1

    def parameters(self) -> dict:
        return {"round_cycle": ROUND_CYCLE}

    def transition_degrees(self) -> list[TransitionDegree]:
        return [TransitionDegree(3)]

    def periodic_columns(self) -> list[list[int]]:
        return [list(round_constants())]

    def evaluate_transition(self, cur, nxt, periodic):
        t = cur[0] + periodic[0]
        return [nxt[0] - t * t * t]

    def assertions(self, inputs: Sequence[int], outputs: Sequence[int], trace_length: int) -> list[Assertion]:
        return [Assertion(0, 0, inputs[0]), Assertion(0, inputs[1], outputs[0])]

    def check_inputs(self, inputs: tuple[int, ...]) -> None:
        rounds = inputs[1]
        if not 1 <= rounds < (1 << MAX_LOG_TRACE_LENGTH):
            raise InvalidInputError(f"mimc: rounds must be in [1, 2^{MAX_LOG_TRACE_LENGTH}), got {rounds}")

    def execute(self, inputs: Sequence[int]) -> tuple[int, ...]:
        x = inputs[0]
        constants = round_constants()
        for i in range(inputs[1]):
            x = pow(x + constants[i % ROUND_CYCLE], 3, gl.P)
        return (x,)

    def trace_length(self, inputs: Sequence[int], outputs: Sequence[int]) -> int:
        return self.trace_rows(inputs)

    def trace_rows(self, inputs: Sequence[int]) -> int:
        return max(1 << MIN_LOG_TRACE_LENGTH, next_power_of_two(inputs[1] + 1))

    def generate_trace(self, inputs: Sequence[int], length: int | None = None) -> np.ndarray:
        constants = np.array(round_constants(), dtype=np.uint64)
        return _mimc_trace(np.uint64(inputs[0]), length or self.trace_rows(inputs), constants)
