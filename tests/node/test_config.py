"""Node settings: defaults, TOML file, flags over file, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.config import EIP7825_CAP, NodeConfig, build_config, default_data_dir, load_config_file
from node.errors import ConfigError


def test_defaults_are_loopback_and_under_the_cap():
    config = NodeConfig()
    assert config.host == "127.0.0.1"
    assert config.batch_max_gas <= EIP7825_CAP
    assert config.backend == "stark" and not config.dev_mode
    assert config.data_dir == default_data_dir()
    assert default_data_dir().parts[-2:] == ("supervm", "devnet")


def test_trace_backend_means_dev_mode():
    assert NodeConfig(backend="trace").dev_mode


def test_file_then_flags(tmp_path):
    path = tmp_path / "devnet.toml"
    path.write_text('[devnet]\nbackend = "trace"\nbatch-max-requests = 32\nport = 9000\ndata_dir = "~/x"\n')
    assert load_config_file(path)["batch_max_requests"] == 32
    config = build_config({"port": 9100, "batch_max_age": None}, path)
    assert (config.backend, config.batch_max_requests, config.port) == ("trace", 32, 9100)
    assert config.data_dir == Path("~/x").expanduser()


@pytest.mark.parametrize(
    "values, message",
    [
        ({"host": "0.0.0.0"}, "loopback"),
        ({"backend": "groth16"}, "backend"),
        ({"batch_max_gas": EIP7825_CAP + 1}, "EIP-7825"),
        ({"batch_max_requests": 0}, "batch_max_requests"),
        ({"batch_max_rows": 1 << 23}, "batch_max_rows"),
        ({"l1_rpc": "ftp://x"}, "l1_rpc"),
        ({"nonsense": 1}, "unknown setting"),
    ],
)
def test_invalid_settings_are_refused(values, message):
    with pytest.raises(ConfigError, match=message):
        build_config(values)


def test_malformed_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("port = = 3")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config_file(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config_file(tmp_path / "missing.toml")
