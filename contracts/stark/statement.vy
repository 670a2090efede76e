# pragma version ~=0.4.3
"""
@title The statement a proof is checked against
@notice Asks the program's AIR contract for the trace shape the journal
        implies (the AIR decodes its own statement: a single journal or a
        batch statement); then locates the seal in calldata and starts the
        verification (proof.begin).  Nothing here copies the journal or the
        seal more than once: every internal frame that holds a journal-sized
        buffer pushes every deeper frame up in memory, and memory expansion is
        quadratic.
"""
from stark import proof

P: constant(uint256) = 18446744069414584321
MAX_OOD: constant(uint256) = 104
MAX_WIDTH: constant(uint256) = 24
MAX_COMP: constant(uint256) = 8


interface Air:
    def PROGRAM_ID() -> bytes32: view
    def columns(journal: Bytes[proof.MAX_JOURNAL]) -> (uint256, uint256): view
    def shape(journal: Bytes[proof.MAX_JOURNAL]) -> (uint256, uint256, uint256): view
    def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, MAX_OOD], journal: Bytes[proof.MAX_JOURNAL]) -> (uint256, uint256): view
    def journal_root(journal: Bytes[proof.MAX_JOURNAL]) -> (bytes32, uint256): view
    def aux() -> (uint256, uint256): view


struct Statement:
    width: uint256
    comp_cols: uint256
    min_rows: uint256
    aux_width: uint256
    aux_randomness: uint256
    initial: bytes32


@internal
@pure
def check_shape(width: uint256, comp_cols: uint256):
    """@notice Reverts unless the trace shape an AIR contract reported is within the verifier's bounds."""
    assert width >= 1 and width <= MAX_WIDTH and comp_cols >= 1 and comp_cols <= MAX_COMP, "AIR shape out of range"


@internal
@view
def seal_location() -> (uint256, uint256):
    """
    @notice (absolute calldata offset, length) of the seal: the `bytes` whose ABI
            offset is the third argument word of verify(air, journal, seal).
            The seal is read in place, never copied, and has no bound but the calldata.
    """
    offset: uint256 = convert(slice(msg.data, 68, 32), uint256)
    assert offset < len(msg.data), "seal out of calldata"
    head: uint256 = 4 + offset
    assert head + 32 <= len(msg.data), "seal out of calldata"
    size: uint256 = convert(slice(msg.data, head, 32), uint256)
    assert size <= len(msg.data) and head + 32 + size <= len(msg.data), "seal out of calldata"
    return (head + 32, size)


@internal
@view
def decode(air: address, journal: Bytes[proof.MAX_JOURNAL], seal_at: uint256, entry: bool) -> Statement:
    """
    @notice The trace shape `air` requires for the statement in `journal` (the
            AIR decodes and checks it) and the transcript's first state,
            keccak256(TAG || proof header || journal).
    @param entry True in the verifier's entry point: it also checks the program
           id and asks for the fewest rows; the query phase only needs the columns.
    @dev Called from the external function with its calldata journal: the
         journal-sized buffers live in this leaf frame, at the bottom of memory,
         instead of in the external function's frame, which sits above every
         internal frame (touching it would expand memory past all of them).
    """
    s: Statement = empty(Statement)
    if entry:
        assert len(journal) >= 32, "journal truncated"
        assert convert(slice(journal, 0, 32), bytes32) == staticcall Air(air).PROGRAM_ID(), "journal is for another program"
        s.width, s.comp_cols, s.min_rows = staticcall Air(air).shape(journal)
    else:
        s.width, s.comp_cols = staticcall Air(air).columns(journal)
    s.aux_width, s.aux_randomness = staticcall Air(air).aux()
    self.check_shape(s.width + s.aux_width, s.comp_cols)
    s.initial = keccak256(concat(proof.TAG, slice(msg.data, seal_at, 8), journal))
    return s
