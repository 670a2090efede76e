"""The Trace backend: a keccak256 commitment to the execution trace, for development.

Its seal is ``version u8 || log2(trace rows) u8 || keccak256(trace)`` where
the trace is serialized row by row, each value as 8 bytes big-endian.
Verification re-executes the program and compares.  It has **no soundness**:
anyone can compute the seal for any claimed execution, so a verifier learns
nothing it could not compute itself.  Receipts from it are marked insecure and
refused wherever a production setting is in force.
"""

from __future__ import annotations

import numpy as np

from prover.crypto.keccak import keccak256
from prover.errors import ProofFormatError, VerificationError
from prover.programs.base import Program
from prover.receipt import Journal

TRACE_SEAL_VERSION = 1
TRACE_SEAL_SIZE = 34


def trace_commitment(trace: np.ndarray) -> bytes:
    """keccak256 over the trace, row-major, 8-byte big-endian values."""
    return keccak256(np.ascontiguousarray(trace.T).astype(">u8").tobytes())


def seal_trace(program: Program, journal: Journal) -> bytes:
    """Execute and commit: the seal for ``journal``."""
    trace = program.generate_trace(journal.inputs)
    log_rows = trace.shape[1].bit_length() - 1
    return bytes([TRACE_SEAL_VERSION, log_rows]) + trace_commitment(trace)


def verify_trace_seal(program: Program, journal: Journal, seal: bytes) -> int:
    """Re-execute and compare; returns log2 of the trace rows."""
    if len(seal) != TRACE_SEAL_SIZE or seal[0] != TRACE_SEAL_VERSION:
        raise ProofFormatError(f"trace seal must be {TRACE_SEAL_SIZE} bytes of version {TRACE_SEAL_VERSION}")
    inputs = program.validate_inputs(journal.inputs)
    outputs = program.execute(inputs)
    if tuple(outputs) != tuple(journal.outputs):
        raise VerificationError(f"journal output {journal.outputs} differs from re-execution {outputs}")
    trace = program.generate_trace(inputs)
    if seal[1] != trace.shape[1].bit_length() - 1 or seal[2:] != trace_commitment(trace):
        raise VerificationError("trace commitment does not match the re-executed trace")
    return seal[1]
