# pragma version ~=0.4.3
"""
@title Fiat-Shamir transcript on keccak256
@notice The state is 32 bytes; see docs/proof-format.md, section Transcript.
"""

P: constant(uint256) = 18446744069414584321
MASK128: constant(uint256) = 340282366920938463463374607431768211455


@internal
@pure
def draw(state: bytes32) -> bytes32:
    """@notice state <- keccak256(state); the value is the new state."""
    return keccak256(state)


@internal
@pure
def ext_of(state: bytes32) -> (uint256, uint256):
    """@notice An extension element from a drawn state: high 128 bits mod p, low 128 bits mod p."""
    v: uint256 = convert(state, uint256)
    return ((v >> 128) % P, (v & MASK128) % P)


@internal
@pure
def absorb32(state: bytes32, data: bytes32) -> bytes32:
    """@notice state <- keccak256(state || data) for one 32-byte value."""
    return keccak256(concat(state, data))
