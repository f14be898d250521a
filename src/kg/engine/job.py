"""What goes to a worker and what comes back: a :class:`Job` and its :class:`Reply`; and
the clock both sides read a worker's CPU time on (:func:`cpu_seconds`).

>>> Reply(status=404, message="no entity").ok, Reply(body=b"x").ok
(False, True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

_TICKS = os.sysconf("SC_CLK_TCK")

# Who a task is for, so that the worker pool can keep workers for one kind of work:
# "packaged" (packaged questions, entity and ontology pages, the UI's data, the server's own
# figures: work this project wrote) and "adhoc" (work whose size the client decides: /sparql
# queries, Graph Store reads, dumps). See kg.engine.pool.
Lane = Literal["packaged", "adhoc"]
PACKAGED: Lane = "packaged"
ADHOC: Lane = "adhoc"


@dataclass(frozen=True)
class Job:
    """One unit of work: a task by name, the build it must see, its arguments."""

    task: str
    build: str  # the build's folder
    revision: int  # updates applied to that build so far
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reply:
    """What a task gives back: a serialised body or plain data, or an error."""

    status: int = 200
    body: bytes = b""
    media_type: str = ""
    truncated: bool = False
    data: Any = None
    message: str = ""
    after: str | None = None  # the next page's token, when the answer is paged by key

    @property
    def ok(self) -> bool:
        return self.status < 400


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system, every thread) a process has used; None when unknown. The
    server reads a worker's, and a worker its own, on this one clock (``/proc``).

    >>> (cpu_seconds(os.getpid()) or 0) > 0, cpu_seconds(None)
    (True, None)
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return None
