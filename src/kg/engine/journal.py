"""The journal of writes applied to a build: one JSON line per write, beside its store;
its line count is the build's revision.

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> journal(folder, {"update": "CLEAR ALL"}); revision(Path(folder))
1
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

JOURNAL = "updates.jsonl"


def journal(build: str, entry: dict[str, Any]) -> None:
    """Append one applied write to the build's journal."""
    line = json.dumps({"time": time.time(), **entry}, ensure_ascii=False)
    with open(Path(build) / JOURNAL, "a", encoding="utf-8") as fh:
        fh.write(line.replace("\n", " ") + "\n")


def revision(build: Path) -> int:
    """Writes applied to a build so far (0 without a journal)."""
    try:
        with (build / JOURNAL).open("rb") as fh:
            return sum(1 for _ in fh)
    except FileNotFoundError:
        return 0
