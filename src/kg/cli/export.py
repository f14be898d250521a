"""``kg export``, ``kg import``, ``kg import-divisions``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from kg import settings
from kg.build import ingest
from kg.cli.build import add_location, current, location
from kg.cli.progress import steps
from kg.errors import UsageError
from kg.gen import divisions
from kg.rdf import export, formats

_err = Console(stderr=True)


def register(sub: Any) -> None:
    """Add the linked-data commands to the ``kg`` parser."""
    p = sub.add_parser("export", help="write the dataset or one graph as RDF")
    add_location(p)
    p.add_argument("--format", help=f"one of {', '.join(formats.EXPORTS)} "
                   "(default: nq for all graphs, ttl for one)")
    p.add_argument("--graph", default=export.ALL, help="short graph name (e.g. links, "
                   "data/beijing, inferred) or 'all' (default)")
    p.add_argument("--output", type=Path, help="file to write (default: standard output)")
    p.add_argument("--all-formats", action="store_true",
                   help="write every dump and a SHA256SUMS file into --output-dir")
    p.add_argument("--output-dir", type=Path, help="folder for --all-formats")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("import", help="load another RDF dataset into its own named graph")
    add_location(p)
    p.add_argument("source", help="an RDF file or an http(s) URL")
    p.add_argument("--graph", required=True, help="short graph name, e.g. external/NAME")
    p.add_argument("--format", help="RDF format (default: from the extension or media type)")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("import-divisions",
                       help="import China's administrative divisions (GB/T 2260, from cpca)")
    add_location(p)
    p.add_argument("--from-package", action="store_true",
                   help="convert the installed cpca package's file instead of the shipped one")
    p.set_defaults(func=cmd_import_divisions)


def cmd_export(args: argparse.Namespace) -> int:
    store = current(args).open()
    if args.all_formats:
        if args.output_dir is None:
            raise UsageError("--all-formats needs --output-dir DIR")
        graphs = export.graph_names(store)
        jobs = [export.filename(*job) for job in export.dump_jobs(graphs)]
        with steps("exporting", jobs) as step:
            dumps = export.write_all(store, args.output_dir, graphs, on_dump=step)
        for d in dumps:
            _err.print(f"{d.filename}  {d.size} bytes  sha256 {d.sha256[:16]}…")
        _err.print(f"[green]{len(dumps)} dumps and {export.CHECKSUMS} in {args.output_dir}")
        return 0
    fmt = args.format or ("nq" if args.graph == export.ALL else "ttl")
    with steps("exporting", ["dump"], lines=False) as step:
        step("dump")
        data = export.dump(store, fmt, args.graph)
    if args.output:
        args.output.write_bytes(data)
        _err.print(f"wrote {len(data)} bytes to {args.output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    return _import(args, args.source, args.graph, args.format)


def cmd_import_divisions(args: argparse.Namespace) -> int:
    if not args.from_package:
        return _import(args, str(settings.divisions_path()), settings.DIVISIONS_GRAPH)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cn-admin-divisions.ttl"
        divisions.generate(path, None)
        return _import(args, str(path), settings.DIVISIONS_GRAPH)


def _import(args: argparse.Namespace, source: str, graph: str, fmt: str | None = None) -> int:
    report = ingest.import_rdf(location(args), source, graph, fmt)
    _err.print(f"[green]imported {report.triples} triples into graph {report.graph}[/green]: "
               f"build {report.build_id} (from {report.previous})")
    return 0

