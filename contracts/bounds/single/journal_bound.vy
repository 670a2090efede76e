# pragma version ~=0.4.3
"""
@title The longest statement the single-journal verifier deployment takes
@notice 1,064 bytes, the longest single-program journal (64 inputs and 64
        outputs, journal.MAX_SINGLE_JOURNAL); root-only batch statements (80
        bytes) fit too.  Vyper sizes every frame that holds a journal by this
        bound and memory expansion is quadratic in the highest address, so the
        same verifier compiled with it costs ~60K less gas per verification.
        The rollup sends every statement that fits to this deployment.
"""

MAX_JOURNAL: constant(uint256) = 1064
