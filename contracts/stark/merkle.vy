# pragma version ~=0.4.3
"""
@title keccak256 Merkle multiproofs
@notice Verifies openings of many leaves against one root, consuming shared
        sibling nodes from the proof in the order of docs/proof-format.md:
        level by level, sorted unique indices left to right, a sibling pair
        consumes no node, a lone index consumes its sibling.
"""

MAX_QUERIES: constant(uint256) = 128
MAX_PROOF: constant(uint256) = 131072
MAX_DEPTH: constant(uint256) = 32


@internal
@pure
def verify(
    root: bytes32,
    depth: uint256,
    indices: DynArray[uint256, MAX_QUERIES],
    leaf_hashes: DynArray[bytes32, MAX_QUERIES],
    proof: Bytes[MAX_PROOF],
    offset: uint256,
) -> uint256:
    """
    @notice Reverts unless the leaves hash up to root; returns the offset after the nodes used.
    @dev indices must be sorted and unique (the caller builds them that way).
    """
    idx: DynArray[uint256, MAX_QUERIES] = indices
    hs: DynArray[bytes32, MAX_QUERIES] = leaf_hashes
    pos: uint256 = offset
    for level: uint256 in range(depth, bound=MAX_DEPTH):
        next_idx: DynArray[uint256, MAX_QUERIES] = []
        next_hs: DynArray[bytes32, MAX_QUERIES] = []
        n: uint256 = len(idx)
        i: uint256 = 0
        for step: uint256 in range(MAX_QUERIES):
            if i >= n:
                break
            cur: uint256 = idx[i]
            if cur % 2 == 0 and i + 1 < n and idx[i + 1] == cur + 1:
                next_hs.append(keccak256(concat(hs[i], hs[i + 1])))
                i += 2
            else:
                sibling: bytes32 = extract32(proof, pos)
                pos += 32
                if cur % 2 == 1:
                    next_hs.append(keccak256(concat(sibling, hs[i])))
                else:
                    next_hs.append(keccak256(concat(hs[i], sibling)))
                i += 1
            next_idx.append(cur >> 1)
        idx = next_idx
        hs = next_hs
    assert len(hs) == 1 and hs[0] == root, "Merkle opening does not match the root"
    return pos
