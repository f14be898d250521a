"""Tables on standard output: wrapped on a terminal, plain and whole otherwise.

On a terminal a table is drawn with rich, its cells wrapped (``fold``) to the terminal's
width, never cut with an ellipsis. When standard output is a file or a pipe, it is printed
as plain columns, two spaces apart, every value whole, whatever its length: a script or
``less`` gets the full text (``--format tsv`` or ``csv`` for machine reading).

>>> show(["name", "title"], [["regions-targeting-sectors", "Regions that target both"]])
name                       title
regions-targeting-sectors  Regions that target both
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len

if TYPE_CHECKING:
    from rich.console import Console


def show(headers: Sequence[str], rows: Sequence[Sequence[str]],
         console: Console | None = None, title: str | None = None) -> None:
    """Print a table: rich and wrapped on a terminal, :func:`plain` otherwise (a pipe or a
    file is told without importing rich's console: ``kg query`` in a script starts
    sooner)."""
    if console is None and _piped():
        print(plain(headers, rows, title), flush=True)
        return
    from rich.console import Console
    from rich.table import Table

    out = console or Console()
    if not out.is_terminal:
        print(plain(headers, rows, title), flush=True)
        return
    table = Table(title=title)
    for name in headers:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    out.print(table)


def plain(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None) -> str:
    """Columns padded to their widest cell (wide CJK characters count twice), no cut.

    >>> print(plain(["region", "n"], [["北京", "12"], ["Shandong", "3"]]))
    region    n
    北京      12
    Shandong  3
    >>> plain([], [])
    ''
    """
    lines = [list(headers), *(list(row) for row in rows)]
    if not headers:
        return title or ""
    widths = [max(cell_len(line[i]) for line in lines) for i in range(len(headers))]
    text = ["  ".join(_pad(cell, w) for cell, w in zip(line, widths, strict=True)).rstrip()
            for line in lines]
    return "\n".join([title, *text] if title else text)


def _piped() -> bool:
    """Standard output is no terminal, and no variable tells rich to treat it as one."""
    if any(os.environ.get(name) for name in ("FORCE_TERMINAL", "TTY_COMPATIBLE",
                                             "TTY_INTERACTIVE")):
        return False
    try:
        return not sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False


def _pad(cell: str, width: int) -> str:
    return cell + " " * (width - cell_len(cell))
