"""Where the gas of one STARK verification goes, measured on anvil.

Method.  The verification transaction is mined on anvil and replayed with
``debug_traceTransaction`` and a small JavaScript tracer (:data:`TRACER`)
that adds up the gas of every executed instruction, keyed by contract, call
path of *internal* functions and program counter:

* gas of an instruction = the gas left before it minus the gas left before
  the next instruction of the same call frame; for a CALL/STATICCALL this
  includes the callee, whose own total is subtracted, so every unit of gas is
  counted exactly once (the sum equals the transaction's execution gas; the
  last instruction of each frame uses the node's reported cost);
* the internal call path comes from the code layout of the Vyper legacy
  pipeline: every internal function is one contiguous block starting at the
  label ``_sym_internal <id> <name>(...)_runtime`` and is returned from
  through ``..._runtime_call<k>`` labels in its callers.  A step at a
  function's entry reached by a JUMP pushes the function; a step at a return
  label pops it.  The labels come from compiling the same sources in
  process (:func:`code_map`; cached by source hash) and the compiled runtime
  code is checked against the code on chain.

Categories.  Gas in the entry contract (StarkVerifier.vy) is "statement and
out-of-domain check" (with its transcript replay shown apart), gas in AIR
contracts is "AIR contract", and inside the query phase each step goes to
the category of the innermost function on its call path that has one
(:data:`QUERY_CATEGORIES`): helpers such as field arithmetic, calldata reads
and ``_window`` are charged to whatever called them.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

from contracts.anvil import AnvilNode
from contracts.compiler import _source_key, cache_dir, search_paths_for
from contracts.errors import L1Error, L1UnavailableError

_ENTRY = re.compile(r"_sym_internal (\d+) (\w+)\((.*)\)_runtime")
#: Seconds allowed for the traced replay (about 40 s per million gas on a loaded 2-core machine).
TRACE_TIMEOUT_S = 1800
_RETURN = re.compile(r"_sym_internal (\d+) (\w+)\((.*)\)_runtime_call\d+")

#: Category of a query-phase function, by (module file stem, function name).
QUERY_CATEGORIES: dict[tuple[str, str], str] = {
    ("proof", "begin"): "transcript replay",
    ("statement", "decode"): "transcript replay",
    ("transcript", "draw"): "transcript replay",
    ("transcript", "absorb32"): "transcript replay",
    ("transcript", "ext_of"): "transcript replay",
    ("calldata", "absorb_range"): "transcript replay",
    ("merkle", "sorted_unique"): "Merkle",
    ("merkle", "independent_levels"): "Merkle",
    ("merkle", "_hash_paths"): "Merkle",
    ("merkle", "verify"): "Merkle",
    ("calldata", "hash_range"): "Merkle",
    ("queries", "open_tree"): "Merkle",
    ("queries", "open_sorted"): "Merkle",
    ("queries", "deep_coefficients"): "DEEP",
    ("queries", "_inverse_norms"): "DEEP",
    ("queries", "deep_coset"): "DEEP",
    ("queries", "_first_fold"): "FRI folding",
    ("queries", "_layer_fold"): "FRI folding",
    ("fri", "fold8"): "FRI folding",
    ("fri", "fold_coset"): "FRI folding",
    ("fri", "check_final"): "final polynomial",
    ("queries", "check"): "query loop (positions, coset points)",
}
#: Order of the categories in reports.
CATEGORY_ORDER = (
    "intrinsic + calldata",
    "entry: statement + out-of-domain check",
    "entry: transcript replay",
    "AIR contract",
    "query phase: transcript replay",
    "Merkle",
    "DEEP",
    "FRI folding",
    "final polynomial",
    "query loop (positions, coset points)",
    "query phase: dispatcher, ABI decoding",
)


class ProfileError(L1Error):
    """Raised when the gas profile cannot be taken or does not add up."""


# -- code maps ---------------------------------------------------------------


@dataclass(frozen=True)
class Function:
    """One internal function of a compiled contract: where its code starts and what it is."""

    entry: int
    function_id: int
    module: str
    name: str


@dataclass
class CodeMap:
    """Internal functions of one contract's runtime code, and its return labels."""

    contract: str
    runtime: bytes
    functions: list[Function]
    returns: list[int]

    def function_at(self, pc: int) -> Function | None:
        """The internal function whose code holds ``pc`` (None: dispatcher and external functions)."""
        found = None
        for fn in self.functions:  # sorted by entry; a few dozen
            if fn.entry > pc:
                break
            found = fn
        return found

    def by_entry(self) -> dict[int, Function]:
        return {fn.entry: fn for fn in self.functions}


