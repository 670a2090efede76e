"""Fiat–Shamir transcript over Ethereum keccak256.

The transcript is a single 32-byte state.  Absorbing data hashes it into the
state; drawing a challenge re-hashes the state alone and reads the result.
Every step is one ``keccak256`` over at most a few hundred bytes, so the EVM
verifier reproduces it with one ``KECCAK256`` per step.  The byte-level
specification is in ``docs/proof-format.md``.
"""

from __future__ import annotations

from prover.crypto.keccak import keccak256
from prover.math.goldilocks import P
from prover.math.goldilocks_ext import Ext

DOMAIN_TAG = b"SUPERVM-STARK-V1"
_MASK128 = (1 << 128) - 1


class Transcript:
    """Deterministic keccak256 sponge used to derive every verifier challenge."""

    __slots__ = ("state",)

    def __init__(self, seed: bytes) -> None:
        self.state = keccak256(DOMAIN_TAG + seed)

    def absorb(self, data: bytes) -> None:
        """Mix ``data`` into the state: state = keccak256(state || data)."""
        self.state = keccak256(self.state + data)

    def draw(self) -> int:
        """Advance the state (state = keccak256(state)) and return it as a uint256."""
        self.state = keccak256(self.state)
        return int.from_bytes(self.state, "big")

    def draw_ext(self) -> Ext:
        """Draw an extension element: high 128 bits mod p, low 128 bits mod p."""
        value = self.draw()
        return Ext((value >> 128) % P, (value & _MASK128) % P)

    def draw_bases(self, count: int) -> list[int]:
        """Draw ``count`` base-field elements: the two halves of one :meth:`draw_ext` per pair."""
        out: list[int] = []
        while len(out) < count:
            value = self.draw_ext()
            out += [value.c0, value.c1]
        return out[:count]

    def draw_index(self, domain_size: int) -> int:
        """Draw an index in [0, domain_size); domain_size is a power of two."""
        return self.draw() & (domain_size - 1)

    def absorb_pow(self, nonce: int) -> int:
        """Absorb a proof-of-work nonce and return the number of leading zero bits."""
        self.absorb(nonce.to_bytes(8, "big"))
        value = int.from_bytes(self.state, "big")
        return 256 - value.bit_length()
