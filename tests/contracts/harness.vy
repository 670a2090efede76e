# pragma version ~=0.4.3
# Test harness exposing the verifier's Vyper modules, for differential tests against Python.
from stark import goldilocks
from stark import merkle
from stark import transcript


@external
@view
def ext_mul(a0: uint256, a1: uint256, b0: uint256, b1: uint256) -> (uint256, uint256):
    return goldilocks.ext_mul(a0, a1, b0, b1)


@external
@view
def ext_inv(a0: uint256, a1: uint256) -> (uint256, uint256):
    return goldilocks.ext_inv(a0, a1)


@external
@view
def inv(a: uint256) -> uint256:
    return goldilocks.inv(a)


@external
@pure
def draw_ext(state: bytes32) -> (bytes32, uint256, uint256):
    new_state: bytes32 = transcript.draw(state)
    c0: uint256 = 0
    c1: uint256 = 0
    c0, c1 = transcript.ext_of(new_state)
    return (new_state, c0, c1)


@external
@view
def verify_multiproof(
    root: bytes32,
    depth: uint256,
    indices: DynArray[uint256, merkle.MAX_QUERIES],
    leaf_hashes: DynArray[bytes32, merkle.MAX_QUERIES],
    proof: Bytes[131072],
) -> uint256:
    idx: uint256[merkle.MAX_QUERIES] = empty(uint256[merkle.MAX_QUERIES])
    hs: bytes32[merkle.MAX_QUERIES] = empty(bytes32[merkle.MAX_QUERIES])
    for i: uint256 in range(merkle.MAX_QUERIES):
        if i >= len(indices):
            break
        idx[i] = indices[i]
        hs[i] = leaf_hashes[i]
    # proof is the 5th argument: its head word holds the offset of (length, data) after the selector
    start: uint256 = 4 + convert(slice(msg.data, 4 + 32 * 4, 32), uint256) + 32
    end: uint256 = merkle.verify(root, depth, idx, hs, len(indices), start, start + len(proof))
    return end - start
