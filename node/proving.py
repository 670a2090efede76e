"""The prover stage: executes sealed requests and proves closed batches with the aggregator.

Two jobs, both one-way (store → prover/aggregator → store):

* :class:`Executor` runs each sealed request once through the prover
  service's Trace path (batched fib kernel, LRU receipt cache keyed by the
  whole input) so that outputs are known as soon as a request is sealed.
* :class:`ProvingStage` proves every closed batch in a separate worker
  process (the STARK prover's numba kernels would otherwise hold the node's
  interpreter), checks the batch proof with the Python verifier, and stores
  the batch receipt with each member's position in the journal tree.

The aggregator is called in one place, :func:`prove_in_worker`.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from aggregator import BatchReceipt, DAMode, prove_batch, verify_batch
from aggregator.blocks import BlockLayout
from node.errors import ProvingFailedError
from node.store import B_CLOSED, Member, Store
from prover.errors import SuperVMError
from prover.programs import get_program, program_by_id
from prover.receipt import Backend, Journal
from prover.service import ProveRequest, ProverService, ReceiptCache

log = logging.getLogger("supervm.prover")


class Executor:
    """Outputs of sealed requests, from the prover service's Trace path with its receipt cache."""

    def __init__(self, cache_entries: int = 65_536):
        self.service = ProverService(workers=1, cache=ReceiptCache(max_entries=cache_entries, max_bytes=64 << 20))

    def __call__(self, members: Sequence[Member]) -> dict[int, tuple[int, ...]]:
        requests = [ProveRequest.make(program_by_id(m.program).name, m.inputs, Backend.TRACE) for m in members]
        results = self.service.prove_batch(requests, use_cache=True)
        out = {}
        for member, result in zip(members, results):
            if not result.ok:  # validated at acceptance: a failure here is a bug, reported with the request
                raise ProvingFailedError(f"request 0x{member.id.hex()} failed to execute: {result.error}")
            out[member.seq] = tuple(result.receipt.journal.outputs)
        return out

    def cache_stats(self) -> dict[str, Any]:
        stats = self.service.cache.stats() if self.service.cache else None
        if stats is None:
            return {}
        return {"hits": stats.hits, "misses": stats.misses, "entries": stats.entries, "bytes": stats.bytes,
                "evictions": stats.evictions, "hitRate": round(stats.hit_rate, 4)}

    def close(self) -> None:
        self.service.close()


def _die_with_parent() -> None:
    """Worker initializer: die when the node dies (Linux, even by kill -9); leave Ctrl-C to the node."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C reaches the whole group; the node stops us
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the pool's own shutdown still applies
        pass


@dataclass(frozen=True)
class ProvedBatch:
    """What a worker hands back: the receipt bytes and what the node records, in the batch's member order."""

    receipt: bytes
    seconds: float
    security_bits: int
    journal_root: bytes
    positions: list[int]  # leaf position of each member, in the order the members were sent
    outputs: list[tuple[int, ...]]
    seal_bytes: int


def prove_in_worker(
    journals: list[bytes], backend: int, preset: str, da: str, min_security_bits: int, blocks: list[int] | None = None
) -> ProvedBatch:
    """Prove and check one batch (runs in a worker process); ``journals`` in acceptance order, ``blocks`` the
    member counts of its L2 blocks in that order (each block becomes a subtree of the journal tree)."""
    members: list = [Journal.from_bytes(j) for j in journals]
    sent = [(m.program_id, m.inputs) for m in members]
    if any(not m.outputs for m in members):  # not executed yet: the aggregator runs them
        members = sent
    t0 = time.perf_counter()
    receipt = prove_batch(members, Backend(backend), preset, DAMode(da), blocks)
    seconds = time.perf_counter() - t0
    bits = verify_batch(receipt, allow_insecure=receipt.backend == Backend.TRACE, min_security_bits=min_security_bits)
    positions = positions_of(sent, receipt, blocks)
    where = {p: k for k, p in enumerate(receipt.positions)}
    outputs = [tuple(receipt.journals[where[p]].outputs) for p in positions]
    return ProvedBatch(receipt.to_bytes(), seconds, bits, receipt.journal_root, positions, outputs, len(receipt.seal))


def positions_of(
    members: Sequence[tuple[bytes, Sequence[int]]], receipt: BatchReceipt, blocks: Sequence[int] | None = None
) -> list[int]:
    """Each (program id, inputs) member's leaf position in the receipt's journal tree; ``members`` in acceptance
    order, cut into L2 blocks of ``blocks`` members (one block if None)."""
    sizes = list(blocks) if blocks else [len(members)]
    if sum(sizes) != len(members) or len(receipt.statement.blocks) != len(sizes):
        raise ProvingFailedError("the batch receipt's blocks are not the batch's blocks")
    l2_block = [k for k, size in enumerate(sizes) for _ in range(size)]
    queues: dict[tuple[int, bytes], deque[int]] = {}
    for i, (program, _) in enumerate(members):
        queues.setdefault((l2_block[i], program), deque()).append(i)
    order = BlockLayout.tree_order(sizes)  # tree block t holds L2 block order[t]
    layout = receipt.statement.layout
    tree_block = [t for t, size in enumerate(layout.sizes) for _ in range(size)]
    out = [-1] * len(members)
    for k, (journal, position) in enumerate(zip(receipt.journals, receipt.positions)):
        queue = queues.get((order[tree_block[k]], journal.program_id))
        if not queue:
            raise ProvingFailedError("the batch receipt lists a member the batch does not hold")
        i = queue.popleft()
        if tuple(members[i][1]) != tuple(journal.inputs):
            raise ProvingFailedError(f"batch receipt member {k} does not match member {i} of the batch")
        out[i] = position
    if -1 in out:
        raise ProvingFailedError("the batch receipt lacks members of the batch")
    return out


