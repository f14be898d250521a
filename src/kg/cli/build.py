"""``kg build``, ``kg check``, ``kg stats``: the build service from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg import settings
from kg.rdf.jsonld import shorten
from kg.store import Build, Location

if TYPE_CHECKING:
    from rich.console import Console

    from kg.build import BuildReport

# rich, the build's modules and the progress display are imported by the commands that
# use them: ``add_location`` and ``current`` serve ``kg query`` too, which starts quickly.


def _err() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def register(sub: Any) -> None:
    """Add the build commands to the ``kg`` parser."""
    p = sub.add_parser("build", help="parse, validate, reason and load into a new store")
    add_location(p)
    p.add_argument("sources", nargs="*", type=Path, help="data files (default: curated data)")
    p.add_argument(
        "--pyshacl",
        action="store_true",
        help="also validate the curated files with pySHACL (as `kg check` always does)",
    )
    p.add_argument("--force", action="store_true",
                   help="build even when nothing changed since the current build")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("check", help="validate and reason; write nothing")
    p.add_argument("sources", nargs="*", type=Path)
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("stats", help="counts of the current build")
    add_location(p)
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_stats)


def add_location(p: argparse.ArgumentParser) -> None:
    """The ``--location`` option of every command that reads or writes a store.

    >>> p = argparse.ArgumentParser(prog="kg")
    >>> add_location(p)
    >>> p.parse_args(["--location", "var/kg"]).location
    PosixPath('var/kg')
    """
    p.add_argument(
        "--location",
        type=Path,
        default=None,
        help=f"store folder (default: ${settings.ENV_LOCATION} or ./var/kg)",
    )


def location(args: argparse.Namespace) -> Path:
    """The --location argument or the default.

    >>> location(argparse.Namespace(location="var/kg"))
    PosixPath('var/kg')
    """
    return Path(args.location) if args.location else settings.default_location()


def current(args: argparse.Namespace) -> Build:
    """The current build at --location; :class:`NotFoundError` when there is none.

    >>> current(argparse.Namespace(location="/nonexistent/kg"))
    Traceback (most recent call last):
      ...
    kg.errors.NotFoundError: no graph built at /nonexistent/kg: run `kg build` first
    """
    return Location(location(args)).require_current()


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build import reuse
    from kg.cli.progress import BUILD_STAGES, steps

    loc = location(args)
    same = None if args.force else reuse.unchanged(loc, args.sources or None, args.pyshacl)
    if same is not None:  # before the pipeline is even imported
        _err().print(f"[green]unchanged[/green]: build {same} is current at {loc} "
                   "(kg build --force builds anyway)")
        return 0
    from kg.build import build

    with steps("building", BUILD_STAGES) as step:
        report = build(loc, args.sources or None, on_step=step, reference=args.pyshacl,
                       force=args.force)
    if report.unchanged:  # made current meanwhile, by another build
        _err().print(f"[green]unchanged[/green]: build {report.build_id} is current at {loc}")
        return 0
    _summary(report, f"built {report.build_id} at {loc}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from kg.build import check
    from kg.cli.progress import CHECK_STAGES, steps

    with steps("checking", CHECK_STAGES) as step:
        report = check(args.sources or None, on_step=step)
    _summary(report, "check passed: valid (SHACL) and consistent (HermiT)")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from kg.cli.table import show

    manifest = current(args).manifest()
    if args.format == "json":
        print(json.dumps(manifest, indent=2, ensure_ascii=False))
        return 0
    print(f"build {manifest['id']} ({manifest['time']}), {manifest['triples']} triples")
    for title, column, counts in (("Triples per graph", "graph", manifest["graphs"]),
                                  ("Instances per class", "class", manifest["classes"])):
        show([column, "count"], [[shorten(k), str(n)] for k, n in counts.items()], title=title)
    return 0


def _summary(report: BuildReport, headline: str) -> None:
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items())
    reused = f"; reused: {', '.join(report.reused)}" if report.reused else ""
    _err().print(f"[green]{headline}[/green]: {report.triples} triples ({timings}){reused}")
