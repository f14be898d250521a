"""An in-process LRU cache of serialised responses.

A build never changes once published (and every write bumps the revision in
the key), so a response keyed by (build, revision, request variant) stays
right for as long as that build is current: no invalidation is needed.

>>> c = LruCache(entries=2, max_bytes=100)
>>> c.put(("b1", "q1"), Entry(b"abc", "text/csv"))
>>> c.get(("b1", "q1")).body, c.get(("b1", "q2"))
(b'abc', None)
>>> c.put(("b1", "q2"), Entry(b"d", "text/csv")); c.put(("b1", "q3"), Entry(b"e", "text/csv"))
>>> c.get(("b1", "q1")) is None, len(c)
(True, 2)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One cached response body and what the client needs to know about it."""

    body: bytes
    media_type: str
    truncated: bool = False
    after: str | None = None  # the next page's token (kg.catalogue.paging.Key), if any


class LruCache:
    """Least-recently-used eviction by entry count and by total bytes."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        self._data: OrderedDict[Hashable, Entry] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable) -> Entry | None:
        entry = self._data.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._data.move_to_end(key)
        return entry

    def put(self, key: Hashable, entry: Entry) -> None:
        """Keep an entry unless it alone is bigger than a tenth of the budget."""
        if len(entry.body) > self.max_bytes // 10 or self.entries <= 0:
            return
        old = self._data.pop(key, None)
        self._bytes -= len(old.body) if old else 0
        self._data[key] = entry
        self._bytes += len(entry.body)
        while len(self._data) > self.entries or self._bytes > self.max_bytes:
            _, dropped = self._data.popitem(last=False)
            self._bytes -= len(dropped.body)

    def stats(self) -> dict[str, int]:
        """Entries, bytes, hits and misses (for /health)."""
        return {"entries": len(self._data), "bytes": self._bytes, "hits": self.hits,
                "misses": self.misses}
