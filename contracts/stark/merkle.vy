# pragma version ~=0.4.3
"""
@title keccak256 Merkle multiproofs
@notice Verifies openings of many leaves against one root, consuming shared
        sibling nodes from calldata in the order of docs/proof-format.md:
        level by level, sorted unique indices left to right, a sibling pair
        consumes no node, a lone index consumes its sibling.
@dev Indices and hashes are compacted in place, level by level.
"""

MAX_QUERIES: constant(uint256) = 128
MAX_DEPTH: constant(uint256) = 32


@internal
@view
def verify(
    root: bytes32,
    depth: uint256,
    indices: uint256[MAX_QUERIES],
    hashes: bytes32[MAX_QUERIES],
    count: uint256,
    at: uint256,
    end: uint256,
) -> uint256:
    """
    @notice Reverts unless the `count` leaf hashes at the sorted unique
            `indices` hash up to `root`, with sibling nodes read from absolute
            calldata offset `at` (never past `end`).
    @return The calldata offset just after the last node used.
    """
    idx: uint256[MAX_QUERIES] = indices
    hs: bytes32[MAX_QUERIES] = hashes
    n: uint256 = count
    pos: uint256 = at
    for level: uint256 in range(depth, bound=MAX_DEPTH):
        cur: uint256 = idx[0]
        h: bytes32 = hs[0]
        i: uint256 = 1
        w: uint256 = 0
        for step: uint256 in range(MAX_QUERIES):
            if cur & 1 == 0 and i < n and idx[i] == cur + 1:
                h = keccak256(concat(h, hs[i]))
                i += 1
            else:
                assert pos + 32 <= end, "proof truncated in Merkle nodes"
                if cur & 1 == 1:
                    h = keccak256(concat(slice(msg.data, pos, 32), h))
                else:
                    h = keccak256(concat(h, slice(msg.data, pos, 32)))
                pos += 32
            idx[w] = cur >> 1
            hs[w] = h
            w += 1
            if i >= n:
                break
            cur = idx[i]
            h = hs[i]
            i += 1
        n = w
    assert n == 1 and hs[0] == root, "Merkle opening does not match the root"
    return pos


@internal
@pure
def sorted_unique(values: uint256[MAX_QUERIES], count: uint256, mask: uint256) -> (uint256[MAX_QUERIES], uint256[MAX_QUERIES], uint256):
    """
    @notice The sorted distinct values of (values[i] & mask), and for each i the
            rank of its value in that list.
    @return (distinct values, rank of each input, number of distinct values)
    """
    out: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    n: uint256 = 0
    for i: uint256 in range(count, bound=MAX_QUERIES):
        v: uint256 = values[i] & mask
        j: uint256 = n
        for step: uint256 in range(MAX_QUERIES):
            if j == 0 or out[j - 1] < v:
                break
            j -= 1
        if j < n and out[j] == v:
            continue
        k: uint256 = n
        for step: uint256 in range(MAX_QUERIES):
            if k == j:
                break
            out[k] = out[k - 1]
            k -= 1
        out[j] = v
        n += 1
    ranks: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    for i: uint256 in range(count, bound=MAX_QUERIES):
        v: uint256 = values[i] & mask
        lo: uint256 = 0
        hi: uint256 = n - 1
        for step: uint256 in range(8):
            if lo >= hi:
                break
            mid: uint256 = (lo + hi) >> 1
            if out[mid] < v:
                lo = mid + 1
            else:
                hi = mid
        ranks[i] = lo
    return (out, ranks, n)
