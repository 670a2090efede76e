"""JSON-RPC 2.0 over HTTP: request parsing, batches, error objects, and the loopback HTTP server.

* ``POST /`` — the JSON-RPC methods: the node's L2 methods (see
  :mod:`node.api` and ``docs/rpc.md``), or, in the embedded L1 process, the
  chain's own eth_* methods (:func:`l1_proxy`).  Single calls and batches
  (arrays); notifications (no ``id``) get no answer.
* ``GET /metrics`` — Prometheus text; ``GET /health`` — ``ok``.

Bodies larger than ``max_body_bytes`` are refused (HTTP 413 with a
JSON-RPC -32600 error) without being read; batches longer than
``max_batch_entries`` likewise.  Errors use the standard codes below plus the
application codes of :mod:`node.errors`.  Calls to bulk methods inside one
batch (``l2_sendRequest``) are handed over together, so a batch of requests
is stored in one durable commit.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Sequence

from node.errors import NodeError
from prover.errors import SuperVMError

log = logging.getLogger("supervm.rpc")

# Method names.
SEND_REQUEST = "l2_sendRequest"
GET_REQUEST = "l2_getRequest"
GET_BATCH = "l2_getBatch"
GET_BLOCK = "l2_getBlock"
BLOCK_NUMBER = "l2_blockNumber"
BATCH_NUMBER = "l2_batchNumber"
GET_NONCE = "l2_getNonce"
STATUS = "l2_status"
PROGRAMS = "l2_programs"
CONTRACTS = "l2_contracts"
CHAIN_ID = "eth_chainId"
METHODS = (SEND_REQUEST, GET_REQUEST, GET_BATCH, GET_BLOCK, BLOCK_NUMBER, BATCH_NUMBER, GET_NONCE, STATUS, PROGRAMS,
           CONTRACTS, CHAIN_ID)

# Standard JSON-RPC 2.0 error codes.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603


class RpcError(NodeError):
    """Raised when a call must be answered with a JSON-RPC error object (``code``, ``message``, optional ``data``)."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


Method = Callable[[Any], Any]
BulkMethod = Callable[[Sequence[Any]], list[Any]]


