"""Gas profile of one verification on anvil: every unit of gas attributed once, to a function and a category."""

from __future__ import annotations

import pytest

from contracts import profile as P
from contracts.verifier import QUERY_PHASE_SOURCE, VERIFIER_SOURCE
from prover.backends import prove
from prover.stark.params import preset


def test_code_map_of_the_query_phase():
    cm = P.code_map(QUERY_PHASE_SOURCE)
    names = {(f.module, f.name) for f in cm.functions}
    assert {("queries", "check"), ("queries", "deep_coset"), ("merkle", "verify"), ("fri", "check_final")} <= names
    # every category names a function that exists in the code
    assert set(P.QUERY_CATEGORIES) <= names | {("fri", "fold_coset"), ("calldata", "absorb_range")}
    entries = [f.entry for f in cm.functions]
    assert entries == sorted(entries) and entries[0] > 0  # dispatcher and external function come first
    assert cm.function_at(entries[0] - 1) is None and cm.function_at(entries[-1]).entry == entries[-1]
    assert cm.returns and not set(cm.returns) & set(entries)
    assert P.code_map(QUERY_PHASE_SOURCE) == cm  # cached


def test_attribute_follows_the_call_path():
    cm = P.code_map(VERIFIER_SOURCE)
    begin = next(f for f in cm.functions if (f.module, f.name) == ("statement", "decode"))
    inner = next(f for f in cm.functions if (f.module, f.name) == ("proof", "begin"))
    own = {
        f"0xaa||3": [100, 2],
        f"0xaa|{begin.entry}|{begin.entry}": [10, 1],
        f"0xaa|{begin.entry}/{inner.entry}|{inner.entry + 1}": [7, 1, 4],
        "0xbb||0": [5, 1],
    }
    a = P.attribute(own, {"0xaa": ("entry", cm)})
    categories, frames, functions = a.categories, a.frames, a.functions
    assert categories == {"entry: statement + out-of-domain check": 110, "entry: transcript replay": 7, "other contracts": 5}
    assert frames == {"StarkVerifier": 117, "0xbb": 5}
    assert a.category_memory["entry: transcript replay"] == 4 and a.frame_memory["StarkVerifier"] == 4
    by_name = {(f.contract, f.function): f for f in functions}
    assert by_name[("StarkVerifier", "statement.decode")].inclusive_gas == 17
    assert by_name[("StarkVerifier", "statement.decode")].self_gas == 10
    assert by_name[("StarkVerifier", "(dispatch, external functions)")].inclusive_gas == 117
    with pytest.raises(P.ProfileError):  # a pc outside the function the path ends in
        P.attribute({f"0xaa|{begin.entry}|3": [1, 1]}, {"0xaa": ("entry", cm)})


def test_profile_on_anvil_adds_up(anvil_url):
    receipt = prove("fib", (63,), "stark", preset("test"))
    p = P.profile_receipt(receipt, anvil_url)
    assert sum(p.categories.values()) == p.gas_used
    assert abs(p.execution_gas - p.traced_gas) <= 10
    assert p.categories["intrinsic + calldata"] == p.intrinsic
    for name in ("entry: statement + out-of-domain check", "AIR contract", "Merkle", "DEEP", "FRI folding", "final polynomial"):
        assert p.categories[name] > 0, name
    assert set(p.frames) == {"StarkVerifier", "StarkQueryPhase", "fib"}
    assert sum(p.frames.values()) == p.traced_gas
    assert 0 < sum(p.category_memory.values()) == sum(p.frame_memory.values()) < p.traced_gas
    assert all(f.inclusive_gas >= f.self_gas >= 0 for f in p.functions)
    assert "DEEP" in P.format_profile(p)
