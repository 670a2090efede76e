"""The batched fib Trace kernel gives byte-identical receipts to the single-request backend."""

from __future__ import annotations

from prover.backends import prove, verify
from prover.receipt import Backend
from prover.service.trace_batch import prove_fib_trace_batch, valid_fib_input


def test_batch_receipts_are_byte_identical():
    ns = [1, 2, 7, 8, 9, 15, 16, 17, 20, 63, 64, 100, 135, 136, 255, 256, 1000, 4095, 4096, 65535, 70000]
    batch = prove_fib_trace_batch(ns, parallel=False)
    for n, receipt in zip(ns, batch):
        assert receipt.to_bytes() == prove("fib", (n,), Backend.TRACE).to_bytes(), n
    verify(batch[-1], allow_insecure=True)


def test_parallel_kernel_matches_serial():
    ns = [(i % 300) + 1 for i in range(5000)]  # above the parallel threshold
    serial = prove_fib_trace_batch(ns, parallel=False)
    parallel = prove_fib_trace_batch(ns, parallel=True)
    assert [r.to_bytes() for r in serial] == [r.to_bytes() for r in parallel]


def test_valid_input_predicate():
    assert valid_fib_input(1) and valid_fib_input((1 << 22) - 1)
    assert not valid_fib_input(0) and not valid_fib_input(1 << 22)
    assert not valid_fib_input(True) and not valid_fib_input(3.0)


def test_gc_pauses_nest_and_restore_the_collector():
    import gc

    from prover.service.execute import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a collector that was off stays off
    finally:
        gc.enable()
