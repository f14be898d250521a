"""``kg sparql``: ad hoc SPARQL over the current build."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pyoxigraph import QuerySolutions

from kg import sparql
from kg.cli.build import add_location, current
from kg.errors import UsageError
from kg.rdf.jsonld import shorten

FORMATS = ["table", "json", "xml", "csv", "tsv", "ttl", "nt", "nq", "trig", "rdf", "jsonld"]


def register(sub: Any) -> None:
    """Add ``kg sparql`` to the parser."""
    p = sub.add_parser("sparql", help="run a SPARQL query on the current build")
    p.add_argument("query", help="the query text, @FILE to read it from a file, or - for stdin")
    add_location(p)
    p.add_argument("--format", default="table", help=f"one of {', '.join(FORMATS)}")
    p.set_defaults(func=cmd_sparql)


def read_query(text: str) -> str:
    """The query text from an argument, a file (@FILE) or standard input (-)."""
    if text == "-":
        return sys.stdin.read()
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        return path.read_text("utf-8")
    return text


def cmd_sparql(args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise UsageError(f"unknown format {args.format!r}; use one of {', '.join(FORMATS)}")
    store = current(args).open()
    result = sparql.run(store, read_query(args.query))
    emit(result, args.format)
    return 0


def emit(result: sparql.Result, fmt: str,
         more: str = "warning: results truncated at the row cap") -> None:
    """Print a result as a terminal table or serialised in a format; ``more`` goes to
    standard error when the result is truncated."""
    if fmt == "table":
        print_table(result)
    else:
        sys.stdout.buffer.write(result.serialize(fmt))
        sys.stdout.flush()
    if result.truncated:
        print(f"kg: {more}", file=sys.stderr)


def print_table(result: sparql.Result) -> None:
    """SELECT results as a table of prefixed names and plain values (wrapped on a terminal,
    whole otherwise: :func:`kg.cli.table.show`); yes or no for ASK; Turtle for graphs."""
    if result.kind == "ask":
        print("yes" if bool(result.value) else "no")
        return
    if result.kind == "graph":
        sys.stdout.write(result.serialize("ttl").decode("utf-8"))
        return
    from kg.cli.table import show  # rich, for tables only

    assert isinstance(result.value, QuerySolutions)
    names = [v.value for v in result.value.variables]
    show(names, [[short(row[n]) for n in names] for row in result.value])


def short(term: Any) -> str:
    """A term as people read it: prefixed names, plain literal values.

    >>> from pyoxigraph import NamedNode, Literal
    >>> short(NamedNode("https://w3id.org/future-industries/id/region/beijing"))
    'id:region/beijing'
    >>> short(Literal("北京", language="zh"))
    '北京@zh'
    >>> short(None)
    ''
    """
    if term is None:
        return ""
    value = str(term.value)
    if type(term).__name__ == "NamedNode":
        return shorten(value)
    lang = getattr(term, "language", None)
    return f"{value}@{lang}" if lang else value
