"""Two-stage proofs: auxiliary columns built from randomness drawn after the main trace is committed.

The AIR here claims that column b is a permutation of column a, checked by
three running products with independent randomness: the pattern the batch
AIR's journal bus will use.  Honest proofs verify; a non-permutation, an
auxiliary trace built from other randomness and tampered auxiliary data are
all rejected.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import prover.stark.prover as prover_module
from prover.air.air import Air, Assertion, TransitionDegree
from prover.crypto.transcript import Transcript
from prover.errors import ProofFormatError, TraceError, VerificationError
from prover.math.goldilocks import P
from prover.receipt import Journal
from prover.stark.params import preset
from prover.stark.prover import prove_trace
from prover.stark.verifier import verify_stark

ROWS = 64
JOURNAL = Journal(b"\x07" * 32, (), ())


class PermutationAir(Air):
    """Columns a, b: b[0..T-2] is a permutation of a[0..T-2]; both are 0 on the last row.

    Z_i[0] = 1, Z_i[r+1] (g_i - b_r) = Z_i[r] (g_i - a_r), Z_i[T-1] = 1: each product
    accepts two different multisets with probability about T/p, three independent
    ones about (T/p)^3.
    """

    width = 2
    aux_width = 3
    aux_randomness = 3

    def trace_length(self, inputs, outputs) -> int:
        return ROWS

    def transition_degrees(self) -> list[TransitionDegree]:
        return []

    def evaluate_transition(self, cur, nxt, periodic) -> list:
        return []

    def assertions(self, inputs, outputs, trace_length) -> list[Assertion]:
        return [Assertion(0, trace_length - 1, 0), Assertion(1, trace_length - 1, 0)]

    def aux_trace(self, trace, randomness) -> np.ndarray:
        a = [int(v) for v in trace[0]]
        b = [int(v) for v in trace[1]]
        out = np.zeros((self.aux_width, trace.shape[1]), dtype=np.uint64)
        for i, g in enumerate(randomness):
            z = 1
            out[i, 0] = z
            for row in range(trace.shape[1] - 1):
                z = z * (g - a[row]) * pow((g - b[row]) % P, P - 2, P) % P
                out[i, row + 1] = z
        return out

    def aux_transition_degrees(self) -> list[TransitionDegree]:
        return [TransitionDegree(2)] * self.aux_width

    def evaluate_aux_transition(self, cur, nxt, periodic, randomness) -> list:
        return [nxt[2 + i] * (g - cur[1]) - cur[2 + i] * (g - cur[0]) for i, g in enumerate(randomness)]

    def aux_assertions(self, trace_length, randomness) -> list[Assertion]:
        out = []
        for i in range(self.aux_width):
            out += [Assertion(2 + i, 0, 1), Assertion(2 + i, trace_length - 1, 1)]
        return out


def _trace(permuted: bool = True, seed: int = 3) -> np.ndarray:
    rng = random.Random(seed)
    a = [rng.randrange(P) for _ in range(ROWS - 1)]
    b = a[:]
    rng.shuffle(b)
    if not permuted:
        b[5] = (b[5] + 1) % P
    return np.array([a + [0], b + [0]], dtype=np.uint64)


@pytest.fixture(scope="module")
def honest():
    return prove_trace(PermutationAir(), JOURNAL, _trace(), preset("test"))


def test_a_permutation_proves_and_verifies(honest):
    assert honest.aux_root is not None and honest.aux_openings is not None
    info = verify_stark(PermutationAir(), JOURNAL, honest.to_bytes())
    assert info.log_trace_length == 6


def test_the_honest_prover_refuses_a_non_permutation(test_options):
    with pytest.raises(TraceError):
        prove_trace(PermutationAir(), JOURNAL, _trace(permuted=False), test_options)


def test_a_non_permutation_does_not_verify(test_options):
    proof = prove_trace(PermutationAir(), JOURNAL, _trace(permuted=False), test_options, refuse_invalid=False)
    with pytest.raises(VerificationError):
        verify_stark(PermutationAir(), JOURNAL, proof.to_bytes())


def test_auxiliary_columns_must_use_the_drawn_randomness(monkeypatch, test_options):
    """A prover that picks its own randomness (here: fixed values) is caught."""

    class Chosen(Transcript):
        def draw_bases(self, count):
            super().draw_bases(count)  # keep the transcript in step with the verifier's
            return [11, 12, 13][:count]

    monkeypatch.setattr(prover_module, "Transcript", Chosen)
    proof = prove_trace(PermutationAir(), JOURNAL, _trace(), test_options)
    monkeypatch.undo()
    with pytest.raises(VerificationError):
        verify_stark(PermutationAir(), JOURNAL, proof.to_bytes())


def test_tampered_auxiliary_data_is_rejected(honest):
    data = honest.to_bytes()
    aux_root_at = 8 + 32  # header, trace root, then the auxiliary root
    aux_leaves_at = len(data) - sum(len(o.to_bytes()) for o in honest.fri_openings) - len(honest.comp_openings.to_bytes()) - len(honest.aux_openings.to_bytes())
    for at in (aux_root_at, aux_root_at + 31, aux_leaves_at + 7):
        bad = bytearray(data)
        bad[at] ^= 1
        with pytest.raises((ProofFormatError, VerificationError)):
            verify_stark(PermutationAir(), JOURNAL, bytes(bad))


def test_a_one_stage_air_reads_a_two_stage_proof_as_malformed(honest):
    """The stage count comes from the AIR, never from the proof: the same bytes under an AIR without
    auxiliary columns do not parse (or do not verify)."""

    class OneStage(PermutationAir):
        aux_width = 0
        aux_randomness = 0

    with pytest.raises((ProofFormatError, VerificationError)):
        verify_stark(OneStage(), JOURNAL, honest.to_bytes())
