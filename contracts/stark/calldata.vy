# pragma version ~=0.4.3
"""
@title Reading the proof straight from calldata
@notice The proof is never copied into memory as a whole: 32-byte words are
        read at absolute calldata offsets, and byte ranges are hashed through
        a fixed-size window, because Vyper only slices msg.data with a
        constant length.
"""

P: constant(uint256) = 18446744069414584321
MASK64: constant(uint256) = 18446744073709551615


@internal
@view
def word(at: uint256) -> uint256:
    """@notice The 32 bytes at absolute calldata offset `at`, big-endian."""
    return convert(slice(msg.data, at, 32), uint256)


@internal
@view
def felt(end: uint256) -> uint256:
    """@notice The canonical 8-byte field element ending at absolute offset `end` (end >= 32)."""
    v: uint256 = convert(slice(msg.data, end - 32, 32), uint256) & MASK64
    assert v < P, "non-canonical field element"
    return v


@internal
@view
def ext_leaf(at: uint256, count: uint256) -> uint256[32]:
    """@notice `count` (<= 16) extension elements (c0, c1 interleaved) starting at `at`."""
    out: uint256[32] = empty(uint256[32])
    for j: uint256 in range(8):
        if 2 * j >= count:
            break
        word: uint256 = convert(slice(msg.data, at + 32 * j, 32), uint256)
        a: uint256 = word >> 192
        b: uint256 = (word >> 128) & MASK64
        c: uint256 = (word >> 64) & MASK64
        e: uint256 = word & MASK64
        assert a < P and b < P and c < P and e < P, "non-canonical field element"
        out[unsafe_mul(4, j)] = a
        out[unsafe_add(unsafe_mul(4, j), 1)] = b
        out[unsafe_add(unsafe_mul(4, j), 2)] = c
        out[unsafe_add(unsafe_mul(4, j), 3)] = e
    return out


@internal
@view
def ext8(at: uint256) -> uint256[16]:
    """@notice The 8 extension elements (16 field elements) of an f = 8 FRI leaf at `at`, unrolled."""
    out: uint256[16] = empty(uint256[16])
    word: uint256 = 0
    word = convert(slice(msg.data, unsafe_add(at, 0), 32), uint256)
    out[0] = word >> 192
    out[1] = (word >> 128) & MASK64
    out[2] = (word >> 64) & MASK64
    out[3] = word & MASK64
    word = convert(slice(msg.data, unsafe_add(at, 32), 32), uint256)
    out[4] = word >> 192
    out[5] = (word >> 128) & MASK64
    out[6] = (word >> 64) & MASK64
    out[7] = word & MASK64
    word = convert(slice(msg.data, unsafe_add(at, 64), 32), uint256)
    out[8] = word >> 192
    out[9] = (word >> 128) & MASK64
    out[10] = (word >> 64) & MASK64
    out[11] = word & MASK64
    word = convert(slice(msg.data, unsafe_add(at, 96), 32), uint256)
    out[12] = word >> 192
    out[13] = (word >> 128) & MASK64
    out[14] = (word >> 64) & MASK64
    out[15] = word & MASK64
    # One check for all 16: they are canonical exactly when their maximum is.
    assert max(max(max(out[0], out[1]), max(out[2], out[3])), max(max(out[4], out[5]), max(out[6], out[7]))) < P and max(max(max(out[8], out[9]), max(out[10], out[11])), max(max(out[12], out[13]), max(out[14], out[15]))) < P, "non-canonical field element"
    return out


@internal
@view
def hash_range(at: uint256, size: uint256) -> bytes32:
    """@notice keccak256 of `size` calldata bytes at `at` (size <= 4096)."""
    if size == 128:  # an f = 8 FRI leaf: no window
        return keccak256(slice(msg.data, at, 128))
    return keccak256(self._window(at, size))


@internal
@view
def absorb_range(state: bytes32, at: uint256, size: uint256) -> bytes32:
    """@notice keccak256(state || `size` calldata bytes at `at`): a transcript absorb."""
    return keccak256(concat(state, self._window(at, size)))


@internal
@view
def _window(at: uint256, size: uint256) -> Bytes[4096]:
    """
    @notice `size` calldata bytes at `at`, read through the smallest window that holds them.
    @dev The window start is pulled back so that it never runs past the end of
         calldata; the caller has already checked that [at, at + size) lies in it.
    """
    total: uint256 = len(msg.data)
    if size <= 256:
        start: uint256 = min(at, total - 256)
        buf: Bytes[256] = slice(msg.data, start, 256)
        return slice(buf, at - start, size)
    if size <= 1024:
        start: uint256 = min(at, total - 1024)
        buf: Bytes[1024] = slice(msg.data, start, 1024)
        return slice(buf, at - start, size)
    assert size <= 4096, "byte range too long"
    start: uint256 = min(at, total - 4096)
    buf: Bytes[4096] = slice(msg.data, start, 4096)
    return slice(buf, at - start, size)
