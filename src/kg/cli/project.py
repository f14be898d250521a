"""``kg init``: make a new project; ``kg coverage``: what of each source the facts cover."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from kg.build import coverage
from kg.errors import ExitCode, UsageError
from kg.gen import project

_err = Console(stderr=True)


def register(sub: Any) -> None:
    """Add ``kg init`` and ``kg coverage`` to the ``kg`` parser."""
    p = sub.add_parser("init", help="make a new, buildable project in a new or empty folder")
    p.add_argument("folder", type=Path, help="the project's folder (made if absent)")
    p.add_argument("--name", default=None,
                   help="the project's name (default: the folder's name)")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("coverage", help="which clauses of each source the facts cover")
    p.add_argument("source", nargs="?", default=None,
                   help="one source: its name (article), IRI or text file (default: all)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--all", action="store_true",
                   help="list every clause (default: the open ones)")
    p.add_argument("--fail-under", type=float, default=None, metavar="PCT",
                   help="exit with code 4 when a source is less than PCT %% covered or marked")
    p.set_defaults(func=cmd_coverage)


def cmd_init(args: argparse.Namespace) -> int:
    made = project.init(args.folder, args.name)
    _err.print(f"[green]made a project at {made}[/green]: next, `cd {args.folder}` and "
               "`kg build`, `kg query example`, `kg serve`")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise UsageError(f"--fail-under {args.fail_under:g}: a percentage from 0 to 100")
    found, located = coverage.of_project(args.source)
    if args.format == "json":
        print(json.dumps({iri: c.figures() | {"clauses": [_clause(x) for x in c.clauses]}
                          for iri, c in found.items()}, ensure_ascii=False, indent=2))
    else:
        _tables(found, args.all)
    for problem in located.missing:
        _err.print(f"[yellow]not located[/yellow]: {problem}")
    under = [c for c in found.values() if args.fail_under is not None
             and c.percent < args.fail_under]
    return ExitCode.INVALID_DATA if under else ExitCode.OK


def _clause(c: coverage.Clause) -> dict[str, Any]:
    return {"start": c.start, "end": c.end, "sentence": c.sentence, "text": c.text,
            "state": c.state} | ({"reason": c.reason} if c.reason else {})


def _tables(found: dict[str, coverage.Coverage], every: bool) -> None:
    out = Console()
    for iri, c in found.items():
        f = c.figures()
        out.print(f"{iri}: {f['clauses']} clauses, {f['covered']} covered, "
                  f"{f['out_of_scope']} out of scope, {f['open']} open: "
                  f"{c.percent:.1f} % covered or marked")
        for mark in c.stale:
            out.print(f"[yellow]stale mark[/yellow] (its text is not in the source): "
                      f"{mark.text!r} (line {mark.line})")
        shown = [x for x in c.clauses if every or x.state == "open"]
        if not shown:
            continue
        table = Table(show_lines=False)
        for name, justify in (("offsets", "right"), ("state", "left"), ("clause", "left")):
            table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for x in shown:
            state = x.state + (f": {x.reason}" if x.reason else "")
            table.add_row(f"{x.start}–{x.end}", state, x.text)
        out.print(table)
