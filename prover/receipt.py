"""Journals and receipts: what a proof claims, and the proof that carries it.

A **journal** is (program id, inputs, outputs).  A **receipt** is a journal,
the backend that produced it, and a seal (the proof bytes).  Both have a
canonical, bounded byte encoding; decoding rejects anything else with
:class:`ProofFormatError`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from prover.crypto.keccak import keccak256
from prover.errors import ProofFormatError
from prover.math.goldilocks import P

RECEIPT_MAGIC = b"SVMR"
RECEIPT_VERSION = 1
MAX_JOURNAL_VALUES = 64
MAX_SEAL_SIZE = 8 * 1024 * 1024


class Backend(IntEnum):
    """Proving backends; the value is the receipt's backend byte."""

    TRACE = 0
    STARK = 1

    @classmethod
    def parse(cls, name: "str | Backend") -> "Backend":
        if isinstance(name, Backend):
            return name
        try:
            return cls[str(name).upper()]
        except KeyError:
            raise ValueError(f"unknown backend {name!r}; use 'stark' or 'trace'") from None


@dataclass(frozen=True)
class Journal:
    """The public statement: program ``program_id`` on ``inputs`` outputs ``outputs``."""

    program_id: bytes
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]

    def to_bytes(self) -> bytes:
        """program_id (32) || u32 #inputs || inputs (u64 BE) || u32 #outputs || outputs (u64 BE)."""
        return (
            self.program_id
            + struct.pack(">I", len(self.inputs))
            + b"".join(v.to_bytes(8, "big") for v in self.inputs)
            + struct.pack(">I", len(self.outputs))
            + b"".join(v.to_bytes(8, "big") for v in self.outputs)
        )

    @property
    def digest(self) -> bytes:
        """keccak256 of the encoded journal: the leaf committed for this request in a batch."""
        return keccak256(self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> "Journal":
        journal, end = cls.read(data, 0)
        if end != len(data):
            raise ProofFormatError("trailing bytes after the journal")
        return journal

    @classmethod
    def read(cls, data: bytes, pos: int) -> tuple["Journal", int]:
        """Decode a journal starting at ``pos``; returns it and the end offset."""

        def take(size: int) -> bytes:
            nonlocal pos
            if pos + size > len(data):
                raise ProofFormatError("journal truncated")
            chunk = data[pos : pos + size]
            pos += size
            return chunk

        def values() -> tuple[int, ...]:
            (count,) = struct.unpack(">I", take(4))
            if count > MAX_JOURNAL_VALUES:
                raise ProofFormatError(f"journal lists {count} values, more than {MAX_JOURNAL_VALUES}")
            out = tuple(int.from_bytes(take(8), "big") for _ in range(count))
            if any(v >= P for v in out):
                raise ProofFormatError("journal value is not a canonical field element")
            return out

        program_id = take(32)
        inputs = values()
        outputs = values()
        return cls(program_id, inputs, outputs), pos

    def describe(self, program_name: str | None = None) -> str:
        name = program_name or "0x" + self.program_id.hex()
        return f"{name}({', '.join(map(str, self.inputs))}) = {', '.join(map(str, self.outputs))}"


@dataclass(frozen=True)
class Receipt:
    """A journal with the seal that proves it."""

    journal: Journal
    backend: Backend
    seal: bytes

    @property
    def is_secure(self) -> bool:
        """False for the Trace backend, which proves nothing to a verifier who does not re-execute."""
        return self.backend == Backend.STARK

    def to_bytes(self) -> bytes:
        """'SVMR' || version u8 || backend u8 || u32 journal length || journal || u32 seal length || seal."""
        journal = self.journal.to_bytes()
        return (
            RECEIPT_MAGIC
            + bytes([RECEIPT_VERSION, int(self.backend)])
            + struct.pack(">I", len(journal))
            + journal
            + struct.pack(">I", len(self.seal))
            + self.seal
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "Receipt":
        if not isinstance(data, (bytes, bytearray)):
            raise ProofFormatError("receipt must be bytes")
        data = bytes(data)
        if len(data) < 14 or data[:4] != RECEIPT_MAGIC:
            raise ProofFormatError("not a supervm receipt (bad magic or too short)")
        if data[4] != RECEIPT_VERSION:
            raise ProofFormatError(f"unsupported receipt version {data[4]}")
        try:
            backend = Backend(data[5])
        except ValueError:
            raise ProofFormatError(f"unknown backend byte {data[5]}") from None
        (journal_len,) = struct.unpack(">I", data[6:10])
        if 10 + journal_len + 4 > len(data):
            raise ProofFormatError("receipt truncated in the journal")
        journal = Journal.from_bytes(data[10 : 10 + journal_len])
        pos = 10 + journal_len
        (seal_len,) = struct.unpack(">I", data[pos : pos + 4])
        if seal_len > MAX_SEAL_SIZE:
            raise ProofFormatError(f"seal of {seal_len} bytes exceeds {MAX_SEAL_SIZE}")
        if pos + 4 + seal_len != len(data):
            raise ProofFormatError("receipt length does not match its seal length")
        return cls(journal, backend, data[pos + 4 :])