def block_sizes(members: Sequence[Member]) -> list[int]:
    """Member counts of the L2 blocks of a batch's members (acceptance order, so each block is one run)."""
    sizes: list[int] = []
    last = object()
    for m in members:
        if m.block != last or not sizes:
            sizes.append(0)
            last = m.block
        sizes[-1] += 1
    return sizes


@dataclass
class ProvingStats:
    """What the prover stage has done since start."""

    batches: int = 0
    requests: int = 0
    seconds: float = 0.0
    failures: int = 0
    last_seconds: float | None = None

    def rate(self) -> float:
        """Requests proven per second of proving."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0


class ProvingStage:
    """Proves closed batches in order on ``workers`` processes and stores their receipts."""

    def __init__(
        self,
        store: Store,
        backend: str,
        preset: str,
        da: str,
        min_security_bits: int,
        workers: int = 1,
        on_proven: Callable[[int, dict[str, Any]], None] | None = None,
        fault: Callable[[str], None] | None = None,
    ):
        self.store = store
        self.backend = Backend.parse(backend)
        self.preset = preset
        self.da = DAMode.parse(da)
        self.min_security_bits = min_security_bits if self.backend == Backend.STARK else 0
        self.workers = workers
        self.on_proven = on_proven
        self.fault = fault or (lambda point: None)
        self.stats = ProvingStats()
        self._pool: cf.ProcessPoolExecutor | None = None
        self._inflight: dict[cf.Future, tuple[int, list[Member], Any]] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> "ProvingStage":
        self._pool = self._new_pool()
        self._thread = threading.Thread(target=self._run, name="prover", daemon=True)
        self._thread.start()
        return self

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_die_with_parent)

    def warm_up(self) -> None:
        """Load the prover in every worker (imports, numba kernels) before the first batch."""
        if self._pool is not None:
            journal = Journal(get_program("fib").program_id, (7,), (13,))  # fib(7) = 13
            futures = [self._pool.submit(prove_in_worker, [journal.to_bytes()], int(Backend.TRACE), self.preset, "calldata", 0)
                       for _ in range(self.workers)]
            cf.wait(futures, timeout=120)

    def wake(self, *_: Any) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._pool is not None:
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for proc in processes:
                if proc.is_alive():
                    proc.terminate()
                    proc.join(timeout=5)

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    # -- loop --------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._dispatch()
                self._collect(timeout=0.1)
            except Exception:  # noqa: BLE001 - keep proving; the error is logged with its batch
                log.exception("prover stage error")
                time.sleep(0.5)
            if not self._inflight:
                self._wake.wait(0.25)
                self._wake.clear()

    def _dispatch(self) -> None:
        busy = {number for number, _, _ in self._inflight.values()}
        for number in self.store.batches_with_status(B_CLOSED, limit=self.workers + len(busy)):
            if len(self._inflight) >= self.workers:
                return
            if number in busy:
                continue
            members = self.store.members(number)
            if all(m.outputs is not None for m in members):  # executed at sealing: the prover checks the outputs
                journals = [Journal(m.program, m.inputs, m.outputs).to_bytes() for m in members]  # type: ignore[arg-type]
            else:
                journals = [Journal(m.program, m.inputs, ()).to_bytes() for m in members]
            assert self._pool is not None
            future = self._pool.submit(prove_in_worker, journals, int(self.backend), self.preset, self.da.value,
                                       self.min_security_bits, block_sizes(members))
            self._inflight[future] = (number, members, time.time())
            log.info("proving batch", extra={"batch": number, "requests": len(members), "backend": self.backend.name.lower()})
            self.fault("proving")

    def _collect(self, timeout: float) -> None:
        if not self._inflight:
            return
        done, _ = cf.wait(list(self._inflight), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        for future in done:
            number, members, started = self._inflight.pop(future)
            try:
                proved: ProvedBatch = future.result()
            except cf.process.BrokenProcessPool:
                log.error("prover worker died; restarting the pool", extra={"batch": number})
                self._pool = self._new_pool()
                self._inflight.clear()  # every in-flight batch is still 'closed' and is dispatched again
                return
            except Exception as exc:  # noqa: BLE001 - SuperVMError from the prover, or a bug: the batch fails
                self._fail(number, f"proving failed: {type(exc).__name__}: {exc}")
                continue
            positions = {m.seq: p for m, p in zip(members, proved.positions)}
            outputs = {m.seq: o for m, o in zip(members, proved.outputs)}
            self.store.save_proof(number, proved.receipt, proved.journal_root, positions, outputs, proved.seconds,
                                  proved.security_bits)
            self.stats.batches += 1
            self.stats.requests += len(members)
            self.stats.seconds += proved.seconds
            self.stats.last_seconds = proved.seconds
            log.info("batch proven", extra={"batch": number, "requests": len(members), "prove_s": round(proved.seconds, 3),
                                            "security_bits": proved.security_bits, "seal_bytes": proved.seal_bytes})
            if self.on_proven:
                self.on_proven(number, {"seconds": proved.seconds, "requests": len(members), "seal_bytes": proved.seal_bytes})

    def _fail(self, number: int, reason: str) -> None:
        self.stats.failures += 1
        log.error("batch failed", extra={"batch": number, "reason": reason})
        self.store.mark_failed(number, reason)
