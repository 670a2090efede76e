"""Segment constraints (a step constraint enforced once per segment) and auxiliary transitions across segments."""

from __future__ import annotations

import numpy as np
import pytest

from prover.air.air import Air, Assertion, SegmentAssertion, TransitionDegree
from prover.errors import VerificationError
from prover.receipt import Journal
from prover.stark.prover import prove_trace
from prover.stark.verifier import verify_stark
from tests.prover.stark.test_aux import JOURNAL, PermutationAir, _trace

SEGMENTS = 4
LENGTH = 16
ROWS = SEGMENTS * LENGTH


class LinkedSegments(Air):
    """a counts 0..L-1 in every segment; b is constant in a segment and, at each segment's last row,
    the next segment's b is b + a (a segment constraint at offset L - 1)."""

    width = 2
    linked = True

    def trace_length(self, inputs, outputs) -> int:
        return ROWS

    def segments(self, trace_length: int) -> int:
        return SEGMENTS

    def transition_degrees(self) -> list[TransitionDegree]:
        return [TransitionDegree(1), TransitionDegree(1)]

    def evaluate_transition(self, cur, nxt, periodic) -> list:
        return [nxt[0] - cur[0] - 1, nxt[1] - cur[1]]

    def assertions(self, inputs, outputs, trace_length) -> list[Assertion]:
        return [Assertion(1, 0, inputs[0])]

    def segment_assertions(self, trace_length: int) -> list[SegmentAssertion]:
        return [SegmentAssertion(0, 0, (0,) * SEGMENTS)]

    def segment_constraints(self, trace_length: int):
        return [(LENGTH - 1, TransitionDegree(1))] if self.linked else []

    def evaluate_segment_constraints(self, cur, nxt, periodic) -> list:
        return [nxt[1] - cur[1] - cur[0]] if self.linked else []


class Unlinked(LinkedSegments):
    linked = False


def _linked_trace(start: int, break_link: bool = False) -> np.ndarray:
    a, b = [], []
    value = start
    for s in range(SEGMENTS):
        if break_link and s == 2:
            value += 5
        a += list(range(LENGTH))
        b += [value] * LENGTH
        value += LENGTH - 1
    return np.array([a, b], dtype=np.uint64)


JOURNAL_LINKED = Journal(b"\x09" * 32, (3,), ())


def test_a_linked_trace_verifies(test_options):
    proof = prove_trace(LinkedSegments(), JOURNAL_LINKED, _linked_trace(3), test_options)
    verify_stark(LinkedSegments(), JOURNAL_LINKED, proof.to_bytes())


def test_a_broken_link_is_rejected_only_because_of_the_segment_constraint(test_options):
    broken = _linked_trace(3, break_link=True)
    proof = prove_trace(Unlinked(), JOURNAL_LINKED, broken, test_options)  # without it, nothing notices
    verify_stark(Unlinked(), JOURNAL_LINKED, proof.to_bytes())
    cheat = prove_trace(LinkedSegments(), JOURNAL_LINKED, broken, test_options, refuse_invalid=False)
    with pytest.raises(VerificationError):
        verify_stark(LinkedSegments(), JOURNAL_LINKED, cheat.to_bytes())


class SegmentedPermutation(PermutationAir):
    """The running products must carry across segment boundaries although main transitions do not."""

    def segments(self, trace_length: int) -> int:
        return 4


def test_auxiliary_transitions_hold_across_segment_boundaries():
    from prover.stark.params import preset

    honest = prove_trace(SegmentedPermutation(), JOURNAL, _trace(), preset("test"))
    verify_stark(SegmentedPermutation(), JOURNAL, honest.to_bytes())
    cheat = prove_trace(SegmentedPermutation(), JOURNAL, _trace(permuted=False), preset("test"), refuse_invalid=False)
    with pytest.raises(VerificationError):
        verify_stark(SegmentedPermutation(), JOURNAL, cheat.to_bytes())
