"""WorkerPool: per-request failures, a worker killed mid-batch is replaced and the batch completes."""

from __future__ import annotations

import os
import signal
import time

import pytest

from prover.errors import InvalidInputError, ServiceError, WorkerCrashedError
from prover.programs import get_program
from prover.service.pool import WorkerPool
from prover.service.request import ProveRequest


def _expected(n: int) -> int:
    return get_program("fib").execute((n,))[0]


def test_workers_are_warm_and_distinct(pool):
    assert len(set(pool.pids)) == 2 and pool.ready_count() == 2


def test_failing_request_inside_a_batch(pool):
    requests = [ProveRequest.make("fib", (n,), "stark", "test") for n in (10, 20, 0, 30)]
    requests.append(ProveRequest.make("nope", (1,), "trace"))
    requests.append(ProveRequest.make("fib", (40,), "trace"))
    results = pool.map(requests, chunk_size=2)
    assert [r.ok for r in results] == [True, True, False, True, False, True]
    assert isinstance(results[2].error, InvalidInputError)
    assert results[3].receipt.journal.outputs == (_expected(30),)
    assert results[5].receipt.journal.outputs == (_expected(40),)


def test_worker_killed_mid_batch_is_replaced_and_the_batch_completes(pool):
    # request 0 is large (2^17 rows), so its worker is certainly still proving it when killed
    requests = [ProveRequest.make("fib", ((1 << 17) - 1,), "stark", "test")]
    requests += [ProveRequest.make("fib", (n,), "stark", "test") for n in range(100, 112)]
    before = set(pool.pids)
    future = pool.submit(requests, chunk_size=1)
    deadline = time.monotonic() + 30
    victim = None
    while victim is None and time.monotonic() < deadline:
        victim = next((pid for pid, idx in pool.busy().items() if 0 in idx), None)
        time.sleep(0.001)
    assert victim is not None
    os.kill(victim, signal.SIGKILL)
    results = future.result(timeout=60)
    assert isinstance(results[0].error, WorkerCrashedError)
    assert all(r.ok for r in results[1:])
    assert [r.receipt.journal.inputs[0] for r in results[1:]] == list(range(100, 112))
    assert pool.replacements >= 1
    deadline = time.monotonic() + 60
    while pool.ready_count() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.ready_count() == 2
    assert victim not in pool.pids and len(set(pool.pids) - before) == 1
    # the replacement serves new work
    again = pool.map([ProveRequest.make("fib", (n,), "trace") for n in range(1, 50)], chunk_size=7)
    assert all(r.ok for r in again)


def test_closed_pool_refuses_work_and_leaves_no_process():
    pool = WorkerPool(1).start()
    pid = pool.pids[0]
    pool.close()
    with pytest.raises(ServiceError):
        pool.submit([ProveRequest.make("fib", (5,), "trace")])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
