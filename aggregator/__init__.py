"""Batching: one STARK for many executions, whose AIR binds every member journal.

This is batching of executions into one proof with a Merkle tree of
journals, not proof recursion.
"""

from aggregator.air import BATCH_ID, BatchAir
from aggregator.batch import BatchReceipt, DAMode, execute_members, prove_batch, verify_batch
from aggregator.journal_tree import InclusionError, inclusion_proof, journal_root, verify_inclusion
from aggregator.statement import MAX_BATCH_MEMBERS, BatchStatement

__all__ = [
    "BATCH_ID",
    "MAX_BATCH_MEMBERS",
    "BatchAir",
    "BatchReceipt",
    "BatchStatement",
    "DAMode",
    "InclusionError",
    "execute_members",
    "inclusion_proof",
    "journal_root",
    "prove_batch",
    "verify_batch",
    "verify_inclusion",
]
