"""Exception hierarchy of the prover: every error the package raises on purpose.

All of them derive from :class:`SuperVMError`, so a caller can catch one base
class at any boundary (RPC, CLI, file parsing) and never see a crash from
untrusted input.
"""


class SuperVMError(Exception):
    """Raised when anything in supervm-l2 fails in a way it anticipated."""


class FieldError(SuperVMError):
    """Raised when a value is not a canonical element of the field."""


class ProofFormatError(SuperVMError):
    """Raised when proof or receipt bytes are malformed, truncated or non-canonical."""


class VerificationError(SuperVMError):
    """Raised when a well-formed proof does not verify."""


class InvalidParametersError(SuperVMError):
    """Raised when proof options are out of range or below the required security."""


class UnknownProgramError(SuperVMError):
    """Raised when a program id or name is not registered."""


class InvalidInputError(SuperVMError):
    """Raised when a program input is out of bounds or malformed."""


class TraceError(SuperVMError):
    """Raised when an execution trace violates its AIR and cannot be proven."""


class InsecureReceiptError(VerificationError):
    """Raised when a receipt without soundness is offered where a secure one is required."""


class ServiceError(SuperVMError):
    """Raised when the prover service cannot run a request (pool closed or failing to start, unexpected worker error)."""


class WorkerCrashedError(ServiceError):
    """Raised when a worker process dies while proving a request; reported for that request only."""
