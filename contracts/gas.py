"""Gas of an Ethereum transaction under Prague rules, and its split into calldata and execution.

Pure functions over the transaction's data; no node is needed.

* Intrinsic gas: 21,000, plus 4 per zero and 16 per non-zero calldata byte
  (EIP-2028); a contract creation adds 32,000 and 2 per 32-byte word of
  initcode (EIP-3860).  Access lists and EIP-7702 authorisations are not used
  by this project and are not counted.
* EIP-7623 floor: with ``tokens = zero_bytes + 4 * nonzero_bytes``::

      gasUsed = 21000 + max(4 * tokens + execution [+ 32000 + 2 * words(initcode)],
                            10 * tokens)

  (``4 * tokens`` is exactly the EIP-2028 calldata cost, and ``execution`` is
  net of refunds).  A transaction whose gas limit is below either term is
  invalid.
* EIP-7825 caps the gas *limit* of one transaction at 2^24 = 16,777,216.
  That EIP belongs to Osaka; neither py-evm nor anvil under ``--hardfork
  prague`` enforces it, so :mod:`contracts.chain` does, before sending.

What a receipt tells: when the floor does not bind, ``gasUsed - intrinsic`` is
the execution gas exactly.  When it binds, ``gasUsed`` is the floor whatever
the execution was (anything from 0 to ``6 * tokens``), so the execution gas is
not identifiable from the receipt; :func:`breakdown` then takes a separate
measurement (the chain layer supplies one: a dry run of the same transaction
in py-evm, or the call trace of the mined transaction on an RPC node) and,
without one, reports the upper bound with ``execution_exact = False``.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.errors import TransactionTooLargeError

TX_BASE_GAS = 21_000
TX_CREATE_GAS = 32_000
TX_DATA_ZERO_GAS = 4
TX_DATA_NONZERO_GAS = 16
INITCODE_WORD_GAS = 2
STANDARD_TOKEN_COST = 4
TOTAL_COST_FLOOR_PER_TOKEN = 10
MAX_TX_GAS = 16_777_216  # EIP-7825
MAX_INITCODE_SIZE = 49_152  # EIP-3860


def calldata_counts(data: bytes) -> tuple[int, int]:
    """(zero bytes, non-zero bytes) of ``data``."""
    zero = bytes(data).count(0)
    return zero, len(data) - zero


def calldata_tokens(data: bytes) -> int:
    """EIP-7623 tokens: one per zero byte, four per non-zero byte."""
    zero, nonzero = calldata_counts(data)
    return zero + 4 * nonzero


def calldata_gas(data: bytes) -> int:
    """EIP-2028 calldata cost: 4 per zero byte, 16 per non-zero byte (= 4 * tokens)."""
    return STANDARD_TOKEN_COST * calldata_tokens(data)


def creation_gas(data: bytes) -> int:
    """Extra intrinsic gas of a contract creation: 32,000 plus 2 per initcode word (EIP-3860)."""
    return TX_CREATE_GAS + INITCODE_WORD_GAS * ((len(data) + 31) // 32)


def intrinsic_gas(data: bytes, create: bool = False) -> int:
    """Gas charged before execution: base, calldata and, for a creation, the creation costs."""
    return TX_BASE_GAS + calldata_gas(data) + (creation_gas(data) if create else 0)


def floor_gas(data: bytes) -> int:
    """EIP-7623 floor: 21,000 + 10 * tokens (the same for calls and creations)."""
    return TX_BASE_GAS + TOTAL_COST_FLOOR_PER_TOKEN * calldata_tokens(data)


def min_gas_limit(data: bytes, create: bool = False) -> int:
    """The lowest gas limit a transaction with this data may carry (intrinsic gas and floor)."""
    return max(intrinsic_gas(data, create), floor_gas(data))


def predict_gas_used(data: bytes, execution_gas: int, create: bool = False) -> int:
    """gasUsed of a transaction whose execution (net of refunds) costs ``execution_gas``."""
    return max(intrinsic_gas(data, create) + execution_gas, floor_gas(data))


def execution_margin(execution_gas: int) -> int:
    """Head-room over measured execution gas for a gas limit.

    Calls forward at most 63/64 of the remaining gas (EIP-150), so a
    transaction that makes nested calls needs a limit above what it uses; 1/32
    covers two levels of nesting, and 10,000 covers the SSTORE stipend check
    (EIP-2200) and refunds granted only at the end.
    """
    return execution_gas // 32 + 10_000


def gas_limit_for(data: bytes, execution_gas: int, create: bool = False) -> int:
    """A gas limit for a transaction that executes ``execution_gas`` (gross, before refunds)."""
    return max(floor_gas(data), intrinsic_gas(data, create) + execution_gas + execution_margin(execution_gas))


def estimate_gas_with_floor(node_estimate: int, data: bytes, create: bool = False) -> int:
    """A node's estimate raised to the EIP-7623 floor (py-evm's ``estimate_gas`` ignores the floor)."""
    return max(int(node_estimate), min_gas_limit(data, create))


def check_cap(gas: int, what: str = "transaction") -> None:
    """Raise :class:`TransactionTooLargeError` when ``gas`` exceeds the EIP-7825 cap."""
    if gas > MAX_TX_GAS:
        raise TransactionTooLargeError(
            f"{what} needs {gas:,} gas, above the EIP-7825 per-transaction cap of {MAX_TX_GAS:,}",
            needed=gas,
            cap=MAX_TX_GAS,
        )


@dataclass(frozen=True)
class GasBreakdown:
    """Where the gas of one transaction went.

    ``intrinsic`` is base + EIP-2028 calldata (+ creation costs);
    ``execution_gas`` is net of refunds.  When the floor binds (``gas_used ==
    floor_gas > intrinsic + execution``) the receipt cannot tell the execution
    gas; it is then exact only when a separate measurement was supplied
    (``execution_exact``), and otherwise the upper bound ``floor_gas -
    intrinsic`` (``6 * tokens`` for a call).  ``fits_cap`` says whether the gas
    used is within the EIP-7825 cap, i.e. whether the transaction could be
    sent under it with a tight gas limit.
    """

    gas_used: int
    intrinsic: int
    calldata_gas: int
    calldata_bytes: int
    zero_bytes: int
    nonzero_bytes: int
    tokens: int
    floor_gas: int
    floor_binds: bool
    execution_gas: int
    execution_exact: bool
    is_create: bool
    fits_cap: bool

    @property
    def floor_surcharge(self) -> int:
        """Gas paid only because of the floor (0 when it does not bind; a lower bound when execution is inexact)."""
        return self.gas_used - (self.intrinsic + self.execution_gas) if self.floor_binds else 0


def breakdown(data: bytes, gas_used: int, *, create: bool = False, execution_gas: int | None = None) -> GasBreakdown:
    """Split the ``gas_used`` of a transaction with calldata (or initcode) ``data``.

    ``execution_gas`` is a separate measurement of the execution gas (net of
    refunds), used only when the floor binds; it must then be consistent
    with the receipt (``intrinsic + execution <= floor``).
    """
    data = bytes(data)
    zero, nonzero = calldata_counts(data)
    tokens = zero + 4 * nonzero
    intrinsic = intrinsic_gas(data, create)
    floor = floor_gas(data)
    if gas_used < max(intrinsic, floor):
        raise ValueError(f"gasUsed {gas_used} is below the minimum {max(intrinsic, floor)} for this data")
    if gas_used > floor:
        binds, execution, exact = False, gas_used - intrinsic, True
    elif execution_gas is not None:
        if intrinsic + execution_gas > floor:
            raise ValueError(f"execution {execution_gas} inconsistent with gasUsed {gas_used} at the floor {floor}")
        binds, execution, exact = intrinsic + execution_gas < floor, execution_gas, True
    else:
        binds, execution, exact = intrinsic < floor, floor - intrinsic, intrinsic == floor
    return GasBreakdown(
        gas_used=gas_used,
        intrinsic=intrinsic,
        calldata_gas=STANDARD_TOKEN_COST * tokens,
        calldata_bytes=len(data),
        zero_bytes=zero,
        nonzero_bytes=nonzero,
        tokens=tokens,
        floor_gas=floor,
        floor_binds=binds,
        execution_gas=execution,
        execution_exact=exact,
        is_create=create,
        fits_cap=gas_used <= MAX_TX_GAS,
    )
