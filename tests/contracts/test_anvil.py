"""AnvilNode: starts anvil on 127.0.0.1, learns its port, reports failures with a typed error, cleans up."""

from __future__ import annotations

import pytest
import requests

from contracts.anvil import AnvilNode
from contracts.errors import L1UnavailableError
from contracts.profile import local_anvil


def test_a_missing_or_failing_binary_is_a_typed_error(tmp_path):
    with pytest.raises(L1UnavailableError, match="anvil not found"):
        AnvilNode(binary=str(tmp_path / "no-such-anvil")).start()
    with pytest.raises(L1UnavailableError, match="exited with 1"):
        AnvilNode(binary="/bin/false", log_dir=tmp_path).start(timeout=10)


def test_local_anvil_answers_and_is_stopped(anvil_url):  # anvil_url: fails or skips here exactly when anvil is missing
    with local_anvil() as url:
        assert url.startswith("http://127.0.0.1:") and url != anvil_url
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        assert requests.post(url, json=body, timeout=5).json()["result"]
    with pytest.raises(requests.RequestException):
        requests.post(url, json=body, timeout=2)