def _build_code_map(source: Path, journal_bound: str = "large") -> CodeMap:
    import vyper.ast as vy_ast
    import vyper.ir.compile_ir as compile_ir
    from vyper.compiler.input_bundle import FilesystemInputBundle
    from vyper.compiler.phases import CompilerData

    bundle = FilesystemInputBundle(search_paths_for(source, journal_bound))
    data = CompilerData(bundle.load_file(source), input_bundle=bundle)
    runtime, _, symbols = compile_ir.assembly_to_evm_with_symbol_map(data.assembly_runtime)
    if runtime != data.bytecode_runtime:
        raise ProfileError(f"{source.name}: re-assembled runtime code differs from the compiler's")
    modules: dict[int, Any] = {}

    def walk(module: Any) -> None:
        if module.source_id in modules:
            return
        modules[module.source_id] = module
        for info in module._metadata["type"].imported_modules.values():
            walk(info.module_node)

    walk(data.annotated_vyper_module)
    by_id: dict[int, tuple[str, str]] = {}
    for module in modules.values():
        stem = Path(str(module.resolved_path)).stem
        for node in module.get_children(vy_ast.FunctionDef):
            fid = node._metadata["func_type"]._function_id
            if fid is not None:
                by_id[fid] = (stem, node.name)
    functions, returns = [], []
    for label, pc in symbols.items():
        if pc is None:
            continue
        if m := _RETURN.fullmatch(str(label)):
            returns.append(pc)
        elif m := _ENTRY.fullmatch(str(label)):
            fid = int(m.group(1))
            module, name = by_id.get(fid, ("?", m.group(2)))
            functions.append(Function(pc, fid, module, name))
    functions.sort(key=lambda f: f.entry)
    return CodeMap(source.stem, runtime, functions, sorted(returns))


def code_map(source: Path | str, journal_bound: str = "large") -> CodeMap:
    """The :class:`CodeMap` of a contract source, cached by the same key as its compiled artifact."""
    import vyper

    source = Path(source).resolve()
    key = _source_key(source, search_paths_for(source, journal_bound))
    cached = cache_dir() / f"{source.stem}-{key}.codemap.json"
    if cached.exists():
        raw = json.loads(cached.read_text())
        return CodeMap(raw["contract"], bytes.fromhex(raw["runtime"]), [Function(**f) for f in raw["functions"]], raw["returns"])
    result = _build_code_map(source, journal_bound)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps({"contract": result.contract, "runtime": result.runtime.hex(), "vyper": vyper.__version__,
                               "functions": [asdict(f) for f in result.functions], "returns": result.returns}))
    tmp.replace(cached)
    return result


# -- the tracer --------------------------------------------------------------

