# pragma version ~=0.4.3
# Test contract for the L1 layer: burns a chosen amount of gas and takes calldata of any shape.

filled: public(HashMap[uint256, uint256])


@external
@view
def burn(data: Bytes[16384], rounds: uint256) -> bytes32:
    """Hash `rounds` times; `data` is only measured, so its cost is calldata plus a bounds check."""
    h: bytes32 = convert(len(data), bytes32)
    for i: uint256 in range(rounds, bound=1000000):
        h = keccak256(h)
    return h


@external
def fill(start: uint256, n: uint256):
    """Write `n` fresh storage slots (22,100 gas each): a cheap way to need a lot of gas."""
    for i: uint256 in range(n, bound=10000):
        self.filled[start + i] = 1


@external
@view
def fail(reason: String[64]):
    """Revert with an Error(string) reason, or with no data when `reason` is empty."""
    if len(reason) == 0:
        raise
    raise reason


@external
def clear(start: uint256, n: uint256, data: Bytes[16384]):
    """Reset `n` slots to zero (each earns a 4,800 refund); `data` is calldata weight."""
    for i: uint256 in range(n, bound=10000):
        self.filled[start + i] = 0
