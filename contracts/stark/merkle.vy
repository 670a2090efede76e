# pragma version ~=0.4.3
"""
@title keccak256 Merkle multiproofs
@notice Verifies openings of many leaves against one root, consuming shared
        sibling nodes from calldata in the order of docs/proof-format.md:
        level by level, sorted unique indices left to right, a sibling pair
        consumes no node, a lone index consumes its sibling.
@dev Indices and hashes are compacted in place, level by level.
"""

MAX_QUERIES: constant(uint256) = 32
MAX_DEPTH: constant(uint256) = 32


@internal
@pure
def independent_levels(indices: uint256[MAX_QUERIES], count: uint256, depth: uint256) -> uint256:
    """
    @notice The number of levels, from the leaves up, on which no two of the
            sorted distinct `indices` are siblings or share a parent: on those
            levels every path consumes one proof node, in index order.
    """
    closest: uint256 = 1 << depth
    for k: uint256 in range(1, MAX_QUERIES):
        if k >= count:
            break
        closest = min(closest, indices[unsafe_sub(k, 1)] ^ indices[k])
    levels: uint256 = 0  # floor(log2(closest)) by binary search
    for bits: uint256 in [32, 16, 8, 4, 2, 1]:
        if closest >> bits != 0:
            closest >>= bits
            levels = unsafe_add(levels, bits)
    return min(levels, depth)


@internal
@view
def _hash_paths(indices: uint256[MAX_QUERIES], hashes: bytes32[MAX_QUERIES], n: uint256, low: uint256, at: uint256, end: uint256) -> bytes32[MAX_QUERIES]:
    """@notice Each path hashed up `low` levels on its own: path k's node on level l is node l * n + k."""
    assert at + 32 * low * n <= end, "proof truncated in Merkle nodes"
    hs: bytes32[MAX_QUERIES] = hashes
    stride: uint256 = unsafe_mul(32, n)
    for k: uint256 in range(MAX_QUERIES):
        if k >= n:
            break
        h: bytes32 = hs[k]
        cur: uint256 = indices[k]
        node_at: uint256 = unsafe_add(at, unsafe_mul(32, k))
        for level: uint256 in range(MAX_DEPTH):
            if level >= low:
                break
            if cur & 1 == 1:
                h = keccak256(concat(slice(msg.data, node_at, 32), h))
            else:
                h = keccak256(concat(h, slice(msg.data, node_at, 32)))
            cur >>= 1
            node_at = unsafe_add(node_at, stride)
        hs[k] = h
    return hs


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
    @dev Two phases with the same result as the level-by-level rule of
         docs/proof-format.md: on the lowest levels, where no paths meet, the
         node of path k on level l is node l * count + k, so each path is
         hashed up on its own; the remaining levels merge paths level by level.
    @return The calldata offset just after the last node used.
    """
    low: uint256 = self.independent_levels(indices, count, depth)
    hs: bytes32[MAX_QUERIES] = self._hash_paths(indices, hashes, count, low, at, end)
    idx: uint256[MAX_QUERIES] = indices
    for k: uint256 in range(MAX_QUERIES):
        if k >= count:
            break
        idx[k] = idx[k] >> low
    n: uint256 = count
    pos: uint256 = at + 32 * low * n
    for level: uint256 in range(MAX_DEPTH):
        if level + low >= depth:
            break
        cur: uint256 = idx[0]
        h: bytes32 = hs[0]
        i: uint256 = 1
        w: uint256 = 0
        for step: uint256 in range(MAX_QUERIES):
            if cur & 1 == 0 and i < n and idx[i] == cur + 1:
                h = keccak256(concat(h, hs[i]))
                i = unsafe_add(i, 1)
            else:
                assert pos + 32 <= end, "proof truncated in Merkle nodes"
                if cur & 1 == 1:
                    h = keccak256(concat(slice(msg.data, pos, 32), h))
                else:
                    h = keccak256(concat(h, slice(msg.data, pos, 32)))
                pos += 32
            idx[w] = cur >> 1
            hs[w] = h
            w = unsafe_add(w, 1)
            if i >= n:
                break
            cur = idx[i]
            h = hs[i]
            i = unsafe_add(i, 1)
        n = w
    assert n == 1 and hs[0] == root, "Merkle opening does not match the root"
    return pos


@internal
@pure
def sorted_unique(values: uint256[MAX_QUERIES], count: uint256, mask: uint256) -> (uint256[MAX_QUERIES], uint256[MAX_QUERIES], uint256):
    """
    @notice The sorted distinct values of (values[i] & mask), and for each i the
            rank of its value in that list.
    @dev One insertion sort of (value << 8 | i) keys, then one pass that drops
         duplicates and hands out ranks; count <= MAX_QUERIES < 256.
    @return (distinct values, rank of each input, number of distinct values)
    """
    keys: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    for i: uint256 in range(count, bound=MAX_QUERIES):
        key: uint256 = ((values[i] & mask) << 8) | i
        j: uint256 = i
        for step: uint256 in range(MAX_QUERIES):
            if j == 0:
                break
            prev: uint256 = keys[unsafe_sub(j, 1)]
            if prev < key:
                break
            keys[j] = prev
            j = unsafe_sub(j, 1)
        keys[j] = key
    out: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    ranks: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    n: uint256 = 0
    last: uint256 = max_value(uint256)
    for k: uint256 in range(count, bound=MAX_QUERIES):
        key: uint256 = keys[k]
        v: uint256 = key >> 8
        if v != last:
            out[n] = v
            n = unsafe_add(n, 1)
            last = v
        ranks[key & 255] = unsafe_sub(n, 1)
    return (out, ranks, n)
