"""What goes to a worker and what comes back: a :class:`Job` and its :class:`Reply`.

>>> Reply(status=404, message="no entity").ok, Reply(body=b"x").ok
(False, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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

    @property
    def ok(self) -> bool:
        return self.status < 400
