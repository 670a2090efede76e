"""The L2 JSON-RPC methods: what each one takes and answers, over the node's store and stages.

Parameters may be positional (``[id]``) or by name (``{"id": ...}``).
Counts and indices are JSON integers; hashes, ids and addresses are
0x-hex strings; ``eth_chainId`` answers a hex quantity as Ethereum nodes do.
Program values (inputs, outputs) are JSON integers below 2^64 — parse them
with a big-integer-aware JSON reader outside Python.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Sequence

from aggregator import inclusion_proof
from aggregator.blocks import width
from aggregator.journal_tree import journal_tree_node
from aggregator.root_air import member_tree
from node import rpc
from node.errors import InvalidRequestInputError, RequestRejectedError
from node.rpc import INVALID_PARAMS, RpcError
from node.sequencer import Sequencer
from node.store import PROVEN, SUBMITTED, VERIFIED, Store
from prover.crypto import rescue_tree
from prover.crypto.rescue import Digest, digest_to_bytes
from prover.programs import PROGRAMS, program_by_id
from prover.receipt import Journal


def _args(params: Any, names: Sequence[str], required: int) -> list[Any]:
    """Positional or named parameters as a list of ``len(names)`` values (missing optional ones are None)."""
    if isinstance(params, dict):
        unknown = set(params) - set(names)
        if unknown:
            raise RpcError(INVALID_PARAMS, f"unknown parameters: {', '.join(sorted(map(str, unknown)))[:100]}")
        values = [params.get(n) for n in names]
        given = sum(1 for n in names[:required] if n in params)
    else:
        if len(params) > len(names):
            raise RpcError(INVALID_PARAMS, f"expected at most {len(names)} parameters, got {len(params)}")
        values = list(params) + [None] * (len(names) - len(params))
        given = min(len(params), required)
    if given < required:
        raise RpcError(INVALID_PARAMS, f"missing parameters: expected {', '.join(names[:required])}")
    return values


def _hash_param(value: Any, name: str = "id") -> bytes:
    if not isinstance(value, str) or len(value) != 66 or value[:2] not in ("0x", "0X"):
        raise RpcError(INVALID_PARAMS, f"{name} must be a 0x-prefixed 32-byte hex string")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise RpcError(INVALID_PARAMS, f"{name} is not hex") from None


def _int_param(value: Any, name: str) -> int:
    if isinstance(value, str):
        try:
            value = int(value, 0)
        except ValueError:
            raise RpcError(INVALID_PARAMS, f"{name} must be an integer") from None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= 1 << 63:
        raise RpcError(INVALID_PARAMS, f"{name} must be a non-negative integer")
    return value


def _hex(value: bytes | None) -> str | None:
    return None if value is None else "0x" + value.hex()


class NodeApi:
    """The method table of a running node."""

    def __init__(self, store: Store, sequencer: Sequencer, status: Callable[[], dict[str, Any]],
                 contracts: Callable[[], dict[str, Any]], on_accept: Callable[[list[Any]], None] | None = None,
                 da: str = "calldata"):
        self.store = store
        self.da = da
        self.sequencer = sequencer
        self.status_fn = status
        self.contracts_fn = contracts
        self.on_accept = on_accept or (lambda results: None)
        self._trees: OrderedDict[int, tuple[list[Journal], list[int]]] = OrderedDict()
        self._leaves: OrderedDict[int, list[Digest]] = OrderedDict()
        self._trees_lock = threading.Lock()

    def methods(self) -> dict[str, Callable[[Any], Any]]:
        return {
            rpc.SEND_REQUEST: lambda p: self.send_requests([p])[0],
            rpc.GET_REQUEST: self.get_request,
            rpc.GET_BATCH: self.get_batch,
            rpc.GET_BLOCK: self.get_block,
            rpc.BLOCK_NUMBER: lambda p: self._no_params(p, self.store.block_number()),
            rpc.BATCH_NUMBER: lambda p: self._no_params(p, self.store.batch_number()),
            rpc.GET_NONCE: self.get_nonce,
            rpc.STATUS: lambda p: self._no_params(p, self.status_fn()),
            rpc.PROGRAMS: lambda p: self._no_params(p, self.programs()),
            rpc.CONTRACTS: lambda p: self._no_params(p, self.contracts_fn()),
            rpc.CHAIN_ID: lambda p: self._no_params(p, hex(self.sequencer.chain_id)),
        }

    def bulk(self) -> dict[str, Callable[[Sequence[Any]], list[Any]]]:
        return {rpc.SEND_REQUEST: self.send_requests}

    @staticmethod
    def _no_params(params: Any, value: Any) -> Any:
        if params:
            raise RpcError(INVALID_PARAMS, "this method takes no parameters")
        return value

    # -- l2_sendRequest ---------------------------------------------------------------
    def send_requests(self, params_list: Sequence[Any]) -> list[Any]:
        """Each ``params`` is ``[request]`` or ``{"request": request}``; one answer (or exception) per call."""
        requests: list[Any] = []
        answers: list[Any] = [None] * len(params_list)
        index: list[int] = []
        for i, params in enumerate(params_list):
            try:
                (request,) = _args(params, ["request"], 1)
            except RpcError as exc:
                answers[i] = exc
                continue
            requests.append(request)
            index.append(i)
        results = self.sequencer.submit(requests) if requests else []
        for i, result in zip(index, results):
            answers[i] = result if isinstance(result, RequestRejectedError) else result.to_json()
        self.on_accept(results)
        return answers

    # -- reads ---------------------------------------------------------------------------
    def get_request(self, params: Any) -> dict[str, Any]:
        request_id, with_proof = _args(params, ["id", "proof"], 1)
        row = self.store.get_request(_hash_param(request_id))
        program = program_by_id(row["program"])
        out: dict[str, Any] = {
            "id": _hex(row["id"]),
            "sender": row["sender"],
            "nonce": row["nonce"],
            "program": _hex(row["program"]),
            "programName": program.name,
            "inputs": list(row["inputs"]),
            "maxRows": row["max_rows"],
            "traceRows": row["rows"],
            "status": row["status"],
            "reason": row["reason"],
            "acceptedAt": row["accepted_at"],
            "block": row["block"],
            "batch": row["batch"],
            "position": row["position"],
            "outputs": list(row["outputs"]) if row["outputs"] is not None else None,
            "journal": None,
            "l1": None,
            "inclusion": None,
        }
        if row["outputs"] is not None:
            out["journal"] = _hex(Journal(row["program"], row["inputs"], row["outputs"]).to_bytes())
        if row["status"] in (PROVEN, SUBMITTED, VERIFIED):
            out["journalRoot"] = _hex(row["journal_root"])
        if row["status"] in (SUBMITTED, VERIFIED):
            share = row["batch_gas"] // row["batch_size"] if row["batch_gas"] and row["batch_size"] else None
            out["l1"] = {
                "batchIndex": row["l1_index"],
                "txHash": row["l1_tx"],
                "block": row["l1_block"],
                "batchGasUsed": row["batch_gas"],
                "batchRequests": row["batch_size"],
                "gasShare": share,
                "verifiedAt": row["verified_at"],
            }
        if row["status"] == VERIFIED and with_proof is not False:
            journals, positions = self._journals(row["batch"])
            position = row["position"]
            out["inclusion"] = {"batchIndex": row["l1_index"], "root": _hex(row["journal_root"]), "position": position}
            if self.da == "root":  # a Rescue-Prime tree: Rollup.journal_in_root_batch(index, journal, position, path)
                leaves = self._rescue_leaves(row["batch"], journals, positions)
                out["inclusion"]["tree"] = "rescue-prime"
                out["inclusion"]["leaf"] = _hex(digest_to_bytes(leaves[position]))
                out["inclusion"]["path"] = [_hex(digest_to_bytes(d)) for d in rescue_tree.inclusion_proof(leaves, position)]
            else:  # a keccak tree: Rollup.journal_in_batch(index, journal, position, path)
                out["inclusion"]["tree"] = "keccak"
                out["inclusion"]["journalHash"] = _hex(journals[positions.index(position)].digest)
                out["inclusion"]["path"] = [_hex(p) for p in inclusion_proof(journals, position, positions)]
        return out

    def _journals(self, batch: int) -> tuple[list[Journal], list[int]]:
        """A proven batch's member journals and their tree positions (L2 blocks leave padding between)."""
        with self._trees_lock:
            if batch in self._trees:
                self._trees.move_to_end(batch)
                return self._trees[batch]
        tree = ([Journal(p, i, o) for p, i, o in self.store.journals_of(batch)], self.store.journal_positions(batch))
        with self._trees_lock:
            self._trees[batch] = tree
            while len(self._trees) > 32:
                self._trees.popitem(last=False)
        return tree

    def _rescue_leaves(self, batch: int, journals: list[Journal], positions: list[int]) -> list[Digest]:
        """The padded Rescue leaves of a root-only batch (cached beside its journals)."""
        with self._trees_lock:
            if batch in self._leaves:
                return self._leaves[batch]
        leaves, _ = member_tree(journals, positions)
        with self._trees_lock:
            self._leaves[batch] = leaves
            while len(self._leaves) > 32:
                self._leaves.popitem(last=False)
        return leaves

    def get_batch(self, params: Any) -> dict[str, Any]:
        number, with_requests = _args(params, ["number", "requests"], 1)
        b = self.store.get_batch(_int_param(number, "number"))
        out = {
            "number": b["number"],
            "status": b["status"],
            "requestCount": b["request_count"],
            "traceRows": b["trace_rows"],
            "blocks": b["blocks"],
            "journalRoot": _hex(b["journal_root"]),
            "securityBits": b["security_bits"],
            "proveSeconds": b["prove_seconds"],
            "createdAt": b["created_at"],
            "closedAt": b["closed_at"],
            "provenAt": b["proven_at"],
            "submittedAt": b["submitted_at"],
            "verifiedAt": b["verified_at"],
            "l1Index": b["l1_index"],
            "l1TxHash": b["l1_tx"],
            "l1Block": b["l1_block"],
            "gasUsed": b["gas_used"],
            "gasCalldata": b["gas_calldata"],
            "gasExecution": b["gas_execution"],
            "calldataBytes": b["calldata_bytes"],
            "gasPerRequest": b["gas_used"] / b["request_count"] if b["gas_used"] and b["request_count"] else None,
            "error": b["error"],
        }
        if with_requests:
            out["requests"] = [_hex(i) for i in self.store.batch_request_ids(b["number"])]
        return out

    def get_block(self, params: Any) -> dict[str, Any]:
        (number,) = _args(params, ["number"], 1)
        block = self.store.get_block(_int_param(number, "number"))
        block["requests"] = [_hex(i) for i in block["requests"]]
        block["root"] = None
        mine = self.store.block_positions(block["number"], block["batch"]) if block["batch"] is not None else []
        if mine and self.store.get_batch(block["batch"])["status"] in (PROVEN, SUBMITTED, VERIFIED):
            # the block's members fill an aligned run of the batch's journal tree: its root is the node above it
            level = (width(len(mine)) - 1).bit_length()
            index = mine[0] >> level
            journals, positions = self._journals(block["batch"])
            if self.da == "root":
                node = digest_to_bytes(rescue_tree.levels(self._rescue_leaves(block["batch"], journals, positions))[level][index])
            else:
                node = journal_tree_node(journals, positions, level, index)
            block["root"] = {"hash": _hex(node), "level": level, "index": index}
        return block

    def get_nonce(self, params: Any) -> int:
        (address,) = _args(params, ["address"], 1)
        if not isinstance(address, str) or len(address) != 42 or address[:2] not in ("0x", "0X"):
            raise RpcError(INVALID_PARAMS, "address must be a 0x-prefixed 20-byte hex string")
        try:
            return self.sequencer.next_nonce(address)
        except InvalidRequestInputError as exc:
            raise RpcError(INVALID_PARAMS, str(exc)) from None

    @staticmethod
    def programs() -> list[dict[str, Any]]:
        return [
            {"name": p.name, "id": _hex(p.program_id), "inputs": p.num_inputs, "outputs": p.num_outputs, "description": p.description}
            for p in PROGRAMS.values()
        ]

