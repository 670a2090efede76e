"""Requests and results of the prover service, and the canonical bytes a cache key digests."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import NamedTuple, Sequence

from prover.errors import SuperVMError
from prover.programs import get_program
from prover.receipt import Backend, Receipt
from prover.stark.params import ProofOptions, preset

KEY_DOMAIN = b"supervm-l2/receipt-cache/v1"


@dataclass(frozen=True)
class ProveRequest:
    """Prove ``program`` on ``inputs`` with ``backend``; ``options`` None means the default preset (STARK only)."""

    program: str
    inputs: tuple[int, ...]
    backend: Backend = Backend.STARK
    options: ProofOptions | None = None
    trace_length: int | None = None

    @classmethod
    def make(
        cls,
        program: str,
        inputs: Sequence[int],
        backend: Backend | str = Backend.STARK,
        options: ProofOptions | str | None = None,
        trace_length: int | None = None,
    ) -> "ProveRequest":
        """Normalise backend and options (a preset name becomes its ProofOptions)."""
        backend = Backend.parse(backend)
        if isinstance(options, str):
            options = preset(options)
        return cls(program, tuple(inputs), backend, options, trace_length)

    def resolved_options(self) -> ProofOptions | None:
        """The proof options used: None for the Trace backend, else the given options or the default preset."""
        if self.backend == Backend.TRACE:
            return None
        return self.options if self.options is not None else preset("default")

    def canonical_bytes(self) -> bytes | None:
        """Unambiguous encoding of everything that determines the receipt, or None if the request is malformed.

        domain || backend u8 || program id (32) || u32 #inputs || each input u64 BE ||
        u32 trace_length (0: natural) || options (5 × u8, absent for Trace).
        """
        try:
            program_id = get_program(self.program).program_id
            parts = [KEY_DOMAIN, bytes([int(self.backend)]), program_id, struct.pack(">I", len(self.inputs))]
            for value in self.inputs:
                if type(value) is not int:
                    return None
                parts.append(value.to_bytes(8, "big"))
            parts.append(struct.pack(">I", self.trace_length or 0))
            options = self.resolved_options()
            if options is not None:
                parts.append(
                    bytes(
                        [
                            options.log_blowup,
                            options.log_folding,
                            options.num_queries,
                            options.grinding_bits,
                            options.log_max_remainder,
                            options.log_first_folding,
                        ]
                    )
                )
            return b"".join(parts)
        except (SuperVMError, OverflowError, TypeError, ValueError, struct.error):
            return None

    def cache_key(self) -> bytes | None:
        """sha256 of :meth:`canonical_bytes` (the whole input and the proof options), or None if malformed.

        Computed once per request object: a request is immutable, and keying costs more than a Trace proof.
        """
        try:
            return self.__dict__["_cache_key"]
        except KeyError:
            data = self.canonical_bytes()
            key = None if data is None else hashlib.sha256(data).digest()
            self.__dict__["_cache_key"] = key  # frozen dataclass: plain attribute assignment is refused
            return key

    def trace_rows(self) -> int:
        """Rows of the trace this request proves (for cost prediction); 8 if the input is malformed."""
        if self.trace_length:
            return self.trace_length
        try:
            program = get_program(self.program)
            return program.trace_rows(program.validate_inputs(self.inputs))
        except (SuperVMError, TypeError, ValueError):
            return 8


class ProveResult(NamedTuple):
    """Outcome of one request: a receipt, or the error that request alone raised.

    A named tuple, not a frozen dataclass: a batch of Trace requests makes one per receipt, and a tuple
    is built about four times faster.
    """

    receipt: Receipt | None
    error: SuperVMError | None = None
    seconds: float = 0.0
    cached: bool = False
    #: ``seconds`` with the proof-of-work search's time replaced by its expectation (None: no search ran):
    #: the expected cost of this proof, which is what the cost model learns.
    expected_seconds: float | None = None

    @property
    def model_seconds(self) -> float:
        """The time the cost model should learn from this result."""
        return self.seconds if self.expected_seconds is None else self.expected_seconds

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of verifying one receipt."""

    ok: bool
    error: SuperVMError | None = None
    security_bits: int = 0
