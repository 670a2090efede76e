# pragma version ~=0.4.3
"""
@title keccak256 Merkle multiproofs
@notice Verifies openings of many leaves against one root, consuming shared
        sibling nodes from the proof in the order of docs/proof-format.md:
        level by level, sorted unique indices left to right, a sibling pair
        consumes no node, a lone index consumes its sibling.
@dev Nodes are read straight from calldata (the proof's absolute calldata
     offset is passed in) so the proof is never copied into the call frame;
     each level is compacted in place.
"""

MAX_QUERIES: constant(uint256) = 128
MAX_DEPTH: constant(uint256) = 32


@internal
@view
def calldata_word(at: uint256) -> bytes32:
    """@notice 32 bytes of calldata at absolute offset `at`."""
    return convert(slice(msg.data, at, 32), bytes32)


@internal
@view
def verify(
    root: bytes32,
    depth: uint256,
    indices: DynArray[uint256, MAX_QUERIES],
    leaf_hashes: DynArray[bytes32, MAX_QUERIES],
    proof_start: uint256,
    proof_len: uint256,
    offset: uint256,
) -> uint256:
    """
    @notice Reverts unless the leaves hash up to root; returns the proof offset after the nodes used.
    @param proof_start Absolute calldata offset of the proof's first byte.
    @dev indices must be sorted and unique (the caller builds them that way).
    """
    idx: DynArray[uint256, MAX_QUERIES] = indices
    hs: DynArray[bytes32, MAX_QUERIES] = leaf_hashes
    n: uint256 = len(idx)
    pos: uint256 = offset
    for level: uint256 in range(depth, bound=MAX_DEPTH):
        i: uint256 = 0
        w: uint256 = 0
        for step: uint256 in range(MAX_QUERIES):
            if i >= n:
                break
            cur: uint256 = idx[i]
            h: bytes32 = empty(bytes32)
            if cur & 1 == 0 and i + 1 < n and idx[i + 1] == cur + 1:
                h = keccak256(concat(hs[i], hs[i + 1]))
                i += 2
            else:
                assert pos + 32 <= proof_len, "proof truncated in Merkle nodes"
                sibling: bytes32 = self.calldata_word(proof_start + pos)
                pos += 32
                if cur & 1 == 1:
                    h = keccak256(concat(sibling, hs[i]))
                else:
                    h = keccak256(concat(hs[i], sibling))
                i += 1
            idx[w] = cur >> 1
            hs[w] = h
            w += 1
        n = w
    assert n == 1 and hs[0] == root, "Merkle opening does not match the root"
    return pos
