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


@internal
@pure
def _values(journal: Bytes[MAX_JOURNAL], at: uint256) -> (DynArray[uint256, MAX_VALUES], uint256):
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
@pure
def decode(journal: Bytes[MAX_JOURNAL], num_inputs: uint256, num_outputs: uint256) -> (DynArray[uint256, MAX_VALUES], DynArray[uint256, MAX_VALUES]):
    """@notice The journal's inputs and outputs; reverts unless their counts are as given and nothing trails."""
    assert len(journal) >= 40, "journal truncated"
    inputs: DynArray[uint256, MAX_VALUES] = []
    outputs: DynArray[uint256, MAX_VALUES] = []
    at: uint256 = 0
    inputs, at = self._values(journal, 32)
    outputs, at = self._values(journal, at)
    assert at == len(journal), "trailing bytes after the journal"
    assert len(inputs) == num_inputs and len(outputs) == num_outputs, "journal has the wrong number of values"
    return (inputs, outputs)
