"""A typed Python client of the node's JSON-RPC API, and a signer that keeps a sender's nonce.

One :class:`NodeClient` holds one keep-alive HTTP connection: use one per
thread.  Errors the node answers come back as :class:`RpcCallError` with the
JSON-RPC code (see ``docs/rpc.md``).
"""

from __future__ import annotations

import http.client
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit

from node import rpc
from node.errors import NodeError
from node.signing import SignedRequest, dev_accounts, sign_request
from prover.programs import PROGRAMS, get_program
from prover.programs.base import MAX_LOG_TRACE_LENGTH

TERMINAL = ("verified", "rejected")


class RpcCallError(NodeError):
    """Raised when the node answers a call with a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.data = data


class NodeUnavailableError(NodeError):
    """Raised when the node cannot be reached or answers something that is not JSON-RPC."""


class NodeClient:
    """Calls a devnet node at ``url`` (``http://127.0.0.1:8547``)."""

    def __init__(self, url: str, timeout: float = 60.0):
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"expected an http:// URL, got {url!r}")
        self.url = url
        self.host, self.port = parts.hostname, parts.port or 80
        self.path = parts.path or "/"
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._ids = itertools.count(1)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "NodeClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- transport -----------------------------------------------------------------------
    def post(self, body: bytes, path: str | None = None) -> tuple[int, bytes]:
        """POST raw bytes; returns (HTTP status, response body).  Reconnects once on a dropped connection."""
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self._conn.request("POST", path or self.path, body, {"Content-Type": "application/json"})
                response = self._conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, data
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                self.close()
                if attempt == 1:
                    raise NodeUnavailableError(f"node at {self.url} unreachable: {exc}") from None
        raise AssertionError("unreachable")

    def call(self, method: str, params: Any = None) -> Any:
        """One call; its result, or RpcCallError."""
        body = json.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params or []}).encode()
        status, data = self.post(body)
        answer = self._decode(status, data)
        if not isinstance(answer, dict):
            raise NodeUnavailableError(f"unexpected answer to {method}: {data[:200]!r}")
        return self._result(answer)

    def batch(self, calls: Sequence[tuple[str, Any]]) -> list[Any]:
        """Several calls in one HTTP request; each item is a result or an RpcCallError instance."""
        first = next(self._ids)
        for _ in range(len(calls) - 1):
            next(self._ids)
        body = json.dumps([{"jsonrpc": "2.0", "id": first + i, "method": m, "params": p or []} for i, (m, p) in enumerate(calls)])
        status, data = self.post(body.encode())
        answers = self._decode(status, data)
        if isinstance(answers, dict):  # the whole batch was refused
            self._result(answers)
        by_id = {a.get("id"): a for a in answers}
        out = []
        for i in range(len(calls)):
            answer = by_id.get(first + i)
            if answer is None:
                out.append(RpcCallError(rpc.INTERNAL_ERROR, "no answer for this call"))
                continue
            try:
                out.append(self._result(answer))
            except RpcCallError as exc:
                out.append(exc)
        return out

    @staticmethod
    def _decode(status: int, data: bytes) -> Any:
        try:
            return json.loads(data)
        except ValueError:
            raise NodeUnavailableError(f"HTTP {status}: not JSON: {data[:200]!r}") from None

    @staticmethod
    def _result(answer: dict) -> Any:
        if "error" in answer:
            err = answer["error"] or {}
            raise RpcCallError(int(err.get("code", rpc.INTERNAL_ERROR)), str(err.get("message", "")), err.get("data"))
        return answer.get("result")

    # -- methods -------------------------------------------------------------------------
    def send_request(self, request: SignedRequest) -> dict[str, Any]:
        return self.call(rpc.SEND_REQUEST, [request.to_json()])

    def send_requests(self, requests: Iterable[SignedRequest]) -> list[Any]:
        """Many requests in one batched HTTP call (one durable commit on the node)."""
        return self.batch([(rpc.SEND_REQUEST, [r.to_json()]) for r in requests])

    def get_request(self, request_id: str | bytes, proof: bool = True) -> dict[str, Any]:
        rid = request_id if isinstance(request_id, str) else "0x" + request_id.hex()
        return self.call(rpc.GET_REQUEST, [rid, proof])

    def get_requests(self, request_ids: Sequence[str], proof: bool = False) -> list[Any]:
        return self.batch([(rpc.GET_REQUEST, [rid, proof]) for rid in request_ids])

    def get_batch(self, number: int, requests: bool = False) -> dict[str, Any]:
        return self.call(rpc.GET_BATCH, [number, requests])

    def get_block(self, number: int) -> dict[str, Any]:
        return self.call(rpc.GET_BLOCK, [number])

    def block_number(self) -> int:
        return self.call(rpc.BLOCK_NUMBER)

    def batch_number(self) -> int:
        return self.call(rpc.BATCH_NUMBER)

    def nonce(self, address: str) -> int:
        return self.call(rpc.GET_NONCE, [address])

    def status(self) -> dict[str, Any]:
        return self.call(rpc.STATUS)

    def programs(self) -> list[dict[str, Any]]:
        return self.call(rpc.PROGRAMS)

    def contracts(self) -> dict[str, Any]:
        return self.call(rpc.CONTRACTS)

    def chain_id(self) -> int:
        return int(self.call(rpc.CHAIN_ID), 16)

    def wait(self, request_ids: Sequence[str], timeout: float = 300.0, poll: float = 0.25, chunk: int = 500) -> dict[str, dict]:
        """Poll until every request is verified or rejected; returns their last records (TimeoutError otherwise)."""
        deadline = time.monotonic() + timeout
        todo = list(request_ids)
        done: dict[str, dict] = {}
        while todo:
            still = []
            for i in range(0, len(todo), chunk):
                part = todo[i : i + chunk]
                for rid, answer in zip(part, self.get_requests(part)):
                    if isinstance(answer, dict) and answer["status"] in TERMINAL:
                        done[rid] = answer
                    else:
                        still.append(rid)
            todo = still
            if todo:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(todo)} requests not final after {timeout} s")
                time.sleep(poll)
        return done


@dataclass
class Signer:
    """A key that signs requests for one L2 chain and counts its nonce locally."""

    private_key: str
    chain_id: int
    nonce: int = 0

    @classmethod
    def dev(cls, index: int, chain_id: int, nonce: int = 0) -> "Signer":
        """Dev account ``index`` of the public test mnemonic."""
        return cls(dev_accounts(max(10, index + 1))[index].private_key, chain_id, nonce)

    @property
    def address(self) -> str:
        from node.signing import keccak256, to_checksum

        import coincurve

        public = coincurve.PrivateKey(bytes.fromhex(self.private_key.removeprefix("0x"))).public_key.format(compressed=False)[1:]
        return to_checksum(keccak256(public)[12:])

    def sign(self, program: str | bytes, inputs: Sequence[int], max_rows: int | None = None) -> SignedRequest:
        """Sign the next request (program by name or 32-byte id) and advance the nonce."""
        program_id = get_program(program).program_id if isinstance(program, str) else bytes(program)
        request = sign_request(self.private_key, self.chain_id, self.nonce, program_id, inputs,
                               max_rows if max_rows is not None else 1 << MAX_LOG_TRACE_LENGTH)
        self.nonce += 1
        return request


__all__ = ["PROGRAMS", "NodeClient", "NodeUnavailableError", "RpcCallError", "Signer"]
