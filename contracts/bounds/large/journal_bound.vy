# pragma version ~=0.4.3
"""
@title The longest statement the general verifier deployment takes
@notice 32 KB: a calldata-mode batch statement lists every member's journal.
        Compiled in when contracts/bounds/large/ is on the search path (the
        default, contracts/compiler.py); contracts/bounds/single/ holds the
        bound of the deployment for single-program journals.
"""

MAX_JOURNAL: constant(uint256) = 32768
