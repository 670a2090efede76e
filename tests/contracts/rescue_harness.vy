# pragma version ~=0.4.3
# Test harness exposing contracts/stark/rescue.vy, for differential tests against prover/crypto/rescue.py.
from stark import rescue


@external
@view
def permute(s: uint256[12]) -> uint256[12]:
    return rescue.permute(s)


@external
@view
def merge(a: uint256[4], b: uint256[4]) -> uint256[4]:
    return rescue.merge(a, b)


@external
@pure
def is_canonical(d: bytes32) -> bool:
    return rescue.is_canonical(d)


@external
@pure
def unpack(d: bytes32) -> uint256[4]:
    return rescue.unpack(d)


@external
@pure
def pack(d: uint256[4]) -> bytes32:
    return rescue.pack(d)


@external
@view
def root_from_path(leaf: bytes32, index: uint256, siblings: DynArray[bytes32, rescue.MAX_DEPTH]) -> bytes32:
    return rescue.root_from_path(leaf, index, siblings)


@external
@view
def verify_inclusion(root: bytes32, leaf: bytes32, index: uint256, siblings: DynArray[bytes32, rescue.MAX_DEPTH]) -> bool:
    return rescue.verify_inclusion(root, leaf, index, siblings)


@external
@view
def gas_permute(s: uint256[12]) -> uint256:
    g: uint256 = msg.gas
    t: uint256[12] = rescue.permute(s)
    return g - msg.gas


@external
@view
def gas_merge(a: uint256[4], b: uint256[4]) -> uint256:
    g: uint256 = msg.gas
    t: uint256[4] = rescue.merge(a, b)
    return g - msg.gas


@external
@view
def gas_verify_inclusion(root: bytes32, leaf: bytes32, index: uint256, siblings: DynArray[bytes32, rescue.MAX_DEPTH]) -> (bool, uint256):
    g: uint256 = msg.gas
    ok: bool = rescue.verify_inclusion(root, leaf, index, siblings)
    return (ok, g - msg.gas)
