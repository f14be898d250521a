"""Progress of long work on standard error: a bar on a terminal, plain lines otherwise.

A :class:`Steps` counts known stages (a build's parse, reason, validate, record, write; the
dumps of an export); each call names what is being done now. On a terminal that is a
rich progress bar (stage count, elapsed time) that disappears when the work is done;
otherwise (a log, a pipe, a test) it is one ``kg: STEP`` line per call, nothing else.

>>> import sys
>>> with steps("building", ["parse", "reason"], Console(file=sys.stdout)) as step:
...     step("parse")
...     step("parse data/beijing.ttl")
...     step("reason")
kg: parse
kg: parse data/beijing.ttl
kg: reason
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Step = Callable[[str], None]

BUILD_STAGES = ("parse", "reason", "validate", "record", "write")
CHECK_STAGES = BUILD_STAGES[:-1]


@contextmanager
def steps(what: str, stages: Sequence[str], console: Console | None = None,
          lines: bool = True) -> Iterator[Step]:
    """A callback for each step of the work. A call naming one of ``stages`` moves the bar
    on by one (the stage before it is done); any other call (``parse data/x.ttl``) only
    says what is being done. On a terminal the bar fills when the block ends; elsewhere
    each step is a line (none without ``lines``)."""
    err = console or Console(stderr=True)
    if not err.is_terminal:
        yield (lambda text: print(f"kg: {text}", file=err.file, flush=True)) if lines \
            else (lambda _text: None)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"{what}…", total=len(stages))
        seen: list[str] = []

        def step(text: str) -> None:
            if text in stages:
                bar.update(task, completed=len(seen))
                seen.append(text)
            bar.update(task, description=f"{what}: {text}")

        yield step
        bar.update(task, completed=len(stages))
