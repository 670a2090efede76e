"""Compile the Vyper contracts from source, in process, with artifacts cached by source hash.

Sources live in ``contracts/`` (modules under ``contracts/stark/``); the cache
key covers every ``.vy`` file on the search path and the compiler version, so
an edit anywhere recompiles what depends on it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

CONTRACTS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Artifact:
    """ABI and bytecode of one compiled contract."""

    name: str
    abi: list
    bytecode: bytes
    runtime_size: int


def cache_dir() -> Path:
    base = os.environ.get("SUPERVM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "supervm-l2"
    )
    path = Path(base) / "contracts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _source_key(source: Path, search_paths: Sequence[Path]) -> str:
    import vyper

    digest = hashlib.sha256(vyper.__version__.encode())
    digest.update(str(source).encode())
    for root in search_paths:
        for path in sorted(root.rglob("*.vy")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


#: Statement bounds a verifier can be compiled with (``contracts/bounds/<name>/journal_bound.vy``):
#: "large" takes batch statements up to 32 KB, "single" single-program journals up to 1,064 bytes.
JOURNAL_BOUNDS = ("large", "single")


def search_paths_for(source: Path, journal_bound: str = "large", extra: Sequence[Path] = ()) -> list[Path]:
    """The Vyper search path of ``source``: its folder, ``contracts/``, the chosen statement bound, ``extra``."""
    if journal_bound not in JOURNAL_BOUNDS:
        raise ValueError(f"journal_bound must be one of {JOURNAL_BOUNDS}, got {journal_bound!r}")
    return [source.parent, CONTRACTS_DIR, CONTRACTS_DIR / "bounds" / journal_bound, *[Path(p).resolve() for p in extra]]


def compile_contract(source: Path | str, search_paths: Sequence[Path] = (), journal_bound: str = "large") -> Artifact:
    """Compile ``source`` (a path to a .vy file), reusing a cached artifact when sources are unchanged.

    ``journal_bound`` picks the statement bound the STARK verifier modules are compiled with.
    """
    from vyper.compiler import compile_from_file_input
    from vyper.compiler.input_bundle import FilesystemInputBundle

    source = Path(source).resolve()
    paths = search_paths_for(source, journal_bound, search_paths)
    key = _source_key(source, paths)
    cached = cache_dir() / f"{source.stem}-{key}.json"
    if cached.exists():
        data = json.loads(cached.read_text())
        return Artifact(data["name"], data["abi"], bytes.fromhex(data["bytecode"]), data["runtime_size"])
    bundle = FilesystemInputBundle(paths)
    file_input = bundle.load_file(source)
    out = compile_from_file_input(file_input, input_bundle=bundle, output_formats=["abi", "bytecode", "bytecode_runtime"])
    bytecode = bytes.fromhex(out["bytecode"].removeprefix("0x"))
    runtime_size = len(bytes.fromhex(out["bytecode_runtime"].removeprefix("0x")))
    artifact = Artifact(source.stem, out["abi"], bytecode, runtime_size)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps({"name": artifact.name, "abi": artifact.abi, "bytecode": bytecode.hex(), "runtime_size": runtime_size}))
    tmp.replace(cached)
    return artifact
