"""``kg release``, ``kg releases``, ``kg diff``: versions of the graph and what changed.

>>> p = argparse.ArgumentParser(prog="kg")
>>> register(p.add_subparsers())
>>> p.parse_args(["diff", "1.0", "current", "--format", "trig"]).format
'trig'
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from kg.cli.build import add_location, location
from kg.cli.table import show
from kg.rdf import diff, formats
from kg.rdf.dcat import release_iri
from kg.store import Location

_err = Console(stderr=True)


def register(sub: Any) -> None:
    """Add the release commands to the ``kg`` parser."""
    p = sub.add_parser("release", help="give the current build (or --build ID) a version, "
                       "for good")
    p.add_argument("release_version", metavar="VERSION",  # not "version": kg --version
                   help="the version, e.g. 1.0.0 (letters, digits, . - _)")
    p.add_argument("--build", default=None, metavar="ID", help="this build instead of the "
                   "current one")
    add_location(p)
    p.set_defaults(func=cmd_release)
    p = sub.add_parser("releases", help="list the releases")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_location(p)
    p.set_defaults(func=cmd_releases)
    p = sub.add_parser("diff", help="facts added, removed and changed between two builds")
    p.add_argument("old", help="a release version or build id (current: the current build)")
    p.add_argument("new", help="a release version or build id (current: the current build)")
    p.add_argument("--format", choices=formats.DIFF_FORMATS, default="md",
                   help="md: Markdown by entity (default); trig, nq: the patch, named "
                        "graphs diff:added and diff:removed")
    p.add_argument("--output", type=Path, help="file to write (default: standard output)")
    add_location(p)
    p.set_defaults(func=cmd_diff)


def cmd_release(args: argparse.Namespace) -> int:
    loc = Location(location(args))
    build = loc.build(args.build) if args.build else loc.require_current()
    made = loc.release(args.release_version, build, datetime.now(UTC).isoformat(timespec="seconds"))
    after = f", after {made.previous}" if made.previous else ""
    _err.print(f"[green]released {made.version}[/green]: build {made.build}{after}; "
               f"{release_iri(made.version).value}")
    return 0


def cmd_releases(args: argparse.Namespace) -> int:
    releases = Location(location(args)).releases()
    if args.format == "json":
        print(json.dumps([r.as_json() | {"iri": release_iri(r.version).value}
                          for r in releases], indent=2))
        return 0
    show(["version", "build", "time", "previous"],
         [[r.version, r.build, r.time, r.previous or ""] for r in releases])
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    found = diff.compare(Location(location(args)), args.old, args.new)
    data = diff.render(found, args.format)
    n = diff.counts(found.entities)
    if args.output:
        args.output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    print(f"kg: {n['added']} added, {n['removed']} removed, {n['changed']} changed in "
          f"{n['entities']} entities ({found.old_build} → {found.new_build})", file=sys.stderr)
    return 0
