# pragma version ~=0.4.3
"""
@title The statement a proof is checked against
@notice Asks the program's AIR contract for the trace shape the journal
        implies (the AIR decodes its own statement: a single journal or a
        batch statement); then locates the seal in calldata and starts the
        verification (proof.begin).
"""
from stark import proof

P: constant(uint256) = 18446744069414584321
MAX_OOD: constant(uint256) = 80
MAX_WIDTH: constant(uint256) = 20
MAX_COMP: constant(uint256) = 8


interface Air:
    def PROGRAM_ID() -> bytes32: view
    def columns(journal: Bytes[proof.MAX_JOURNAL]) -> (uint256, uint256): view
    def shape(journal: Bytes[proof.MAX_JOURNAL]) -> (uint256, uint256, uint256): view
    def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, MAX_OOD], journal: Bytes[proof.MAX_JOURNAL]) -> (uint256, uint256): view
    def journal_root(journal: Bytes[proof.MAX_JOURNAL]) -> (bytes32, uint256): view


struct Statement:
    width: uint256
    comp_cols: uint256
    min_rows: uint256


@internal
@view
def decode(air: address, journal: Bytes[proof.MAX_JOURNAL]) -> Statement:
    """@notice The trace shape `air` requires for the statement in `journal` (the AIR decodes and checks it)."""
    assert len(journal) >= 32, "journal truncated"
    assert convert(slice(journal, 0, 32), bytes32) == staticcall Air(air).PROGRAM_ID(), "journal is for another program"
    s: Statement = empty(Statement)
    s.width, s.comp_cols, s.min_rows = staticcall Air(air).shape(journal)
    assert s.width >= 1 and s.width <= MAX_WIDTH and s.comp_cols >= 1 and s.comp_cols <= MAX_COMP, "AIR shape out of range"
    return s


@internal
@view
def begin(journal: Bytes[proof.MAX_JOURNAL], width: uint256, comp_cols: uint256, min_rows: uint256) -> proof.Context:
    """@notice proof.begin on the seal, the third argument of verify(air, journal, seal)."""
    seal_head: uint256 = 4 + convert(slice(msg.data, 68, 32), uint256)
    seal_len: uint256 = convert(slice(msg.data, seal_head, 32), uint256)
    return proof.begin(journal, seal_head + 32, seal_len, width, comp_cols, min_rows)
