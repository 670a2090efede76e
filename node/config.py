"""Settings of a devnet node: defaults, an optional TOML config file, then command-line flags.

Every setting has the same name in the file and on the command line
(``batch_max_requests`` in TOML, ``--batch-max-requests`` as a flag); a flag
given on the command line wins over the file.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from node.errors import ConfigError

#: EIP-7825: most gas one transaction may use.
EIP7825_CAP = 16_777_216
#: L2 chain id of the devnet ("SVM2"); signatures for any other id are refused.
DEFAULT_L2_CHAIN_ID = 0x53564D32
DEFAULT_PORT = 8547
#: Largest batch trace the aggregator proves (rows): 2^22.
MAX_BATCH_ROWS = 1 << 22


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/supervm/devnet`` (``~/.local/share``), or the platform's application data folder."""
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "supervm" / "devnet"


@dataclass(frozen=True)
class NodeConfig:
    """Everything a devnet node needs to start; validated on construction."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    chain_id: int = DEFAULT_L2_CHAIN_ID
    backend: str = "stark"
    preset: str = "default"
    da: str = "calldata"
    min_security_bits: int = 100
    batch_max_requests: int = 256
    batch_max_age: float = 2.0
    batch_max_rows: int = 1 << 20
    batch_max_gas: int = 15_000_000
    block_time: float = 0.25
    l1_rpc: str | None = None
    l1_private_key: str | None = None
    l1_gas_limit: int = 60_000_000
    l1_port: int | None = None
    data_dir: Path = field(default_factory=default_data_dir)
    workers: int = 1
    max_pending: int = 200_000
    max_body_bytes: int = 4 * 1024 * 1024
    max_batch_entries: int = 2000
    dev_accounts: int = 10
    log_format: str = "text"
    fresh: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser())
        checks = [
            (self.backend in ("stark", "trace"), f"backend must be 'stark' or 'trace', got {self.backend!r}"),
            (self.da in ("calldata", "root"), f"da must be 'calldata' or 'root', got {self.da!r}"),
            (self.host in ("127.0.0.1", "localhost", "::1"), f"the devnet serves on loopback only, got host {self.host!r}"),
            (0 <= self.port < 65536, f"port out of range: {self.port}"),
            (self.l1_port is None or 0 <= self.l1_port < 65536, f"l1_port out of range: {self.l1_port}"),
            (0 < self.chain_id < 1 << 64, f"chain id out of range: {self.chain_id}"),
            (1 <= self.batch_max_requests <= 1 << 16, "batch_max_requests must be in [1, 65536]"),
            (self.batch_max_age > 0, "batch_max_age must be positive (seconds)"),
            (8 <= self.batch_max_rows <= MAX_BATCH_ROWS, f"batch_max_rows must be in [8, {MAX_BATCH_ROWS}]"),
            (100_000 <= self.batch_max_gas <= EIP7825_CAP, f"batch_max_gas must be in [100000, {EIP7825_CAP}] (EIP-7825)"),
            (0 < self.block_time <= 60, "block_time must be in (0, 60] seconds"),
            (self.l1_gas_limit >= 1_000_000, "l1_gas_limit must be at least 1,000,000"),
            (1 <= self.workers <= 64, "workers must be in [1, 64]"),
            (self.max_pending >= 1, "max_pending must be positive"),
            (self.max_body_bytes >= 1024, "max_body_bytes must be at least 1024"),
            (self.max_batch_entries >= 1, "max_batch_entries must be positive"),
            (1 <= self.dev_accounts <= 100, "dev_accounts must be in [1, 100]"),
            (self.log_format in ("text", "json"), "log_format must be 'text' or 'json'"),
            (0 <= self.min_security_bits <= 128, "min_security_bits must be in [0, 128]"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        if self.l1_rpc is not None and not str(self.l1_rpc).startswith(("http://", "https://")):
            raise ConfigError(f"l1_rpc must be an http(s) URL, got {self.l1_rpc!r}")

    @property
    def dev_mode(self) -> bool:
        """The Trace backend has no soundness: the rollup must be deployed in dev mode to accept it."""
        return self.backend == "trace"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "node.sqlite"

    @property
    def l1_db_path(self) -> Path:
        return self.data_dir / "l1.sqlite"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly settings (the private key is redacted)."""
        out = asdict(self)
        out["data_dir"] = str(self.data_dir)
        if out["l1_private_key"]:
            out["l1_private_key"] = "(set)"
        return out

    def with_overrides(self, overrides: Mapping[str, Any]) -> "NodeConfig":
        """A copy with ``overrides`` applied (None values are ignored)."""
        return replace(self, **{k: v for k, v in _check_keys(overrides).items() if v is not None})


def _check_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    known = {f.name for f in fields(NodeConfig)}
    out = {}
    for key, value in values.items():
        name = key.replace("-", "_")
        if name not in known:
            raise ConfigError(f"unknown setting {key!r}; known: {', '.join(sorted(known))}")
        out[name] = value
    return out


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Settings from a TOML file: top-level keys, or a ``[devnet]`` table."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    if "devnet" in data and isinstance(data["devnet"], dict):
        data = {**{k: v for k, v in data.items() if k != "devnet"}, **data["devnet"]}
    return _check_keys(data)


def build_config(flags: Mapping[str, Any], config_file: str | Path | None = None) -> NodeConfig:
    """Defaults, then ``config_file`` (if any), then the flags that were given (non-None)."""
    base: dict[str, Any] = load_config_file(config_file) if config_file else {}
    merged = {**base, **{k: v for k, v in _check_keys(flags).items() if v is not None}}
    try:
        return NodeConfig(**merged)
    except TypeError as exc:
        raise ConfigError(str(exc)) from None