#: geth-style JavaScript tracer: gas per (contract, internal call path, pc); ``__MAPS__`` is replaced.
TRACER = """{
  maps: __MAPS__,
  own: {}, last: {}, tot: {}, child: {}, stack: {}, depth: 0,
  mcost: function(bytes) { var w = bytes / 32; return 3 * w + Math.floor(w * w / 512); },
  add: function(key, gas, mem) {
    var e = this.own[key];
    if (e === undefined) { this.own[key] = [gas, 1, mem]; } else { e[0] += gas; e[1] += 1; e[2] += mem; }
  },
  close: function(to) {
    while (this.depth > to) {
      var k = this.depth; var L = this.last[k];
      if (L) { this.add(L.key, L.cost, 0); this.tot[k] = (this.tot[k] || 0) + L.cost; }
      this.child[k - 1] = this.tot[k] || 0; this.tot[k] = 0; this.last[k] = null; this.stack[k] = null; this.depth = k - 1;
    }
  },
  step: function(log, db) {
    var d = log.getDepth(); var gas = log.getGas(); var pc = log.getPC(); var mem = log.memory.length();
    this.close(d);
    this.depth = d;
    var addr = toHex(log.contract.getAddress()).toLowerCase();
    var m = this.maps[addr];
    var L = this.last[d];
    if (!this.stack[d]) { this.stack[d] = []; }
    var st = this.stack[d];
    if (L) {
      var diff = L.gas - gas; var ch = this.child[d] || 0;
      this.add(L.key, diff - ch, this.mcost(mem) - this.mcost(L.mem));
      this.tot[d] = (this.tot[d] || 0) + diff; this.child[d] = 0;
      if (m && L.op == "JUMP") {
        if (m.entries[pc]) { st.push(pc); }
        else if (m.returns[pc] && st.length > 0) { st.pop(); }
      }
    }
    this.last[d] = {gas: gas, key: addr + "|" + st.join("/") + "|" + pc, cost: log.getCost(), op: log.op.toString(), mem: mem};
  },
  fault: function(log, db) {},
  result: function(ctx, db) { this.close(0); return {own: this.own, total: this.child[0] || 0}; }
}"""


def tracer_for(maps: dict[str, CodeMap]) -> str:
    """:data:`TRACER` with the entry and return labels of the contracts at ``maps``' addresses."""
    spec = {
        address.lower(): {"entries": {str(f.entry): 1 for f in cm.functions}, "returns": {str(pc): 1 for pc in cm.returns}}
        for address, cm in maps.items()
    }
    return TRACER.replace("__MAPS__", json.dumps(spec, separators=(",", ":")))


# -- anvil -------------------------------------------------------------------


@contextlib.contextmanager
def local_anvil(gas_limit: int = 60_000_000, timeout: float = 30.0) -> Iterator[str]:
    """Start anvil (Prague) on a free 127.0.0.1 port; yields its URL; stops it afterwards."""
    node = AnvilNode(gas_limit=gas_limit)
    try:
        node.start(timeout)
    except L1UnavailableError as exc:
        raise L1UnavailableError(f"{exc} (or pass --l1-rpc URL of a node with debug_traceTransaction)") from exc
    try:
        yield node.url
    finally:
        node.stop()


# -- the profile -------------------------------------------------------------


@dataclass
class FunctionGas:
    """Gas of one function (or a contract's dispatcher and external code): self and inclusive of callees."""

    contract: str
    function: str
    self_gas: int
    inclusive_gas: int
    steps: int
    memory_expansion: int


@dataclass
class Attribution:
    """Gas per category, per contract and per function; ``*_memory``: the part that paid for memory expansion."""

    categories: dict[str, int]
    category_memory: dict[str, int]
    frames: dict[str, int]
    frame_memory: dict[str, int]
    functions: list[FunctionGas]


@dataclass
class GasProfile:
    """Where the gas of one verification transaction went."""

    program: str
    log_rows: int
    security_bits: int
    proof_bytes: int
    calldata_bytes: int
    gas_used: int
    intrinsic: int
    execution_gas: int
    traced_gas: int
    categories: dict[str, int]
    category_memory: dict[str, int]
    frames: dict[str, int]
    frame_memory: dict[str, int]
    functions: list[FunctionGas] = field(default_factory=list)
    node: str = ""
    trace_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["categories"] = [
            {"category": k, "gas": v, "share": round(v / self.gas_used, 4), "memory_expansion": self.category_memory.get(k, 0)}
            for k, v in self.categories.items()
        ]
        del out["category_memory"]
        return out


def _category(kind: str, path: list[Function]) -> str:
    if kind == "air":
        return "AIR contract"
    if kind == "entry":
        names = {(f.module, f.name) for f in path}
        if ("proof", "begin") in names:
            return "entry: transcript replay"
        return "entry: statement + out-of-domain check"
    for fn in reversed(path):
        category = QUERY_CATEGORIES.get((fn.module, fn.name))
        if category is not None:
            return "query phase: transcript replay" if category == "transcript replay" else category
    return "query phase: dispatcher, ABI decoding"