def _error(id_: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return {"jsonrpc": "2.0", "id": id_, "error": err}


def error_of(exc: BaseException) -> tuple[int, str, Any]:
    """(code, message, data) for an exception raised by a method."""
    if isinstance(exc, RpcError):
        return exc.code, exc.message, exc.data
    code = getattr(exc, "code", None)
    if isinstance(exc, SuperVMError) and isinstance(code, int):
        return code, str(exc), {"error": type(exc).__name__}
    if isinstance(exc, SuperVMError):
        return INVALID_PARAMS, str(exc), {"error": type(exc).__name__}
    return INTERNAL_ERROR, "internal error", None


@dataclass
class _Call:
    id: Any
    method: str
    params: Any
    notification: bool


class Dispatcher:
    """Turns request bodies into response bodies using ``methods`` (and ``bulk`` methods for batches)."""

    def __init__(self, methods: dict[str, Method], bulk: dict[str, BulkMethod] | None = None,
                 max_batch_entries: int = 2000, on_call: Callable[[str, int | None], None] | None = None):
        self.methods = methods
        self.bulk = bulk or {}
        self.max_batch_entries = max_batch_entries
        self.on_call = on_call or (lambda method, code: None)

    def handle(self, body: bytes) -> bytes | None:
        """The response body for ``body`` (None when every call was a notification)."""
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            self.on_call("", PARSE_ERROR)
            return _dump(_error(None, PARSE_ERROR, f"parse error: {str(exc)[:200]}"))
        if isinstance(payload, list):
            if not payload:
                self.on_call("", INVALID_REQUEST)
                return _dump(_error(None, INVALID_REQUEST, "empty batch"))
            if len(payload) > self.max_batch_entries:
                self.on_call("", INVALID_REQUEST)
                return _dump(_error(None, INVALID_REQUEST, f"batch of {len(payload)} calls exceeds {self.max_batch_entries}"))
            responses = self._batch(payload)
            return _dump(responses) if responses else None
        response = self._batch([payload])
        return _dump(response[0]) if response else None

    def _parse(self, entry: Any) -> _Call | dict[str, Any]:
        if not isinstance(entry, dict):
            return _error(None, INVALID_REQUEST, "a call must be a JSON object")
        id_ = entry.get("id")
        if "id" in entry and not (id_ is None or isinstance(id_, (str, int, float)) and not isinstance(id_, bool)):
            return _error(None, INVALID_REQUEST, "id must be a string, a number or null")
        if entry.get("jsonrpc") != "2.0":
            return _error(id_, INVALID_REQUEST, "jsonrpc must be \"2.0\"")
        method = entry.get("method")
        if not isinstance(method, str):
            return _error(id_, INVALID_REQUEST, "method must be a string")
        params = entry.get("params", [])
        if not isinstance(params, (list, dict)):
            return _error(id_, INVALID_REQUEST, "params must be an array or an object")
        extra = set(entry) - {"jsonrpc", "id", "method", "params"}
        if extra:
            return _error(id_, INVALID_REQUEST, f"unknown members: {', '.join(sorted(map(str, extra)))[:100]}")
        return _Call(id_, method, params, "id" not in entry)

    def _batch(self, entries: list[Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any] | None] = [None] * len(entries)
        bulk: dict[str, list[tuple[int, _Call]]] = {}
        for i, entry in enumerate(entries):
            call = self._parse(entry)
            if isinstance(call, dict):
                self.on_call("", INVALID_REQUEST)
                out[i] = call
            elif call.method in self.bulk:
                bulk.setdefault(call.method, []).append((i, call))
            else:
                out[i] = self._one(call)
        for method, calls in bulk.items():
            try:
                results = self.bulk[method]([c.params for _, c in calls])
            except Exception as exc:  # noqa: BLE001 - answered as an error for each call
                if not isinstance(exc, SuperVMError):
                    log.exception("bulk method %s failed", method)
                results = [exc] * len(calls)
            for (i, call), result in zip(calls, results):
                out[i] = self._answer(call, result)
        return [r for r, e in zip(out, entries) if r is not None and not _is_notification(e, r)]

    def _one(self, call: _Call) -> dict[str, Any]:
        fn = self.methods.get(call.method)
        if fn is None:
            self.on_call(call.method, METHOD_NOT_FOUND)
            return _error(call.id, METHOD_NOT_FOUND, f"method not found: {call.method[:64]}")
        try:
            result = fn(call.params)
        except Exception as exc:  # noqa: BLE001
            result = exc
        return self._answer(call, result)

    def _answer(self, call: _Call, result: Any) -> dict[str, Any]:
        if isinstance(result, BaseException):
            code, message, data = error_of(result)
            if code == INTERNAL_ERROR:
                log.error("method %s failed", call.method, exc_info=result)
            self.on_call(call.method, code)
            response = _error(call.id, code, message, data)
        else:
            self.on_call(call.method, None)
            response = {"jsonrpc": "2.0", "id": call.id, "result": result}
        if call.notification:
            response["_notification"] = True
        return response


def _is_notification(entry: Any, response: dict[str, Any]) -> bool:
    return bool(response.pop("_notification", False))


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "supervm-devnet"
    disable_nagle_algorithm = True  # headers and body are two writes: Nagle + delayed ACK would add ~40 ms per call
    timeout = 60  # seconds a connection may sit idle or trickle a body

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("http " + format, *args)

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        server: RpcServer = self.server  # type: ignore[assignment]
        path = self.path.split("?", 1)[0]
        if path == "/metrics" and server.metrics_text is not None:
            self._send(200, server.metrics_text().encode(), "text/plain; version=0.0.4; charset=utf-8")
        elif path == "/health":
            self._send(200, b"ok\n", "text/plain")
        else:
            self._send(404, _dump({"error": "not found; POST JSON-RPC to /, GET /metrics or /health"}))

    def do_POST(self) -> None:  # noqa: N802
        server: RpcServer = self.server  # type: ignore[assignment]
        path = self.path.split("?", 1)[0]
        length_header = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked" or length_header is None:
            self.close_connection = True
            self._send(HTTPStatus.LENGTH_REQUIRED, _dump(_error(None, INVALID_REQUEST, "a Content-Length header is required")))
            return
        try:
            length = int(length_header)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._send(400, _dump(_error(None, INVALID_REQUEST, "malformed Content-Length")))
            return
        if length > server.max_body_bytes:
            self.close_connection = True  # the body is not read: this connection cannot be reused
            if server.on_oversize:
                server.on_oversize()
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                       _dump(_error(None, INVALID_REQUEST, f"body of {length} bytes exceeds the limit of {server.max_body_bytes}")))
            return
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            return
        if path in ("/", ""):
            response = server.handler(body)
        else:
            self._send(404, _dump(_error(None, METHOD_NOT_FOUND, f"no JSON-RPC endpoint at {path[:64]}")))
            return
        if response is None:
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(200, response)


class RpcServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server on loopback: JSON-RPC bodies to ``handler``, and the metrics."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, handler: Callable[[bytes], bytes | None], max_body_bytes: int,
                 metrics_text: Callable[[], str] | None = None, on_oversize: Callable[[], None] | None = None):
        self.handler = handler
        self.max_body_bytes = max_body_bytes
        self.metrics_text = metrics_text
        self.on_oversize = on_oversize
        super().__init__((host, port), _Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "RpcServer":
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2}, name="rpc", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def l1_proxy(request: Callable[[str, list], dict], extra: dict[str, Method] | None = None,
             max_batch_entries: int = 100) -> Callable[[bytes], bytes | None]:
    """A body handler forwarding JSON-RPC calls to the embedded chain's provider (``request(method, params)``).

    ``extra`` methods are answered here instead (their result, or an
    :class:`RpcError`, as for the node's own methods).
    """
    extra = extra or {}

    def one(entry: Any) -> dict[str, Any]:
        if not isinstance(entry, dict) or not isinstance(entry.get("method"), str):
            return _error(None, INVALID_REQUEST, "a call must be an object with a method")
        params = entry.get("params", [])
        if not isinstance(params, list):
            return _error(entry.get("id"), INVALID_PARAMS, "params must be an array")
        if entry["method"] in extra:
            try:
                return {"jsonrpc": "2.0", "id": entry.get("id"), "result": extra[entry["method"]](params)}
            except Exception as exc:  # noqa: BLE001
                code, message, data = error_of(exc)
                return _error(entry.get("id"), code, message, data)
        try:
            answer = request(entry["method"], params)
        except Exception as exc:  # noqa: BLE001 - the provider raises on unknown methods and bad params
            return _error(entry.get("id"), INVALID_PARAMS, f"{type(exc).__name__}: {str(exc)[:300]}")
        answer = {k: v for k, v in dict(answer).items() if k in ("result", "error")}
        if "result" in answer:
            answer["result"] = ethereum_json(answer["result"])
        answer["id"] = entry.get("id")
        answer["jsonrpc"] = "2.0"
        return answer

    def handle(body: bytes) -> bytes | None:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _dump(_error(None, PARSE_ERROR, "parse error"))
        if isinstance(payload, list):
            if not payload or len(payload) > max_batch_entries:
                return _dump(_error(None, INVALID_REQUEST, "batch must hold 1..%d calls" % max_batch_entries))
            return json.dumps([one(e) for e in payload], default=_hex_default).encode()
        return json.dumps(one(payload), default=_hex_default).encode()

    return handle


def ethereum_json(value: Any) -> Any:
    """Python values of eth-tester as Ethereum JSON-RPC encodes them: integers as hex quantities, bytes as 0x data."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: ethereum_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [ethereum_json(v) for v in value]
    return value


def _hex_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if hasattr(value, "hex"):
        return value.hex()
    if isinstance(value, dict) or hasattr(value, "items"):
        return dict(value)
    raise TypeError(f"cannot encode {type(value).__name__}")
