# pragma version ~=0.4.3
"""
@title The statement a proof is checked against
@notice Decodes a journal (docs/proof-format.md, "Journal") and asks the
        program's AIR contract for the trace shape it implies; then locates
        the seal in calldata and starts the verification (proof.begin).
"""
from stark import proof

P: constant(uint256) = 18446744069414584321
MAX_VALUES: constant(uint256) = 64
MAX_OOD: constant(uint256) = 64
MAX_WIDTH: constant(uint256) = 16
MAX_COMP: constant(uint256) = 8


interface Air:
    def PROGRAM_ID() -> bytes32: view
    def WIDTH() -> uint256: view
    def COMP_COLUMNS() -> uint256: view
    def shape(inputs: DynArray[uint256, MAX_VALUES], outputs: DynArray[uint256, MAX_VALUES]) -> (uint256, uint256, uint256): view
    def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, MAX_OOD], inputs: DynArray[uint256, MAX_VALUES], outputs: DynArray[uint256, MAX_VALUES]) -> (uint256, uint256): view


struct Statement:
    inputs: DynArray[uint256, MAX_VALUES]
    outputs: DynArray[uint256, MAX_VALUES]
    width: uint256
    comp_cols: uint256
    min_rows: uint256


@internal
@pure
def _values(journal: Bytes[proof.MAX_JOURNAL], at: uint256) -> (DynArray[uint256, MAX_VALUES], uint256):
    """@notice A journal value list (u32 count, then 8-byte values) at `at`; returns it and the offset after it."""
    assert at + 4 <= len(journal), "journal truncated"
    count: uint256 = convert(slice(journal, at, 4), uint256)
    assert count <= MAX_VALUES, "journal lists too many values"
    assert at + 4 + 8 * count <= len(journal), "journal truncated"
    out: DynArray[uint256, MAX_VALUES] = []
    for i: uint256 in range(MAX_VALUES):
        if i >= count:
            break
        v: uint256 = convert(slice(journal, at + 4 + 8 * i, 8), uint256)
        assert v < P, "journal value is not a canonical field element"
        out.append(v)
    return (out, at + 4 + 8 * count)


@internal
@view
def decode(air: address, journal: Bytes[proof.MAX_JOURNAL]) -> Statement:
    """@notice The journal's inputs and outputs and the trace shape `air` requires for them."""
    assert len(journal) >= 40, "journal truncated"
    assert convert(slice(journal, 0, 32), bytes32) == staticcall Air(air).PROGRAM_ID(), "journal is for another program"
    s: Statement = empty(Statement)
    at: uint256 = 0
    s.inputs, at = self._values(journal, 32)
    s.outputs, at = self._values(journal, at)
    assert at == len(journal), "trailing bytes after the journal"
    s.width, s.comp_cols, s.min_rows = staticcall Air(air).shape(s.inputs, s.outputs)
    assert s.width >= 1 and s.width <= MAX_WIDTH and s.comp_cols >= 1 and s.comp_cols <= MAX_COMP, "AIR shape out of range"
    return s


@internal
@view
def begin(journal: Bytes[proof.MAX_JOURNAL], width: uint256, comp_cols: uint256, min_rows: uint256) -> proof.Context:
    """@notice proof.begin on the seal, the third argument of verify(air, journal, seal)."""
    seal_head: uint256 = 4 + convert(slice(msg.data, 68, 32), uint256)
    seal_len: uint256 = convert(slice(msg.data, seal_head, 32), uint256)
    return proof.begin(journal, seal_head + 32, seal_len, width, comp_cols, min_rows)
