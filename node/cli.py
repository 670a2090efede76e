"""The ``supervm`` command line: prove, verify, inspect, demo and benchmarks."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Sequence

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

TRACE_WARNING = "WARNING: Trace receipts have NO soundness (development only); production verifiers refuse them."


def _parse_int(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _cmd_programs(args: argparse.Namespace) -> int:
    from prover.programs import PROGRAMS

    for program in PROGRAMS.values():
        print(f"{program.name:8} 0x{program.program_id.hex()}  inputs={program.num_inputs}  {program.description}")
    return EXIT_OK


def _cmd_prove(args: argparse.Namespace) -> int:
    from prover.backends import prove
    from prover.programs import get_program
    from prover.receipt import Backend
    from prover.stark.params import preset

    program = get_program(args.program)
    backend = Backend.parse(args.backend)
    options = preset(args.preset)
    started = time.perf_counter()
    receipt = prove(program, args.inputs, backend, options, args.trace_rows)
    elapsed = time.perf_counter() - started
    Path(args.output).write_bytes(receipt.to_bytes())
    print(f"journal:  {receipt.journal.describe(program.name)}")
    print(f"backend:  {backend.name.lower()}")
    if backend == Backend.STARK:
        log_t = receipt.seal[1]
        print(f"security: {options.security_bits(log_t)} bits conjectured (preset {args.preset}, trace 2^{log_t} rows)")
    else:
        print(TRACE_WARNING)
    print(f"seal:     {len(receipt.seal)} bytes, proved in {elapsed:.3f} s -> {args.output}")
    return EXIT_OK


def _load_receipt(path: str):
    from prover.receipt import Receipt

    return Receipt.from_bytes(Path(path).read_bytes())


def _cmd_verify(args: argparse.Namespace) -> int:
    from prover.backends import verify
    from prover.receipt import Backend

    receipt = _load_receipt(args.file)
    started = time.perf_counter()
    result = verify(receipt, allow_insecure=not args.production, min_security_bits=args.min_security)
    elapsed = time.perf_counter() - started
    print(f"VALID    {result.journal.describe(result.program.name)}")
    print(f"backend: {result.backend.name.lower()}")
    if result.backend == Backend.TRACE:
        print(TRACE_WARNING)
    else:
        print(f"security: {result.security_bits} bits conjectured, trace 2^{result.log_trace_length} rows")
    print(f"verified in {elapsed * 1e3:.1f} ms")
    return EXIT_OK


def _cmd_inspect(args: argparse.Namespace) -> int:
    from prover.errors import SuperVMError
    from prover.programs import program_by_id
    from prover.receipt import Backend

    receipt = _load_receipt(args.file)
    journal = receipt.journal
    try:
        name = program_by_id(journal.program_id).name
    except SuperVMError:
        name = "(unknown program)"
    info = {
        "program": name,
        "program_id": "0x" + journal.program_id.hex(),
        "inputs": list(journal.inputs),
        "outputs": list(journal.outputs),
        "journal_digest": "0x" + journal.digest.hex(),
        "backend": receipt.backend.name.lower(),
        "secure": receipt.is_secure,
        "seal_bytes": len(receipt.seal),
    }
    if receipt.backend == Backend.STARK and len(receipt.seal) >= 8:
        from prover.stark.proof import ProofReader

        seal = receipt.seal
        info["proof_version"] = seal[0]
        info["log_trace_rows"] = seal[1]
        try:
            options, log_t = ProofReader(seal).header()  # the verifier's own header checks
            info["options"] = {
                "blowup": options.blowup,
                "folding": options.folding,
                "first_folding": options.first_folding,
                "queries": options.num_queries,
                "grinding_bits": options.grinding_bits,
                "max_remainder": 1 << options.log_max_remainder,
            }
            info["security_bits"] = options.security_bits(log_t)
        except SuperVMError as exc:
            info["options_error"] = str(exc)
    print(json.dumps(info, indent=2))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from prover.backends import prove, verify
    from prover.machine import machine_line
    from prover.receipt import Backend
    from prover.stark.params import DEFAULT_PRESET, preset

    print("supervm-l2 demo: prove and verify each program with both backends")
    print(machine_line())
    options = preset(DEFAULT_PRESET)
    verify(prove("fib", (7,), Backend.STARK, options))  # load the cached numba kernels before timing
    cases = [("fib", (1000,)), ("mimc", (42, 1000)), ("collatz", (27,))]
    header = f"{'program':8} {'backend':7} {'journal':34} {'rows':>6} {'prove':>9} {'verify':>9} {'seal':>9} {'bits':>5}"
    print(header)
    print("-" * len(header))
    for name, inputs in cases:
        for backend in (Backend.STARK, Backend.TRACE):
            t0 = time.perf_counter()
            receipt = prove(name, inputs, backend, options)
            t1 = time.perf_counter()
            result = verify(receipt, allow_insecure=True)
            t2 = time.perf_counter()
            journal = receipt.journal.describe(name)
            bits = str(result.security_bits) if result.is_secure else "none"
            print(
                f"{name:8} {backend.name.lower():7} {journal[:34]:34} {'2^' + str(result.log_trace_length):>6} "
                f"{(t1 - t0) * 1e3:7.1f}ms {(t2 - t1) * 1e3:7.2f}ms {len(receipt.seal):>7} B {bits:>5}"
            )
    print()
    print(TRACE_WARNING)
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    if args.suite == "service":
        from prover.service import bench as service_bench

        report = service_bench.run(quick=args.quick, progress=not args.json)
        print(json.dumps(report, indent=2) if args.json else service_bench.format_report(report))
        return EXIT_OK
    if args.suite == "aggregate":
        from aggregator import bench as aggregate_bench

        sizes = aggregate_bench.QUICK_SIZES if args.quick else aggregate_bench.DEFAULT_SIZES
        mixed = (4,) if args.quick else (16, 64)
        report = aggregate_bench.run(sizes, args.preset, getattr(args, "l1_rpc", None), mixed, progress=True)
        print(aggregate_bench.main_json(report) if args.json else aggregate_bench.format_report(report))
        return EXIT_OK
    if args.suite == "gas":
        from contracts import bench as gas_bench

        programs = args.programs.split(",") if args.programs else list(gas_bench.QUICK_PROGRAMS if args.quick else gas_bench.PROGRAMS)
        logs = gas_bench.QUICK_LOGS if args.quick else range(args.min_log, args.max_log + 1, 2)
        cases = gas_bench.cases_for(programs, logs)
        if not cases:
            raise ValueError("no trace length in range for these programs")
        submit = gas_bench.SUBMIT_CASE if gas_bench.SUBMIT_CASE in cases else cases[-1]
        report = gas_bench.run(cases, args.preset, args.l1_rpc, submit_case=submit,
                               breakdown_case=gas_bench.GOAL_CASE if args.breakdown else None)
        print(gas_bench.main_json(report) if args.json else gas_bench.format_report(report))
        return EXIT_OK
    if args.suite != "prover":
        print(f"unknown benchmark {args.suite!r}", file=sys.stderr)
        return EXIT_USAGE
    from prover import bench
    from prover.receipt import Backend

    if args.quick:
        sizes = list(range(6, 13, 2))
    else:
        sizes = list(range(args.min_log, args.max_log + 1, 2))
    backends = [Backend.parse(b) for b in args.backends.split(",")]
    report = bench.run(sizes, (args.programs or "fib").split(","), backends, args.preset, progress=not args.json)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(bench.format_table(report))
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from capacity.report import run

    flags = [f"--{k.replace('_', '-')} {v}" for k, v in (("out", args.out), ("l1_rpc", args.l1_rpc), ("preset", args.preset),
                                                         ("from_json", args.from_json))
             if v not in (None, "default")]
    return run(args, " ".join(["supervm report capacity", *(["--quick"] if args.quick else []), *flags]))


def _cmd_devnet(args: argparse.Namespace) -> int:
    from node.config import build_config
    from node.devnet import Devnet

    names = ("host", "port", "chain_id", "backend", "preset", "da", "min_security_bits", "batch_max_requests",
             "batch_max_age", "batch_max_rows", "batch_max_gas", "block_time", "l1_rpc", "l1_private_key",
             "l1_gas_limit", "l1_port", "data_dir", "workers", "max_pending", "max_body_bytes", "log_format")
    flags = {name: getattr(args, name) for name in names}
    flags["fresh"] = True if args.fresh else None
    from node.errors import ConfigError

    try:
        config = build_config(flags, args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return Devnet(config).run()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _add_devnet_parser(sub) -> None:
    p = sub.add_parser("devnet", help="run a local rollup node: embedded L1, sequencer, prover, L1 submitter, JSON-RPC")
    p.add_argument("--config", default=None, help="TOML file with the same settings (flags win)")
    p.add_argument("--host", default=None, help="loopback address to serve on (default 127.0.0.1)")
    p.add_argument("--port", type=_parse_int, default=None, help="JSON-RPC port (default 8547; 0 picks a free one)")
    p.add_argument("--chain-id", type=_parse_int, default=None, help="L2 chain id requests are signed for")
    p.add_argument("--backend", choices=["stark", "trace"], default=None,
                   help="stark (default) or trace (no soundness: forces a dev-mode rollup)")
    p.add_argument("--preset", default=None, help="STARK proof preset (default: default)")
    p.add_argument("--da", choices=["calldata", "root"], default=None, help="data availability of member journals")
    p.add_argument("--min-security-bits", type=int, default=None, help="security the rollup demands of STARK batches")
    p.add_argument("--batch-max-requests", type=_parse_int, default=None)
    p.add_argument("--batch-max-age", type=float, default=None, help="seconds before a non-empty batch closes")
    p.add_argument("--batch-max-rows", type=_parse_int, default=None, help="largest batch trace (rows)")
    p.add_argument("--batch-max-gas", type=_parse_int, default=None, help="L1 gas budget of one batch (<= EIP-7825 cap)")
    p.add_argument("--block-time", type=float, default=None, help="seconds between L2 blocks")
    p.add_argument("--l1-rpc", default=None, help="settle on this JSON-RPC node (anvil, hardhat, a fork) instead of the embedded L1")
    p.add_argument("--l1-private-key", default=None, help="sequencer key on --l1-rpc (default: dev account 0)")
    p.add_argument("--l1-gas-limit", type=_parse_int, default=None, help="block gas limit of the embedded L1 (default 60M)")
    p.add_argument("--l1-port", type=_parse_int, default=None, help="JSON-RPC port of the embedded L1 (default: --port + 1)")
    p.add_argument("--data-dir", default=None, help="node and embedded-L1 state (default ~/.local/share/supervm/devnet)")
    p.add_argument("--workers", type=_parse_int, default=None, help="prover worker processes")
    p.add_argument("--max-pending", type=_parse_int, default=None, help="pending queue limit")
    p.add_argument("--max-body-bytes", type=_parse_int, default=None, help="largest JSON-RPC body accepted")
    p.add_argument("--log-format", choices=["text", "json"], default=None)
    p.add_argument("--fresh", action="store_true", help="discard the node and embedded-L1 state in the data dir first")
    p.set_defaults(func=_cmd_devnet)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supervm", description="supervm-l2: a zk-rollup node with real STARK proofs")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("programs", help="list registered programs and their ids")
    p.set_defaults(func=_cmd_programs)

    p = sub.add_parser("prove", help="prove one execution and write a receipt")
    p.add_argument("program")
    p.add_argument("inputs", nargs="+", type=_parse_int, metavar="INPUT")
    p.add_argument("--backend", default="stark", choices=["stark", "trace"])
    p.add_argument("--preset", default="default")
    p.add_argument("--trace-rows", type=_parse_int, default=None, help="pad the trace to this power of two")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_cmd_prove)

    p = sub.add_parser("verify", help="verify a receipt file (exit 0 only if valid)")
    p.add_argument("file")
    p.add_argument("--min-security", type=int, default=0, help="reject STARK proofs below this many bits")
    p.add_argument("--production", action="store_true", help="refuse Trace receipts, as a production verifier does")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("inspect", help="print a receipt's journal and proof parameters")
    p.add_argument("file")
    p.set_defaults(func=_cmd_inspect)

    p = sub.add_parser("demo", help="prove and verify each program with both backends")
    p.set_defaults(func=_cmd_demo)

    _add_devnet_parser(sub)

    from capacity.options import add_arguments as add_report_arguments

    p = sub.add_parser("report", help="reports: capacity (L1 gas, block capacity, throughput; Markdown and plots)")
    p.add_argument("suite", choices=["capacity"])
    add_report_arguments(p)
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("bench", help="benchmarks")
    p.add_argument("suite", choices=["prover", "service", "aggregate", "gas"])
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="small sizes only (prover: 2^6..2^12; gas: fib 2^6, 2^10, 2^16)")
    p.add_argument("--min-log", type=int, default=6)
    p.add_argument("--max-log", type=int, default=20)
    p.add_argument("--programs", default=None, help="comma-separated (default: prover fib; gas fib,mimc,collatz)")
    p.add_argument("--backends", default="stark,trace")
    p.add_argument("--preset", default="default")
    p.add_argument("--l1-rpc", default=None, help="settle on this JSON-RPC node instead of the embedded L1 (aggregate, gas)")
    p.add_argument("--breakdown", action="store_true", help="gas: also trace where the gas of fib 2^16 goes (anvil)")
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from prover.errors import InvalidInputError, InvalidParametersError, SuperVMError, UnknownProgramError

    try:
        return args.func(args)
    except (InvalidInputError, InvalidParametersError, UnknownProgramError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SuperVMError as exc:
        print(f"INVALID: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
