"""The L1 submitter: settles proven batches on the rollup contract, in order, exactly once.

Each proven batch gets the next L1 index — the contract's ``batch_count()``
at that moment, with no other batch in flight — and the index is written to
the node database *before* the transaction is sent.  The contract accepts
index ``k`` only once and only as the next one, so a batch can never be
recorded twice.  A batch whose transaction would exceed the EIP-7825 cap
(nothing is sent) is split in two and both halves are proven again.  After a crash or an L1 outage the submitter reconciles
instead of guessing: if the contract holds our journal root at our index,
the batch is verified (its transaction and gas are read back from the
``BatchVerified`` event); if the index is still free, the batch is sent
again.  An unreachable L1 is retried with exponential backoff, forever; a
reverted transaction a few times, then the batch fails and its requests are
rejected with the revert reason.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from aggregator import BatchReceipt
from contracts import gas as G
from contracts.errors import L1Error, L1UnavailableError, TransactionRevertedError, TransactionTooLargeError
from contracts.rollup import Rollup
from node.errors import ReconciliationError
from node.store import B_PROVEN, B_SUBMITTING, Store

log = logging.getLogger("supervm.settlement")


@dataclass
class SettlementStats:
    """What the submitter has done since start."""

    verified: int = 0
    reconciled: int = 0
    retries: int = 0
    reverts: int = 0
    failed: int = 0
    splits: int = 0
    last_gas: int | None = None
    last_error: str | None = None
    halted: str | None = None


class Settlement:
    """Sends proven batches to the rollup, one at a time, with retries, backoff and reconciliation."""

    def __init__(
        self,
        store: Store,
        rollup: Rollup,
        on_verified: Callable[[int, dict[str, Any]], None] | None = None,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        max_reverts: int = 3,
        fault: Callable[[str], None] | None = None,
        on_split: Callable[[int, tuple[int, int]], None] | None = None,
    ):
        self.store = store
        self.on_split = on_split
        self.rollup = rollup
        self.on_verified = on_verified
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.max_reverts = max_reverts
        self.fault = fault or (lambda point: None)
        self.stats = SettlementStats()
        self._reverts: dict[int, int] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> "Settlement":
        self._thread = threading.Thread(target=self._run, name="settlement", daemon=True)
        self._thread.start()
        return self

    def wake(self, *_: Any) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        delay = self.backoff_initial
        while not self._stop.is_set():
            try:
                progressed = self.step()
                delay = self.backoff_initial
                self.stats.last_error = None
            except L1UnavailableError as exc:
                self.stats.retries += 1
                self.stats.last_error = f"L1 unavailable: {exc}"
                log.warning("L1 unavailable; retrying", extra={"retry_in_s": round(delay, 2), "error": str(exc)[:200]})
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff_max)
                continue
            except ReconciliationError as exc:
                self.stats.halted = str(exc)
                log.error("settlement halted", extra={"error": str(exc)})
                return
            except Exception as exc:  # noqa: BLE001 - an unexpected error must not kill the submitter
                self.stats.retries += 1
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("settlement error; retrying")
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff_max)
                continue
            if not progressed:
                self._wake.wait(0.5)
                self._wake.clear()

    # -- one step --------------------------------------------------------------------------
    def step(self) -> bool:
        """Settle whatever is ready (in-flight batches first); True if a batch moved."""
        in_flight = self.store.batches_with_status(B_SUBMITTING)
        if in_flight:
            self._settle(min(in_flight, key=lambda n: self.store.get_batch(n)["l1_index"]))
            return True
        proven = self.store.batches_with_status(B_PROVEN, limit=1)
        if not proven:
            return False
        number = proven[0]
        with self._l1():
            index = self.rollup.batch_count()
        self.store.assign_l1_index(number, index)
        self._settle(number)
        return True

    @contextlib.contextmanager
    def _l1(self) -> Iterator[None]:
        """Hold the embedded chain's lock (py-evm is single-threaded); no-op for an RPC node."""
        lock = getattr(self.rollup.chain, "lock", None)
        if lock is None:
            yield
        else:
            with lock:
                yield

    def _on_chain(self, index: int, root: bytes) -> str:
        """'ours' (our root at our index), 'free' (index is the next one), or raises ReconciliationError."""
        with self._l1():
            count = self.rollup.batch_count()
            if count > index:
                recorded = self.rollup.batch(index)["journal_root"]
                if recorded == root:
                    return "ours"
                raise ReconciliationError(
                    f"L1 batch {index} holds root 0x{recorded.hex()}, not ours (0x{root.hex()}): another submitter uses this rollup"
                )
        if count < index:
            raise ReconciliationError(f"L1 holds {count} batches but our next index is {index}: the L1 lost batches")
        return "free"

    def _settle(self, number: int) -> None:
        batch = self.store.get_batch(number)
        index, root = batch["l1_index"], batch["journal_root"]
        if self._on_chain(index, root) == "ours":
            self._record_from_chain(number, index, batch["request_count"], reconciled=True)
            return
        receipt = BatchReceipt.from_bytes(self.store.receipt(number))
        self.fault("before_l1_send")
        try:
            with self._l1():
                result = self.rollup.submit_batch(index, receipt)
        except TransactionTooLargeError as exc:  # nothing was sent: split the batch and prove both halves
            self.store.record_submission(number, index, "too_large", detail=str(exc)[:500])
            if batch["request_count"] < 2:
                self._fail(number, index, f"batch transaction exceeds the EIP-7825 cap: {exc}")
                return
            halves = self.store.split_batch(number, (batch["trace_rows"], batch["trace_rows"]))
            self.stats.splits += 1
            log.warning("batch too large for one L1 transaction; split", extra={"batch": number, "into": halves})
            if self.on_split:
                self.on_split(number, halves)
            return
        except TransactionRevertedError as exc:
            if self._on_chain(index, root) == "ours":
                self._record_from_chain(number, index, batch["request_count"], reconciled=True)
                return
            self.stats.reverts += 1
            self._reverts[number] = self._reverts.get(number, 0) + 1
            self.store.record_submission(number, index, "reverted", exc.tx_hash, exc.gas_used, exc.reason)
            log.warning("batch transaction reverted", extra={"batch": number, "l1_index": index, "reason": exc.reason})
            if self._reverts[number] >= self.max_reverts:
                self._fail(number, index, f"L1 rejected the batch: {exc.reason or 'reverted'}")
            return
        except L1UnavailableError:
            self.store.record_submission(number, index, "unavailable")
            raise
        except L1Error as exc:  # the node refused the transaction (nonce, funds, ...): retry later
            self.store.record_submission(number, index, "refused", detail=str(exc)[:500])
            raise L1UnavailableError(str(exc)) from exc
        self.fault("after_l1_send")
        self._record(number, index, batch["request_count"], result.tx_hash, result.block_number, result.gas, False)

    def _record_from_chain(self, number: int, index: int, request_count: int, reconciled: bool) -> None:
        """Read our BatchVerified event back from L1 and record the batch as verified."""
        tx_hash, block, breakdown = None, None, None
        with self._l1():
            w3 = self.rollup.chain.w3
            logs = self.rollup.rollup.events.BatchVerified.get_logs(from_block=0, argument_filters={"index": index})
            if logs:
                tx_hash = logs[-1]["transactionHash"].to_0x_hex() if hasattr(logs[-1]["transactionHash"], "to_0x_hex") else w3.to_hex(logs[-1]["transactionHash"])
                block = int(logs[-1]["blockNumber"])
                tx = w3.eth.get_transaction(tx_hash)
                mined = w3.eth.get_transaction_receipt(tx_hash)
                try:
                    breakdown = G.breakdown(bytes(tx["input"]), int(mined["gasUsed"]))
                except ValueError:
                    breakdown = None
        if reconciled:
            self.stats.reconciled += 1
        self._record(number, index, request_count, tx_hash, block, breakdown, reconciled)

    def _record(self, number: int, index: int, request_count: int, tx_hash: str | None, block: int | None,
                breakdown: G.GasBreakdown | None, reconciled: bool) -> None:
        gas = breakdown.gas_used if breakdown else None
        self.store.mark_verified(
            number, tx_hash, block, gas,
            breakdown.calldata_gas if breakdown else None,
            breakdown.execution_gas if breakdown else None,
            breakdown.calldata_bytes if breakdown else None,
        )
        self.store.record_submission(number, index, "reconciled" if reconciled else "verified", tx_hash, gas)
        self.stats.verified += 1
        self.stats.last_gas = gas
        log.info("batch verified on L1", extra={"batch": number, "l1_index": index, "tx": tx_hash, "gas_used": gas,
                                                 "requests": request_count, "reconciled": reconciled})
        if self.on_verified:
            self.on_verified(number, {"gas_used": gas, "requests": request_count,
                                      "calldata_bytes": breakdown.calldata_bytes if breakdown else None})

    def _fail(self, number: int, index: int, reason: str) -> None:
        self.stats.failed += 1
        self.store.record_submission(number, index, "failed", detail=reason[:500])
        self.store.mark_failed(number, reason)
        log.error("batch failed on L1", extra={"batch": number, "l1_index": index, "reason": reason})
