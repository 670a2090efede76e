# pragma version ~=0.4.3
"""
@title supervm-l2 rollup: verified batches of L2 executions
@notice Keeps the registry of programs (program id -> AIR contract), accepts
        batches from the sequencer only, verifies each batch's proof through
        the STARK verifier, records it (journal root, request count, backend,
        L1 block) and proves on L1 that a journal belongs to a verified batch.
@dev Trust model (docs/contracts.md): the owner registers programs and sets
     the sequencer; the sequencer orders batches and is the only submitter;
     soundness of every recorded batch rests on the STARK verifier alone.  A
     rollup deployed with dev_mode = True also accepts Trace receipts (no
     soundness) from the sequencer; a production deployment refuses them.
"""

MAX_JOURNAL: constant(uint256) = 32768
MAX_PROOF: constant(uint256) = 98304
MAX_DEPTH: constant(uint256) = 32
BACKEND_TRACE: constant(uint8) = 0
BACKEND_STARK: constant(uint8) = 1
TRACE_SEAL_SIZE: constant(uint256) = 34
VERIFY: constant(Bytes[4]) = method_id("verify(address,bytes,uint256)")


interface Air:
    def journal_root(journal: Bytes[MAX_JOURNAL]) -> (bytes32, uint256): view


event ProgramRegistered:
    program_id: indexed(bytes32)
    air: address


event SequencerChanged:
    sequencer: indexed(address)


event BatchVerified:
    index: indexed(uint256)
    journal_root: bytes32
    request_count: uint256
    backend: uint8
    security_bits: uint256
    l1_block: uint256


VERIFIER: public(immutable(address))
DEV_MODE: public(immutable(bool))
MIN_SECURITY_BITS: public(immutable(uint256))

owner: public(address)
sequencer: public(address)
programs: public(HashMap[bytes32, address])
# A batch takes two storage slots: its journal root, and the other fields packed into one word
# (request count << 88 | backend << 80 | security bits << 64 | L1 block); unpacked by batches().
batch_roots: HashMap[uint256, bytes32]
batch_facts: HashMap[uint256, uint256]
batch_count: public(uint256)


@deploy
def __init__(verifier: address, sequencer: address, dev_mode: bool, min_security_bits: uint256):
    VERIFIER = verifier
    DEV_MODE = dev_mode
    MIN_SECURITY_BITS = min_security_bits
    self.owner = msg.sender
    self.sequencer = sequencer
    log SequencerChanged(sequencer=sequencer)


@external
def register_program(program_id: bytes32, air: address):
    """@notice Owner only: bind a program id to the AIR contract that evaluates its constraints."""
    assert msg.sender == self.owner, "only the owner registers programs"
    assert air != empty(address), "AIR address is zero"
    assert self.programs[program_id] == empty(address), "program already registered"
    self.programs[program_id] = air
    log ProgramRegistered(program_id=program_id, air=air)


@external
def set_sequencer(sequencer: address):
    """@notice Owner only: hand the sequencer role to another address."""
    assert msg.sender == self.owner, "only the owner sets the sequencer"
    self.sequencer = sequencer
    log SequencerChanged(sequencer=sequencer)


@external
def submit_batch(index: uint256, backend: uint8, journal: Bytes[MAX_JOURNAL], seal: Bytes[MAX_PROOF]) -> bytes32:
    """
    @notice Sequencer only: verify and record batch `index` (the next one).
            `journal` is a single journal (a one-leaf tree) or a batch statement
            whose member journals the registered AIR contract turns into the tree.
    @return The batch's journal root.
    """
    assert msg.sender == self.sequencer, "only the sequencer submits batches"
    assert index == self.batch_count, "batch index is not the next one"
    assert len(journal) >= 32, "journal truncated"
    air: address = self.programs[convert(slice(journal, 0, 32), bytes32)]
    assert air != empty(address), "unknown program id"
    bits: uint256 = 0
    if backend == BACKEND_STARK:
        bits = self._verify(air, journal, seal)
        assert bits >= MIN_SECURITY_BITS, "proof is below the rollup's security level"
    else:
        assert backend == BACKEND_TRACE, "unknown backend"
        assert DEV_MODE, "Trace receipts are refused: this rollup is not in dev mode"
        assert len(seal) == TRACE_SEAL_SIZE and convert(slice(seal, 0, 1), uint256) == 1, "malformed Trace seal"
    root: bytes32 = empty(bytes32)
    count: uint256 = 0
    root, count = staticcall Air(air).journal_root(journal)
    assert count < 1 << 64 and bits < 1 << 16 and block.number < 1 << 64, "batch fields out of range"
    self.batch_roots[index] = root
    self.batch_facts[index] = (count << 88) | (convert(backend, uint256) << 80) | (bits << 64) | block.number
    self.batch_count = index + 1
    log BatchVerified(index=index, journal_root=root, request_count=count, backend=backend, security_bits=bits, l1_block=block.number)
    return root


@internal
@view
def _verify(air: address, journal: Bytes[MAX_JOURNAL], seal: Bytes[MAX_PROOF]) -> uint256:
    """@notice StarkVerifier.verify(air, journal, seal) with the seal encoded as `bytes` (its third word is the seal's offset)."""
    result: Bytes[32] = raw_call(VERIFIER, abi_encode(air, journal, seal, method_id=VERIFY), max_outsize=32, is_static_call=True)
    return convert(result, uint256)


@external
@view
def batches(index: uint256) -> (bytes32, uint64, uint8, uint16, uint64):
    """@notice (journal root, request count, backend, security bits, L1 block) of batch `index`; zeros if none."""
    facts: uint256 = self.batch_facts[index]
    return (
        self.batch_roots[index],
        convert(facts >> 88, uint64),
        convert((facts >> 80) & 255, uint8),
        convert((facts >> 64) & 65535, uint16),
        convert(facts & 18446744073709551615, uint64),
    )


@external
@view
def journal_in_batch(index: uint256, journal_hash: bytes32, position: uint256, path: DynArray[bytes32, MAX_DEPTH]) -> bool:
    """
    @notice True iff the journal with keccak256 `journal_hash` is leaf `position`
            of verified batch `index`'s journal tree (siblings in `path`, leaf level first).
    """
    if index >= self.batch_count:
        return False
    if position >> len(path) != 0:
        return False
    node: bytes32 = journal_hash
    at: uint256 = position
    for sibling: bytes32 in path:
        if at & 1 == 1:
            node = keccak256(concat(sibling, node))
        else:
            node = keccak256(concat(node, sibling))
        at >>= 1
    return node == self.batch_roots[index]
