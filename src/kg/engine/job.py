"""What goes to a worker and what comes back: a :class:`Job` and its :class:`Reply`.

>>> Reply(status=404, message="no entity").ok, Reply(body=b"x").ok
(False, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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