def attribute(own: dict[str, list[int]], contracts: dict[str, tuple[str, CodeMap]]) -> Attribution:
    """Aggregate the tracer's ``own`` map (key -> [gas, steps, memory expansion gas]).

    ``contracts`` maps a lower-case address to (kind, code map); kind is
    "entry", "query" or "air".  Raises :class:`ProfileError` when a step's pc
    is not inside the function its call path ends in.
    """
    categories: dict[str, int] = {}
    category_memory: dict[str, int] = {}
    frames: dict[str, int] = {}
    frame_memory: dict[str, int] = {}
    self_gas: dict[tuple[str, str], list[int]] = {}
    inclusive: dict[tuple[str, str], int] = {}
    entries = {addr: cm.by_entry() for addr, (_, cm) in contracts.items()}
    outside = "(dispatch, external functions)"
    for key, values in own.items():
        gas, count = int(values[0]), int(values[1])
        memory = int(values[2]) if len(values) > 2 else 0
        addr, path_text, pc_text = key.split("|")
        if addr not in contracts:
            name, path, category = addr, [], "other contracts"
        else:
            kind, cm = contracts[addr]
            name = cm.contract
            path = [entries[addr][int(e)] for e in path_text.split("/") if e]
            category = _category(kind, path)
            where = cm.function_at(int(pc_text))
            innermost = path[-1] if path else None
            if (where.entry if where else None) != (innermost.entry if innermost else None):
                raise ProfileError(f"{name}: pc {pc_text} lies in {where} but the call path ends in {innermost}")
        categories[category] = categories.get(category, 0) + gas
        category_memory[category] = category_memory.get(category, 0) + memory
        frames[name] = frames.get(name, 0) + gas
        frame_memory[name] = frame_memory.get(name, 0) + memory
        label = (name, f"{path[-1].module}.{path[-1].name}" if path else outside)
        entry = self_gas.setdefault(label, [0, 0, 0])
        entry[0] += gas
        entry[1] += count
        entry[2] += memory
        enclosing = {label, (name, outside)} | {(name, f"{fn.module}.{fn.name}") for fn in path}
        for outer in enclosing:  # the external function encloses every internal call of its frame
            inclusive[outer] = inclusive.get(outer, 0) + gas
    functions = []
    for (contract, function), total in inclusive.items():
        own_gas, steps, memory = self_gas.get((contract, function), [0, 0, 0])
        functions.append(FunctionGas(contract, function, own_gas, total, steps, memory))
    functions.sort(key=lambda fg: -fg.self_gas)
    return Attribution(categories, category_memory, frames, frame_memory, functions)


def profile_receipt(receipt: Any, l1_rpc: str | None = None) -> GasProfile:
    """Deploy the verifier on anvil (or ``l1_rpc``), verify ``receipt`` in one transaction and profile its gas."""
    if l1_rpc is not None:
        return _profile_on(receipt, l1_rpc)
    with local_anvil() as url:
        return _profile_on(receipt, url)


