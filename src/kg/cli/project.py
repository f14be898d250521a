"""``kg init``: make a new project (a folder with a ``kg.toml``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from kg.gen import project

_err = Console(stderr=True)


def register(sub: Any) -> None:
    """Add ``kg init`` to the ``kg`` parser."""
    p = sub.add_parser("init", help="make a new, buildable project in a new or empty folder")
    p.add_argument("folder", type=Path, help="the project's folder (made if absent)")
    p.add_argument("--name", default=None,
                   help="the project's name (default: the folder's name)")
    p.set_defaults(func=cmd_init)


def cmd_init(args: argparse.Namespace) -> int:
    made = project.init(args.folder, args.name)
    _err.print(f"[green]made a project at {made}[/green]: next, `cd {args.folder}` and "
               "`kg build`, `kg query example`, `kg serve`")
    return 0
