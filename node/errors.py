"""Errors of the devnet node: rejected requests (each with its JSON-RPC code), storage, configuration, settlement.

They derive from :class:`prover.errors.SuperVMError` through :class:`NodeError`,
so one ``except SuperVMError`` at a boundary catches every anticipated failure.
The application error codes are published in ``docs/rpc.md``.
"""

from __future__ import annotations

from prover.errors import SuperVMError

# Application error codes (outside the JSON-RPC reserved range -32768..-32000).
CODE_INVALID_SIGNATURE = 1001
CODE_WRONG_CHAIN_ID = 1002
CODE_NONCE_TOO_LOW = 1003
CODE_NONCE_GAP = 1004
CODE_UNKNOWN_PROGRAM = 1005
CODE_INVALID_INPUT = 1006
CODE_TOO_MANY_ROWS = 1007
CODE_QUEUE_FULL = 1008
CODE_NOT_FOUND = 1010


class NodeError(SuperVMError):
    """Raised when the node fails in a way it anticipated."""


class RequestRejectedError(NodeError):
    """Raised when a submitted request is refused before it is accepted; ``code`` is its JSON-RPC error code."""

    code: int = CODE_INVALID_INPUT


class InvalidSignatureError(RequestRejectedError):
    """Raised when a request's signature is malformed, non-canonical or does not match its claimed sender."""

    code = CODE_INVALID_SIGNATURE


class WrongChainIdError(RequestRejectedError):
    """Raised when a request is signed for another L2 chain id."""

    code = CODE_WRONG_CHAIN_ID


class NonceTooLowError(RequestRejectedError):
    """Raised when a request reuses a nonce its sender already spent (a replay)."""

    code = CODE_NONCE_TOO_LOW


class NonceGapError(RequestRejectedError):
    """Raised when a request's nonce skips ahead of its sender's next nonce."""

    code = CODE_NONCE_GAP


class UnknownProgramRequestError(RequestRejectedError):
    """Raised when a request names a program id the node does not run."""

    code = CODE_UNKNOWN_PROGRAM


class InvalidRequestInputError(RequestRejectedError):
    """Raised when a request's fields or program inputs are malformed or out of bounds."""

    code = CODE_INVALID_INPUT


class TooManyRowsError(RequestRejectedError):
    """Raised when an execution needs more trace rows than the request allows or a batch can hold."""

    code = CODE_TOO_MANY_ROWS


class QueueFullError(RequestRejectedError):
    """Raised when the pending queue is at its limit; the client should retry later."""

    code = CODE_QUEUE_FULL


class NotFoundError(NodeError):
    """Raised when a request, block or batch asked for does not exist."""

    code = CODE_NOT_FOUND


class ConfigError(NodeError):
    """Raised when a setting (flag or config file) is malformed or out of range."""


class StoreError(NodeError):
    """Raised when the node database is unusable: another schema version, another chain, or corrupt."""


class DataDirMismatchError(StoreError):
    """Raised when a data directory was created for another L1, backend or rollup deployment."""


class ProvingFailedError(NodeError):
    """Raised when a closed batch cannot be proven (the prover refused a member)."""


class SettlementError(NodeError):
    """Raised when a batch cannot be settled on L1 for a reason retrying will not fix."""


class ReconciliationError(SettlementError):
    """Raised when the rollup contract holds a batch at our index that is not ours (another submitter)."""
