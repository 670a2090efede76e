# pragma version ~=0.4.3
"""
@title Single-execution journals (docs/proof-format.md, "Journal")
@notice program_id (32) || u32 #inputs || inputs (8 bytes each) ||
        u32 #outputs || outputs; every value a canonical Goldilocks element.
        Used by the per-program AIR contracts to read their statement.
"""

P: constant(uint256) = 18446744069414584321
MAX_JOURNAL: constant(uint256) = 32768
MAX_VALUES: constant(uint256) = 64
# The longest single-execution journal: id, two counts and MAX_VALUES values in each list.
# AIR contracts of single programs take their journal argument at this bound: Vyper copies
# an external Bytes argument into a frame sized by its bound, and a smaller frame keeps the
# copy low in memory (memory expansion is quadratic).
MAX_SINGLE_JOURNAL: constant(uint256) = 32 + 4 + 8 * MAX_VALUES + 4 + 8 * MAX_VALUES
MASK32: constant(uint256) = 4294967295
MASK64: constant(uint256) = 18446744073709551615


@internal
@view
def _values(start: uint256, size: uint256, at: uint256) -> (DynArray[uint256, MAX_VALUES], uint256):
    """@notice The u32-counted list of values at journal offset `at` (the journal's bytes start at calldata offset `start`)."""
    assert at + 4 <= size, "journal truncated"
    count: uint256 = convert(slice(msg.data, start + at + 4 - 32, 32), uint256) & MASK32
    assert count <= MAX_VALUES, "journal lists too many values"
    assert at + 4 + 8 * count <= size, "journal truncated"
    out: DynArray[uint256, MAX_VALUES] = []
    end: uint256 = start + at + 4
    for i: uint256 in range(MAX_VALUES):
        if i >= count:
            break
        end = unsafe_add(end, 8)
        v: uint256 = convert(slice(msg.data, end - 32, 32), uint256) & MASK64
        assert v < P, "journal value is not a canonical field element"
        out.append(v)
    return (out, at + 4 + 8 * count)


@internal
@view
def decode_any(arg: uint256) -> (DynArray[uint256, MAX_VALUES], DynArray[uint256, MAX_VALUES]):
    """
    @notice The inputs and outputs of the journal that is ABI argument `arg`
            (0-based) of the external call being served, read in place from
            calldata; reverts unless it is well formed and nothing trails.
    @dev Reading calldata instead of taking the journal as a Bytes argument
         keeps a journal-sized copy out of every internal frame.
    """
    head: uint256 = 4 + convert(slice(msg.data, 4 + 32 * arg, 32), uint256)
    assert head + 32 <= len(msg.data), "journal out of calldata"
    size: uint256 = convert(slice(msg.data, head, 32), uint256)
    assert size <= MAX_JOURNAL and head + 32 + size <= len(msg.data), "journal out of calldata"
    assert size >= 40, "journal truncated"
    inputs: DynArray[uint256, MAX_VALUES] = []
    outputs: DynArray[uint256, MAX_VALUES] = []
    at: uint256 = 0
    inputs, at = self._values(head + 32, size, 32)
    outputs, at = self._values(head + 32, size, at)
    assert at == size, "trailing bytes after the journal"
    return (inputs, outputs)


@internal
@view
def decode(arg: uint256, num_inputs: uint256, num_outputs: uint256) -> (DynArray[uint256, MAX_VALUES], DynArray[uint256, MAX_VALUES]):
    """@notice decode_any, and reverts unless the journal has `num_inputs` inputs and `num_outputs` outputs."""
    inputs: DynArray[uint256, MAX_VALUES] = []
    outputs: DynArray[uint256, MAX_VALUES] = []
    inputs, outputs = self.decode_any(arg)
    assert len(inputs) == num_inputs and len(outputs) == num_outputs, "journal has the wrong number of values"
    return (inputs, outputs)
