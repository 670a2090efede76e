# pragma version ~=0.4.3
# Keeps a proof's bytes in contract storage: what "storing a proof on L1" costs, per 32-byte word.

MAX_CHUNK: constant(uint256) = 16384

chunks: public(HashMap[uint256, Bytes[MAX_CHUNK]])


@external
def store(key: uint256, data: Bytes[MAX_CHUNK]):
    """Write `data` into fresh storage slots (one length slot plus one slot per 32 bytes)."""
    self.chunks[key] = data
