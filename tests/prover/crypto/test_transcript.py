"""The Fiat-Shamir transcript follows docs/proof-format.md byte for byte."""

from __future__ import annotations

from prover.crypto.keccak import keccak256
from prover.crypto.transcript import DOMAIN_TAG, Transcript
from prover.math.goldilocks import P


def test_spec_steps():
    t = Transcript(b"seed")
    state = keccak256(DOMAIN_TAG + b"seed")
    assert t.state == state
    t.absorb(b"\x01" * 32)
    state = keccak256(state + b"\x01" * 32)
    assert t.state == state
    v = t.draw()
    state = keccak256(state)
    assert v == int.from_bytes(state, "big")
    e = t.draw_ext()
    state = keccak256(state)
    raw = int.from_bytes(state, "big")
    assert (e.c0, e.c1) == ((raw >> 128) % P, (raw & (2**128 - 1)) % P)
    i = t.draw_index(1 << 10)
    state = keccak256(state)
    assert i == int.from_bytes(state, "big") & 1023


def test_pow_counts_leading_zero_bits():
    t = Transcript(b"x")
    before = t.state
    zeros = t.absorb_pow(12345)
    digest = keccak256(before + (12345).to_bytes(8, "big"))
    assert t.state == digest
    assert zeros == 256 - int.from_bytes(digest, "big").bit_length()


def test_deterministic_and_input_sensitive():
    a, b, c = Transcript(b"s"), Transcript(b"s"), Transcript(b"t")
    assert a.draw_ext() == b.draw_ext()
    assert a.draw() != c.draw()
