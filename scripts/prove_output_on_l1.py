#!/usr/bin/env python3
"""Prove on L1, with a contract call, that a request's output belongs to a verified batch.

    scripts/prove_output_on_l1.py                      # sends fib(90), waits, proves its output on L1
    scripts/prove_output_on_l1.py --request 0xabc...   # an existing request

The node answers ``l2_getRequest`` with the request's journal (program,
inputs, outputs) and a Merkle path to the journal root of its batch; the
script asks the rollup contract itself — ``journal_in_batch(index,
keccak256(journal), position, path)``, an ``eth_call`` on the L1 — whether
that journal is a leaf of a verified batch.  Nothing the node says is
trusted: only the contract's answer.  A tampered output is shown to fail.
Exit status 0 if the contract confirms the output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from web3 import Web3  # noqa: E402

from contracts.compiler import compile_contract  # noqa: E402
from contracts.rollup import ROLLUP_SOURCE  # noqa: E402
from node.client import NodeClient, Signer  # noqa: E402
from prover.receipt import Journal  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8547", help="node JSON-RPC URL")
    parser.add_argument("--request", help="request id (default: send a new fib request and wait for it)")
    parser.add_argument("--account", type=int, default=5, help="dev account that signs the new request")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)

    client = NodeClient(args.url)
    request_id = args.request
    if request_id is None:
        signer = Signer.dev(args.account, client.chain_id())
        signer.nonce = client.nonce(signer.address)
        request_id = client.send_request(signer.sign("fib", [90]))["id"]
        print(f"sent fib(90) as request {request_id}; waiting for L1 verification...")
    record = client.wait([request_id], timeout=args.timeout)[request_id]
    if record["status"] != "verified":
        print(f"request ended {record['status']}: {record['reason']}")
        return 1
    record = client.get_request(request_id, proof=True)
    inclusion = record["inclusion"]
    journal = bytes.fromhex(record["journal"][2:])
    print(f"journal:   {Journal.from_bytes(journal).describe(record['programName'])}")
    print(f"batch:     L1 index {inclusion['batchIndex']}, root {inclusion['root']}, leaf {inclusion['position']}")

    contracts = client.contracts()
    w3 = Web3(Web3.HTTPProvider(contracts["l1Rpc"]))
    rollup = w3.eth.contract(address=contracts["rollup"], abi=compile_contract(ROLLUP_SOURCE).abi)
    path = [bytes.fromhex(p[2:]) for p in inclusion["path"]]

    def on_l1(journal_bytes: bytes) -> bool:
        """The rollup's own verdict: a keccak tree (calldata batches) or a Rescue-Prime tree (root-only batches)."""
        if inclusion.get("tree") == "rescue-prime":
            fn = rollup.functions.journal_in_root_batch(inclusion["batchIndex"], journal_bytes, inclusion["position"], path)
        else:
            fn = rollup.functions.journal_in_batch(inclusion["batchIndex"], journal_bytes, inclusion["position"], path)
        return fn.call()

    name = "journal_in_root_batch" if inclusion.get("tree") == "rescue-prime" else "journal_in_batch"
    ok = on_l1(journal)
    print(f"L1 says:   Rollup({contracts['rollup']}).{name}(...) = {ok}")

    forged = Journal.from_bytes(journal)
    forged = Journal(forged.program_id, forged.inputs, tuple((v + 1) % (2**64 - 2**32 + 1) for v in forged.outputs))
    bad = on_l1(forged.to_bytes())
    print(f"forged:    the same path for output {forged.outputs} gives {bad}")
    client.close()
    return 0 if ok and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
