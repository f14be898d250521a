"""Reading what another server sends within a size cap and a deadline: the one loop that
every answer or download from elsewhere goes through (a SPARQL answer, a backend's answer,
a file to import).

>>> import time
>>> b"".join(read_within([b"ab", b"c"], "GET x:", 3, time.monotonic() + 9, 9))
b'abc'
>>> list(read_within([b"ab", b"cd"], "GET x:", 3, time.monotonic() + 9, 9))
Traceback (most recent call last):
  ...
kg.errors.RemoteError: GET x: larger than 3 bytes
>>> list(read_within([b"ab"], "http://e/sparql: answer", 3, time.monotonic() - 1, 60))
Traceback (most recent call last):
  ...
kg.errors.RemoteError: http://e/sparql: answer took longer than 60 s
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from kg.errors import RemoteError


def read_within(chunks: Iterable[bytes], what: str, max_bytes: int, deadline: float,
                seconds: float) -> Iterator[bytes]:
    """The chunks, until more than ``max_bytes`` came or the clock passed ``deadline``
    (``time.monotonic()``; ``seconds`` is how long that was, for the message): then a
    :class:`RemoteError` that begins with ``what``."""
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise RemoteError(f"{what} larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise RemoteError(f"{what} took longer than {seconds:g} s")
        yield chunk