def _profile_on(receipt: Any, url: str) -> GasProfile:
    from contracts.chain import RpcL1
    from contracts.rollup import deploy_rollup
    from contracts.verifier import QUERY_PHASE_SOURCE, VERIFIER_SOURCE, air_source
    from prover.programs import program_by_id
    from prover.stark.params import ProofOptions

    chain = RpcL1(url, timeout=TRACE_TIMEOUT_S)  # the traced replay runs at a few hundred thousand gas/s
    rollup = deploy_rollup(chain, min_security_bits=0)
    journal = receipt.journal.to_bytes()
    program = program_by_id(receipt.journal.program_id)
    air = rollup.airs[bytes(journal[:32])]
    verifier = rollup.verifier_for(journal)
    bound = "single" if verifier is rollup.single_verifier else "large"
    query_address = chain.call(verifier.functions.QUERY_PHASE())
    contracts = {
        verifier.address.lower(): ("entry", code_map(VERIFIER_SOURCE, bound)),
        str(query_address).lower(): ("query", code_map(QUERY_PHASE_SOURCE, bound)),
        air.address.lower(): ("air", code_map(air_source(program.name))),
    }
    for address, (_, cm) in contracts.items():
        on_chain = bytes(chain.w3.eth.get_code(chain.w3.to_checksum_address(address)))
        if not on_chain.startswith(cm.runtime):
            raise ProfileError(f"code of {cm.contract} on chain differs from the compiled sources (stale cache?)")
    result = rollup.verify_transaction(journal, receipt.seal)
    gas = result.gas
    if gas.floor_binds:
        raise ProfileError("the EIP-7623 floor binds: the receipt does not charge the execution gas")
    tracer = tracer_for({a: cm for a, (_, cm) in contracts.items()})
    started = time.perf_counter()
    try:
        trace = chain._rpc("debug_traceTransaction", [result.tx_hash, {"tracer": tracer, "timeout": f"{TRACE_TIMEOUT_S}s"}])
    except L1Error as exc:
        raise ProfileError(f"the node cannot run the JavaScript tracer: {exc}") from exc
    trace_s = time.perf_counter() - started
    own = {k: [int(x) for x in v] for k, v in trace["own"].items()}
    traced = sum(v[0] for v in own.values())
    # the node's cost of each frame's last instruction can be off by a few gas: report the residue, refuse more
    residue = gas.execution_gas - traced
    if abs(residue) > 1_000:
        raise ProfileError(f"traced gas {traced:,} does not add up to the execution gas {gas.execution_gas:,}")
    a = attribute(own, contracts)
    ordered = {"intrinsic + calldata": gas.intrinsic}
    for name in CATEGORY_ORDER[1:]:
        if name in a.categories:
            ordered[name] = a.categories.pop(name)
    ordered.update(a.categories)
    if residue:
        ordered["unattributed (tracer rounding)"] = residue
    log_t = receipt.seal[1]
    options = ProofOptions(*receipt.seal[2:7])
    return GasProfile(
        program=program.name, log_rows=log_t, security_bits=options.security_bits(log_t), proof_bytes=len(receipt.seal),
        calldata_bytes=gas.calldata_bytes, gas_used=gas.gas_used, intrinsic=gas.intrinsic,
        execution_gas=gas.execution_gas, traced_gas=traced, categories=ordered, category_memory=a.category_memory,
        frames=a.frames, frame_memory=a.frame_memory, functions=a.functions, node=str(chain.w3.client_version),
        trace_s=round(trace_s, 1),
    )


def format_profile(profile: GasProfile, top: int = 15) -> str:
    """The breakdown table, then the functions with the most self gas."""
    return format_profile_dict(profile.to_dict(), top)


def format_profile_dict(p: dict[str, Any], top: int = 15) -> str:
    """:func:`format_profile` from the JSON form (:meth:`GasProfile.to_dict`)."""
    lines = [
        f"gas breakdown: {p['program']} 2^{p['log_rows']} rows, {p['security_bits']} bits, proof {p['proof_bytes']:,} B, "
        f"calldata {p['calldata_bytes']:,} B; gasUsed {p['gas_used']:,} on {p['node']} (trace {p['trace_s']} s)",
        f"{'where':42} {'gas':>11} {'share':>6} {'of which memory expansion':>26}",
    ]
    for c in p["categories"]:
        memory = f"{c['memory_expansion']:,}" if c["memory_expansion"] else ""
        lines.append(f"{c['category']:42} {c['gas']:>11,} {100 * c['share']:>5.1f}% {memory:>26}")
    total_memory = sum(c["memory_expansion"] for c in p["categories"])
    lines.append(f"{'total (gasUsed)':42} {sum(c['gas'] for c in p['categories']):>11,} {'':6} {total_memory:>26,}")
    frames = ", ".join(f"{k} {v:,} (memory {p['frame_memory'].get(k, 0):,})" for k, v in p["frames"].items())
    lines += [f"per contract (execution): {frames}", "",
              "functions with the most self gas (inclusive = with callees):",
              f"{'contract':16} {'function':34} {'self':>10} {'inclusive':>10} {'steps':>9} {'memory exp.':>11}"]
    for fg in p["functions"][:top]:
        lines.append(f"{fg['contract']:16} {fg['function']:34} {fg['self_gas']:>10,} {fg['inclusive_gas']:>10,} "
                     f"{fg['steps']:>9,} {fg['memory_expansion']:>11,}")
    return "\n".join(lines)
