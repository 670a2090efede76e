"""STARK proof container and its canonical byte format (see docs/proof-format.md).

Writing is straightforward.  Reading is done by :class:`ProofReader`, a
bounded cursor: every length it reads comes from the header (itself
range-checked) or from the program's AIR, never from an untrusted length
field, and every read past the end, non-canonical field element, out-of-range
header byte or trailing byte raises :class:`ProofFormatError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prover.errors import InvalidParametersError, ProofFormatError
from prover.math.goldilocks import P
from prover.math.goldilocks_ext import Ext
from prover.stark.params import ProofOptions

PROOF_VERSION = 1
HEADER_SIZE = 8
HASH_SIZE = 32
EXT_SIZE = 16
NONCE_SIZE = 8


@dataclass
class Openings:
    """Opened leaves of one Merkle tree (sorted unique indices) and their shared multiproof nodes."""

    leaves: list[bytes] = field(default_factory=list)
    nodes: list[bytes] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        return b"".join(self.leaves) + b"".join(self.nodes)


@dataclass
class StarkProof:
    """Everything a STARK verifier reads, in serialization order."""

    options: ProofOptions
    log_trace_length: int
    trace_root: bytes
    comp_root: bytes
    ood_trace_z: list[Ext]
    ood_trace_zg: list[Ext]
    ood_comp: list[Ext]
    fri_roots: list[bytes]
    final_poly: list[Ext]
    pow_nonce: int
    trace_openings: Openings
    comp_openings: Openings
    fri_openings: list[Openings]
    #: Root and openings of the auxiliary columns; None for an AIR without them.
    aux_root: bytes | None = None
    aux_openings: Openings | None = None

    def header(self) -> bytes:
        return encode_header(self.options, self.log_trace_length)

    def ood_bytes(self) -> bytes:
        return b"".join(e.to_bytes() for e in self.ood_trace_z + self.ood_trace_zg + self.ood_comp)

    def to_bytes(self) -> bytes:
        parts = [self.header(), self.trace_root]
        if self.aux_root is not None:
            parts.append(self.aux_root)
        parts += [self.comp_root, self.ood_bytes()]
        parts += self.fri_roots
        parts += [e.to_bytes() for e in self.final_poly]
        parts.append(self.pow_nonce.to_bytes(NONCE_SIZE, "big"))
        parts.append(self.trace_openings.to_bytes())
        if self.aux_openings is not None:
            parts.append(self.aux_openings.to_bytes())
        parts.append(self.comp_openings.to_bytes())
        parts += [o.to_bytes() for o in self.fri_openings]
        return b"".join(parts)


def encode_header(options: ProofOptions, log_trace_length: int) -> bytes:
    """The 8-byte header: version and every proof option."""
    return bytes(
        [
            PROOF_VERSION,
            log_trace_length,
            options.log_blowup,
            options.log_folding,
            options.num_queries,
            options.grinding_bits,
            options.log_max_remainder,
            options.log_first_folding,
        ]
    )


class ProofReader:
    """Bounded, canonical reader over untrusted proof bytes."""

    def __init__(self, data: bytes) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ProofFormatError(f"proof must be bytes, got {type(data).__name__}")
        self.data = bytes(data)
        self.pos = 0

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if size < 0 or end > len(self.data):
            raise ProofFormatError(f"proof truncated: need {size} bytes at offset {self.pos}, have {len(self.data) - self.pos}")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def header(self) -> tuple[ProofOptions, int]:
        raw = self.take(HEADER_SIZE)
        version, log_t, log_blowup, log_folding, queries, grinding, log_rem, log_first = raw
        if version != PROOF_VERSION:
            raise ProofFormatError(f"unsupported proof version {version}")
        if log_first == 0:  # ProofOptions reads 0 as "same as log_folding"; the header is explicit
            raise ProofFormatError("bad proof options: log_first_folding must be in [1, 4]")
        try:
            options = ProofOptions(log_blowup, log_folding, queries, grinding, log_rem, log_first)
        except InvalidParametersError as exc:
            raise ProofFormatError(f"bad proof options: {exc}") from None
        return options, log_t

    def hash(self) -> bytes:
        return self.take(HASH_SIZE)

    def hashes(self, count: int) -> list[bytes]:
        return [self.take(HASH_SIZE) for _ in range(count)]

    def ext(self) -> Ext:
        return Ext.from_bytes(self.take(EXT_SIZE))

    def exts(self, count: int) -> list[Ext]:
        return [self.ext() for _ in range(count)]

    def nonce(self) -> int:
        return int.from_bytes(self.take(NONCE_SIZE), "big")

    def leaves(self, count: int, leaf_size: int) -> list[bytes]:
        leaves = [self.take(leaf_size) for _ in range(count)]
        for leaf in leaves:
            check_canonical(leaf)
        return leaves

    def finish(self) -> None:
        if self.pos != len(self.data):
            raise ProofFormatError(f"{len(self.data) - self.pos} trailing bytes after the proof")


def check_canonical(leaf: bytes) -> None:
    """Every 8-byte big-endian word of a leaf must be a canonical field element."""
    for offset in range(0, len(leaf), 8):
        if int.from_bytes(leaf[offset : offset + 8], "big") >= P:
            raise ProofFormatError("non-canonical field element in a Merkle leaf")
