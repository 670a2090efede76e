"""A thread-safe LRU receipt cache, bounded by entries and bytes, that bypasses itself when it does not pay.

Keys are :meth:`ProveRequest.cache_key`: a sha256 of the backend, program id,
the whole input and the proof options, so two different requests never share
an entry (the original design keyed on the first five trace states and
collided).  The cache times its own lookups and inserts; given a prove cost,
:meth:`ReceiptCache.consult` compares the recent hit rate with the break-even
rate (lookup + insert) / (prove + insert) and says whether consulting the
cache is worth it.  While bypassed, one request in ``probe_every`` still
consults it so the hit rate keeps being measured.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from prover.receipt import Receipt
from prover.service.request import ProveRequest

#: Bytes charged per entry on top of the receipt encoding (key, dict slot, objects).
ENTRY_OVERHEAD = 256


@dataclass(frozen=True)
class CacheStats:
    """Counters and measured costs of a :class:`ReceiptCache`."""

    hits: int
    misses: int
    evictions: int
    entries: int
    bytes: int
    bypassed: int
    recent_hit_rate: float
    lookup_s: float
    insert_s: float

    @property
    def lookups(self) -> int:
        return self.hits + self.misses

    @property
    def hit_rate(self) -> float:
        return self.hits / self.lookups if self.lookups else 0.0


def entry_size(receipt: Receipt) -> int:
    """Bytes charged for caching ``receipt``."""
    return len(receipt.seal) + 8 * (len(receipt.journal.inputs) + len(receipt.journal.outputs)) + 32 + ENTRY_OVERHEAD


class ReceiptCache:
    """LRU map from cache key to receipt with entry and byte bounds, stats and break-even bypass."""

    def __init__(
        self,
        max_entries: int = 4096,
        max_bytes: int = 64 * 1024 * 1024,
        window: int = 256,
        min_samples: int = 16,
        probe_every: int = 16,
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("cache bounds must be positive")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.min_samples = min_samples
        self.probe_every = max(1, probe_every)
        self._entries: OrderedDict[bytes, tuple[Receipt, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._recent: deque[bool] = deque(maxlen=window)
        self._recent_hits = 0  # hits among self._recent, kept in step so reading the rate is O(1)
        self._bytes = 0
        self._hits = self._misses = self._evictions = self._bypassed = 0
        self._skips = 0
        self._lookup_s: float | None = None
        self._insert_s: float | None = None

    # -- map ---------------------------------------------------------------
    def get(self, key: bytes) -> Receipt | None:
        """The receipt under ``key`` (now most recently used), or None; counts a hit or a miss."""
        with self._lock:
            item = self._entries.get(key)
            if item is None:
                self._misses += 1
                self._remember(False)
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            self._remember(True)
            return item[0]

    def put(self, key: bytes, receipt: Receipt) -> None:
        """Store ``receipt``, evicting least recently used entries to respect both bounds."""
        size = entry_size(receipt)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (receipt, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted
                self._evictions += 1

    def __contains__(self, key: bytes) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[bytes]:
        """Keys from least to most recently used."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Drop every entry and reset the statistics."""
        with self._lock:
            self._entries.clear()
            self._recent.clear()
            self._recent_hits = 0
            self._bytes = self._hits = self._misses = self._evictions = self._bypassed = self._skips = 0
            self._lookup_s = self._insert_s = None

    # -- timed request-level operations -----------------------------------
    def lookup(self, request: ProveRequest) -> tuple[bytes | None, Receipt | None]:
        """Key ``request`` and look it up, timing both; a malformed request gives (None, None) and is not counted."""
        t0 = time.perf_counter()
        key = request.cache_key()
        if key is None:
            return None, None
        receipt = self.get(key)
        self._record("_lookup_s", time.perf_counter() - t0)
        return key, receipt

    def insert(self, key: bytes, receipt: Receipt) -> None:
        """Timed :meth:`put`."""
        t0 = time.perf_counter()
        self.put(key, receipt)
        self._record("_insert_s", time.perf_counter() - t0)

    def record_costs(self, lookup_s: float, insert_s: float) -> None:
        """Fold externally measured per-request lookup and insert costs (batched paths) into the averages."""
        self._record("_lookup_s", lookup_s)
        self._record("_insert_s", insert_s)

    def _remember(self, hit: bool) -> None:
        """Append one lookup outcome to the window (caller holds the lock)."""
        if len(self._recent) == self._recent.maxlen and self._recent[0]:
            self._recent_hits -= 1
        self._recent.append(hit)
        self._recent_hits += hit

    def _record(self, name: str, seconds: float) -> None:
        old = getattr(self, name)
        setattr(self, name, seconds if old is None else 0.9 * old + 0.1 * seconds)

    # -- bypass ------------------------------------------------------------
    @property
    def lookup_s(self) -> float:
        """Measured cost of keying and looking up one request (seconds, moving average)."""
        return self._lookup_s or 0.0

    @property
    def insert_s(self) -> float:
        """Measured cost of storing one receipt (seconds, moving average)."""
        return self._insert_s or 0.0

    def recent(self) -> tuple[float, int]:
        """(hit rate over the last ``window`` lookups, lookups ever): what the scheduler reads before each plan."""
        with self._lock:
            return (self._recent_hits / len(self._recent) if self._recent else 0.0), self._hits + self._misses

    def recent_hit_rate(self) -> float:
        """Hit rate over the last ``window`` lookups."""
        with self._lock:
            return self._recent_hits / len(self._recent) if self._recent else 0.0

    def break_even(self, prove_s: float) -> float:
        """Hit rate above which consulting the cache saves time, from measured costs."""
        cost = self.lookup_s + self.insert_s
        return min(1.0, cost / (prove_s + self.insert_s)) if prove_s + self.insert_s > 0 else 1.0

    def worth_it(self, prove_s: float) -> bool:
        """True if the recent hit rate (or too few samples to judge) says consulting pays for ``prove_s``."""
        if len(self._recent) < self.min_samples or self._lookup_s is None:
            return True
        return self.recent_hit_rate() >= self.break_even(prove_s)

    def consult(self, prove_s: float) -> bool:
        """Whether the next request should use the cache: :meth:`worth_it`, or a periodic probe while bypassed."""
        if self.worth_it(prove_s):
            return True
        with self._lock:
            self._skips += 1
            if self._skips % self.probe_every == 0:
                return True
            self._bypassed += 1
            return False

    def stats(self) -> CacheStats:
        """A snapshot of the counters."""
        with self._lock:
            recent = self._recent_hits / len(self._recent) if self._recent else 0.0
            return CacheStats(
                self._hits,
                self._misses,
                self._evictions,
                len(self._entries),
                self._bytes,
                self._bypassed,
                recent,
                self.lookup_s,
                self.insert_s,
            )

    def consult_mask(self, n: int, prove_s: float) -> list[bool]:
        """Per-request consult decisions for a batch of ``n``: all True when worth it, else probes only."""
        if self.worth_it(prove_s):
            return [True] * n
        with self._lock:
            start = self._skips
            self._skips += n
            mask = [(start + i + 1) % self.probe_every == 0 for i in range(n)]
            self._bypassed += n - sum(mask)
            return mask

    def note_hit(self) -> None:
        """Count a hit served without a map lookup (a duplicate of an earlier request in the same batch)."""
        with self._lock:
            self._hits += 1
            self._remember(True)
