"""Prove and verify receipts with either backend.

``prove`` executes a registered program and seals the result; ``verify``
checks a receipt and, unless explicitly allowed, refuses Trace receipts,
which carry no soundness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from prover.backends.stark import seal_stark, verify_stark_seal
from prover.backends.trace import seal_trace, verify_trace_seal
from prover.errors import InsecureReceiptError, InvalidParametersError
from prover.programs import get_program, program_by_id
from prover.programs.base import MAX_LOG_TRACE_LENGTH, Program
from prover.receipt import Backend, Journal, Receipt
from prover.stark.params import ProofOptions, preset


@dataclass(frozen=True)
class Verified:
    """Outcome of a successful verification."""

    program: Program
    journal: Journal
    backend: Backend
    security_bits: int
    log_trace_length: int

    @property
    def is_secure(self) -> bool:
        return self.backend == Backend.STARK


def prove(
    program: Program | str,
    inputs: Sequence[int],
    backend: Backend | str = Backend.STARK,
    options: ProofOptions | str | None = None,
    trace_length: int | None = None,
) -> Receipt:
    """Execute ``program`` on ``inputs`` and return a receipt sealed by ``backend``."""
    program = get_program(program) if isinstance(program, str) else program
    backend = Backend.parse(backend)
    inputs = program.validate_inputs(tuple(inputs))
    outputs = program.execute(inputs)
    journal = Journal(program.program_id, inputs, tuple(outputs))
    if backend == Backend.TRACE:
        return Receipt(journal, backend, seal_trace(program, journal))
    if isinstance(options, str) or options is None:
        options = preset(options or "default")
    if trace_length is not None:
        minimum = program.trace_length(inputs, outputs)
        if trace_length < minimum or trace_length & (trace_length - 1) or trace_length > 1 << MAX_LOG_TRACE_LENGTH:
            raise InvalidParametersError(f"trace_length must be a power of two in [{minimum}, 2^{MAX_LOG_TRACE_LENGTH}]")
    return Receipt(journal, backend, seal_stark(program, journal, options, trace_length))


def verify(receipt: Receipt, *, allow_insecure: bool = False, min_security_bits: int = 0) -> Verified:
    """Verify ``receipt``; raises a SuperVMError subclass on any failure.

    Trace receipts are refused (InsecureReceiptError) unless ``allow_insecure``.
    """
    program = program_by_id(receipt.journal.program_id)
    if receipt.backend == Backend.TRACE:
        if not allow_insecure:
            raise InsecureReceiptError("Trace receipts have no soundness and are refused in production settings")
        log_rows = verify_trace_seal(program, receipt.journal, receipt.seal)
        return Verified(program, receipt.journal, receipt.backend, 0, log_rows)
    info = verify_stark_seal(program, receipt.journal, receipt.seal, min_security_bits)
    return Verified(program, receipt.journal, receipt.backend, info.security_bits, info.log_trace_length)


__all__ = ["Verified", "prove", "verify"]
