"""The STARK backend: receipts whose seal is a serialized STARK proof."""

from __future__ import annotations

from prover.errors import VerificationError
from prover.programs.base import Program
from prover.receipt import Journal
from prover.stark.params import ProofOptions
from prover.stark.prover import prove_trace
from prover.stark.verifier import StarkInfo, verify_stark


def seal_stark(program: Program, journal: Journal, options: ProofOptions, trace_length: int | None = None) -> bytes:
    """Generate the trace and prove it: the seal for ``journal``."""
    trace = program.generate_trace(journal.inputs, trace_length)
    return prove_trace(program, journal, trace, options).to_bytes()


def verify_stark_seal(program: Program, journal: Journal, seal: bytes, min_security_bits: int = 0) -> StarkInfo:
    """Verify a STARK seal against ``journal``."""
    if len(journal.inputs) != program.num_inputs or len(journal.outputs) != program.num_outputs:
        raise VerificationError(
            f"{program.name} takes {program.num_inputs} input(s) and {program.num_outputs} output(s); "
            f"the journal has {len(journal.inputs)} and {len(journal.outputs)}"
        )
    return verify_stark(program, journal, seal, min_security_bits)
