"""Entry point of a pool worker process: warm the kernels once, then prove chunks until told to stop.

Protocol on the worker's pipe.  In: ``("prove", requests)`` or ``("stop",)``.
Out: ``("ready", pid)`` once warm, then for each chunk one or more
``("results", offset, [ProveResult, ...])`` followed by ``("done",)``.
"""

from __future__ import annotations

import os


def worker_main(conn, threads: int) -> None:
    """Run in the child process (spawn/forkserver context)."""
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    from prover.service.execute import iter_prove, warm

    warm(parallel_kernels=threads > 1)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "stop":
            return
        requests = message[1]
        for offset, results in iter_prove(requests, parallel_kernels=threads > 1):
            conn.send(("results", offset, results))
        conn.send(("done",))
