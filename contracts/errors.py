"""Errors of the L1 layer (deploying, sending and reading transactions).

They derive from :class:`prover.errors.SuperVMError` through :class:`L1Error`,
so a caller can catch one base class at any boundary.
"""

from __future__ import annotations

from prover.errors import SuperVMError


class L1Error(SuperVMError):
    """Raised when an L1 operation fails in a way the L1 layer anticipated."""


class TransactionTooLargeError(L1Error):
    """Raised when a transaction would need more gas than the EIP-7825 cap (or the block) allows; nothing is sent."""

    def __init__(self, message: str, *, needed: int | None = None, cap: int | None = None):
        super().__init__(message)
        self.needed = needed
        self.cap = cap


class TransactionRevertedError(L1Error):
    """Raised when a call or transaction reverts; carries the decoded reason (None when the revert had none)."""

    def __init__(self, reason: str | None, *, data: bytes = b"", tx_hash: str | None = None, gas_used: int | None = None):
        self.reason = reason
        self.data = bytes(data)
        self.tx_hash = tx_hash
        self.gas_used = gas_used
        text = f"execution reverted: {reason}" if reason else "execution reverted"
        if tx_hash:
            text += f" (tx {tx_hash}, gasUsed {gas_used})"
        super().__init__(text)


class L1UnavailableError(L1Error):
    """Raised when the L1 node cannot be reached or answers with something other than a result."""
