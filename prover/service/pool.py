"""A pool of warm worker processes with per-request failure reporting and crash replacement.

Workers are started with the ``spawn`` context (no fork of a process that
may already run numba threads), warm every kernel once, then serve chunks of
requests over a pipe.  A dispatcher thread in the parent hands chunks to idle
workers and collects results as they stream back.  When a worker dies, the
request it was proving is reported as :class:`WorkerCrashedError`, the rest of
its chunk is requeued, and a replacement worker is started; the batch
completes.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import Sequence

from prover.errors import ServiceError, WorkerCrashedError
from prover.service.request import ProveRequest, ProveResult
from prover.service.worker import worker_main


class _Job:
    def __init__(self, requests: Sequence[ProveRequest]) -> None:
        self.requests = list(requests)
        self.results: list[ProveResult | None] = [None] * len(self.requests)
        self.remaining = len(self.requests)
        self.future: Future = Future()

    def set(self, index: int, result: ProveResult) -> None:
        if self.results[index] is None:
            self.results[index] = result
            self.remaining -= 1
            if self.remaining == 0 and not self.future.done():
                self.future.set_result(self.results)


@dataclass
class _Unit:
    job: _Job
    indices: list[int]


@dataclass
class _Worker:
    process: object
    conn: Connection
    pid: int
    ready: bool = False
    unit: _Unit | None = None
    received: int = 0
    dead: bool = False


def default_workers() -> int:
    """One worker per core."""
    return max(1, os.cpu_count() or 1)


class WorkerPool:
    """``workers`` warm processes, each using ``threads_per_worker`` numba threads."""

    def __init__(
        self,
        workers: int | None = None,
        threads_per_worker: int = 1,
        start_method: str = "spawn",
        start_timeout: float = 180.0,
        max_restarts: int = 64,
    ) -> None:
        self.size = workers or default_workers()
        self.threads_per_worker = threads_per_worker
        self.start_timeout = start_timeout
        self.max_restarts = max_restarts
        self.replacements = 0
        self._ctx = get_context(start_method)
        self._workers: list[_Worker] = []
        self._queue: deque[_Unit] = deque()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._closing = False
        self._thread: threading.Thread | None = None
        self._all_ready = threading.Event()

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> "WorkerPool":
        """Start the workers and wait until every one is warm."""
        if self._thread is not None:
            return self
        for _ in range(self.size):
            self._spawn()
        self._thread = threading.Thread(target=self._dispatch, name="prover-pool", daemon=True)
        self._thread.start()
        if not self._all_ready.wait(self.start_timeout):
            self.close()
            raise ServiceError(f"worker pool did not become ready within {self.start_timeout:.0f} s")
        return self

    def close(self) -> None:
        """Stop the dispatcher and every worker (graceful stop, then terminate, then kill)."""
        self._closing = True
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            workers, self._workers = self._workers, []
            pending = list(self._queue)
            self._queue.clear()
        for w in workers:
            if w.unit is not None:
                pending.append(w.unit)
            try:
                w.conn.send(("stop",))
            except (OSError, ValueError):
                pass
        for w in workers:
            w.process.join(timeout=2)
            if w.process.is_alive():
                w.process.terminate()
                w.process.join(timeout=2)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(timeout=2)
            w.conn.close()
        for unit in pending:
            if not unit.job.future.done():
                unit.job.future.set_exception(ServiceError("worker pool closed"))
        self._thread = None

    def __enter__(self) -> "WorkerPool":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- work ----------------------------------------------------------------
    def submit(self, requests: Sequence[ProveRequest], chunk_size: int = 1) -> Future:
        """Queue ``requests`` in chunks of ``chunk_size``; the future gives one ProveResult per request, in order."""
        if self._thread is None or self._closing:
            raise ServiceError("worker pool is not running")
        job = _Job(requests)
        if not job.requests:
            job.future.set_result([])
            return job.future
        chunk_size = max(1, chunk_size)
        with self._lock:
            for lo in range(0, len(job.requests), chunk_size):
                self._queue.append(_Unit(job, list(range(lo, min(lo + chunk_size, len(job.requests))))))
        self._wake()
        return job.future

    def map(self, requests: Sequence[ProveRequest], chunk_size: int = 1) -> list[ProveResult]:
        """Blocking :meth:`submit`."""
        return self.submit(requests, chunk_size).result()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return [w.pid for w in self._workers if not w.dead]

    def busy(self) -> dict[int, list[int]]:
        """pid -> request indices (within their job) of the chunk each busy worker is proving."""
        with self._lock:
            return {w.pid: list(w.unit.indices[w.received :]) for w in self._workers if w.unit is not None and not w.dead}

    def ready_count(self) -> int:
        with self._lock:
            return sum(1 for w in self._workers if w.ready and not w.dead)

    # -- internals -----------------------------------------------------------
    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"x")
        except (OSError, ValueError):
            pass

    def _spawn(self) -> None:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=worker_main, args=(child, self.threads_per_worker), daemon=True)
        process.start()
        child.close()
        with self._lock:
            self._workers.append(_Worker(process, parent, process.pid))

    def _assign(self) -> None:
        with self._lock:
            for w in self._workers:
                if w.ready and not w.dead and w.unit is None and self._queue:
                    unit = self._queue.popleft()
                    w.unit, w.received = unit, 0
                    try:
                        w.conn.send(("prove", [unit.job.requests[i] for i in unit.indices]))
                    except (OSError, ValueError):
                        pass  # the sentinel reports the death and the unit is handled there

    def _handle(self, w: _Worker, message: tuple) -> None:
        kind = message[0]
        if kind == "ready":
            w.ready = True
            if all(x.ready for x in self._workers if not x.dead):
                self._all_ready.set()
        elif kind == "results" and w.unit is not None:
            offset, results = message[1], message[2]
            for k, result in enumerate(results):
                w.unit.job.set(w.unit.indices[offset + k], result)
            w.received = max(w.received, offset + len(results))
        elif kind == "done":
            w.unit = None

    def _bury(self, w: _Worker) -> None:
        """Account for a dead worker: keep what it sent, fail its current request, requeue the rest, replace it."""
        if w.dead:
            return
        try:
            while w.conn.poll():
                self._handle(w, w.conn.recv())
        except (EOFError, OSError):
            pass
        w.dead = True
        w.process.join(timeout=1)
        code = w.process.exitcode
        unit = w.unit
        with self._lock:
            self._workers.remove(w)
            # Decide on the replacement before reporting the crash, so callers see a consistent count.
            replace = not self._closing and self.replacements < self.max_restarts
            if replace:
                self.replacements += 1
            if unit is not None:
                rest = unit.indices[w.received :]
                if rest:
                    unit.job.set(rest[0], ProveResult(None, WorkerCrashedError(f"worker {w.pid} died (exit code {code}) while proving this request")))
                    if rest[1:]:
                        self._queue.appendleft(_Unit(unit.job, rest[1:]))
        w.conn.close()
        if self._closing:
            return
        if not replace:
            self._fail_all(ServiceError(f"worker pool gave up after {self.replacements} worker restarts"))
            return
        self._spawn()

    def _fail_all(self, error: Exception) -> None:
        with self._lock:
            units = list(self._queue)
            self._queue.clear()
        for unit in units:
            for i in unit.indices:
                unit.job.set(i, ProveResult(None, error))

    def _dispatch(self) -> None:
        while not self._closing:
            self._assign()
            with self._lock:
                workers = list(self._workers)
            by_object: dict[object, tuple[str, _Worker]] = {}
            for w in workers:
                by_object[w.conn] = ("conn", w)
                by_object[w.process.sentinel] = ("sentinel", w)
            ready = wait([self._wake_r, *by_object], timeout=1.0)
            for obj in ready:
                if obj is self._wake_r:
                    while self._wake_r.poll():
                        self._wake_r.recv_bytes()
                    continue
                kind, w = by_object[obj]
                if w.dead:
                    continue
                if kind == "sentinel":
                    self._bury(w)
                    continue
                try:
                    self._handle(w, w.conn.recv())
                except (EOFError, OSError):
                    self._bury(w)

