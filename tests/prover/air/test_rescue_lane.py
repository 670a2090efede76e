"""The Rescue-Prime lane: a chain of permutations proven by a STARK and checked against the reference.

The test AIR chains blocks (row 8b+8 repeats row 8b+7), asserts the input on
row 0 and the claimed output on the last row; the lane's round constraints
must make any other output, or any tampered round, fail verification.
"""

from __future__ import annotations

import numpy as np
import pytest

from prover.air.air import Air, Assertion, TransitionDegree
from prover.air.rescue_lane import BLOCK, RescueLane
from prover.crypto.rescue import WIDTH, permute, round_residual
from prover.errors import TraceError, VerificationError
from prover.math.goldilocks import P
from prover.receipt import Journal
from prover.stark.params import ProofOptions
from prover.stark.prover import prove_trace
from prover.stark.verifier import verify_stark

OPTIONS = ProofOptions(log_blowup=3, log_folding=2, num_queries=8, grinding_bits=0, log_max_remainder=2)
BLOCKS = 4
START = [(i * 0x9E3779B97F4A7C15) % P for i in range(1, WIDTH + 1)]


class RescueChainAir(Air):
    """BLOCKS permutations in a row: output = permute^BLOCKS(input)."""

    width = WIDTH

    def __init__(self) -> None:
        self.lane = RescueLane(0, 0)

    def trace_length(self, inputs, outputs) -> int:
        return BLOCK * BLOCKS

    def periodic_columns(self) -> list[list[int]]:
        return self.lane.periodic_columns()

    def transition_degrees(self) -> list[TransitionDegree]:
        return self.lane.transition_degrees() + [TransitionDegree(1, (BLOCK,))] * WIDTH

    def evaluate_transition(self, cur, nxt, periodic) -> list:
        keep = 1 - periodic[2 * WIDTH]  # 1 on each block's output row
        return self.lane.evaluate(cur, nxt, periodic) + [keep * (n - c) for c, n in zip(cur, nxt)]

    def assertions(self, inputs, outputs, trace_length) -> list[Assertion]:
        first = [Assertion(k, 0, v) for k, v in enumerate(inputs)]
        return first + [Assertion(k, trace_length - 1, v) for k, v in enumerate(outputs)]


def _chain(state) -> tuple[np.ndarray, list[int]]:
    blocks = []
    for _ in range(BLOCKS):
        block = RescueLane.block(state)
        blocks.append(block)
        state = [int(x) for x in block[:, -1]]
    return np.concatenate(blocks, axis=1), state


def _expected(state):
    for _ in range(BLOCKS):
        state = permute(state)
    return state


def test_lane_rows_satisfy_the_reference_round_equation():
    block = RescueLane.block(START)
    for r in range(BLOCK - 1):
        assert round_residual(r, [int(x) for x in block[:, r]], [int(x) for x in block[:, r + 1]]) == [0] * WIDTH
    assert [int(x) for x in block[:, -1]] == permute(START)


def test_a_chain_of_permutations_proves_and_verifies():
    trace, out = _chain(START)
    assert out == _expected(START)
    journal = Journal(b"\x05" * 32, tuple(START), tuple(out))
    proof = prove_trace(RescueChainAir(), journal, trace, OPTIONS)
    verify_stark(RescueChainAir(), journal, proof.to_bytes())


def test_a_wrong_output_is_refused_and_rejected():
    trace, out = _chain(START)
    wrong = Journal(b"\x05" * 32, tuple(START), tuple([(out[0] + 1) % P] + out[1:]))
    with pytest.raises(TraceError):
        prove_trace(RescueChainAir(), wrong, trace, OPTIONS)
    trace[0, -1] = wrong.outputs[0]  # a cheating prover makes the last row say so
    proof = prove_trace(RescueChainAir(), wrong, trace, OPTIONS, refuse_invalid=False)
    with pytest.raises(VerificationError):
        verify_stark(RescueChainAir(), wrong, proof.to_bytes())


def test_a_tampered_round_is_rejected():
    trace, out = _chain(START)
    trace[3, 10] = (int(trace[3, 10]) + 1) % P  # block 1, after round 2: the chain no longer follows Rescue
    journal = Journal(b"\x05" * 32, tuple(START), tuple(out))
    proof = prove_trace(RescueChainAir(), journal, trace, OPTIONS, refuse_invalid=False)
    with pytest.raises(VerificationError):
        verify_stark(RescueChainAir(), journal, proof.to_bytes())
