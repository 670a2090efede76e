"""EIP-712 request signing: the digest matches eth_account, recovery, canonical signatures, dev accounts."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data

from node.errors import InvalidSignatureError
from node.signing import (
    SECP256K1_N,
    dev_accounts,
    keccak256,
    keccak_many,
    recover_signer,
    request_digest,
    request_digests,
    request_id,
    request_ids,
    sign_request,
    typed_data,
)
from prover.programs import get_program

FIB = get_program("fib").program_id


@pytest.mark.parametrize("inputs", [[], [1], [0, 2**64 - 1], list(range(16))])
def test_digest_matches_eth_account_typed_data(inputs):
    document = typed_data(31337, 7, FIB, inputs, 1 << 20)
    expected = _hash_eip191_message(encode_typed_data(full_message=document))
    assert request_digest(31337, 7, FIB, inputs, 1 << 20) == expected


def test_sign_and_recover_round_trip_and_wallet_agreement():
    account = dev_accounts(2)[1]
    request = sign_request(account.private_key, 5, 3, FIB, [10], 64)
    assert request.recover() == account.address
    message = encode_typed_data(full_message=typed_data(5, 3, FIB, [10], 64))
    assert Account.recover_message(message, signature=request.signature) == account.address
    wallet = Account.sign_message(message, account.private_key)  # what an EIP-712 wallet produces
    assert recover_signer(request.digest, bytes(wallet.signature)) == account.address


def test_dev_accounts_are_the_public_anvil_accounts():
    accounts = dev_accounts(10)
    assert accounts[0].address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert accounts[0].private_key == "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    assert len({a.address for a in accounts}) == 10


def test_request_id_binds_the_sender():
    a, b = dev_accounts(3)[1:3]
    ra = sign_request(a.private_key, 5, 0, FIB, [10], 64)
    rb = sign_request(b.private_key, 5, 0, FIB, [10], 64)
    assert ra.digest == rb.digest  # EIP-712 digests do not name the signer
    assert ra.request_id() != rb.request_id()
    assert ra.request_id() == request_id(ra.digest, a.address)


def test_non_canonical_and_malformed_signatures_are_refused():
    request = sign_request(dev_accounts(2)[1].private_key, 5, 0, FIB, [10], 64)
    sig = request.signature
    s = int.from_bytes(sig[32:64], "big")
    high_s = sig[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([((sig[64] - 27) ^ 1) + 27])
    with pytest.raises(InvalidSignatureError, match="lower half"):
        recover_signer(request.digest, high_s)
    with pytest.raises(InvalidSignatureError, match="65 bytes"):
        recover_signer(request.digest, sig[:64])
    with pytest.raises(InvalidSignatureError, match="v must be"):
        recover_signer(request.digest, sig[:64] + b"\x05")
    with pytest.raises(InvalidSignatureError):
        recover_signer(request.digest, bytes(32) + sig[32:])
    # a valid signature over another message recovers someone else
    assert recover_signer(request_digest(5, 1, FIB, [10], 64), sig) != dev_accounts(2)[1].address


def test_sign_refuses_out_of_range_values():
    key = dev_accounts(1)[0].private_key
    with pytest.raises(ValueError):
        sign_request(key, 5, -1, FIB, [1], 64)
    with pytest.raises(ValueError):
        sign_request(key, 5, 0, FIB, [2**64], 64)
    with pytest.raises(ValueError):
        sign_request(key, 5, 0, FIB[:31], [1], 64)


def test_bulk_hashing_matches_one_by_one():
    """The vectorized path (groups of >= 8 equal-length messages) gives the scalar digests and ids."""
    accounts = dev_accounts(3)
    items = [(5 + (i % 2), i, FIB, list(range(i % 3)), 64 + i) for i in range(40)]
    digests = request_digests(items)
    assert digests == [request_digest(*item) for item in items]
    senders = [accounts[i % 3].address for i in range(40)]
    assert request_ids(digests, senders) == [request_id(d, s) for d, s in zip(digests, senders)]
    assert keccak_many([b"", b"abc"] * 9) == [keccak256(b""), keccak256(b"abc")] * 9
