"""``kg queries``, ``kg query NAME``, ``kg docs``: the question catalogue from the command line.

>>> parse_params(["region=zhejiang", "text=a=b"])
{'region': 'zhejiang', 'text': 'a=b'}
>>> parse_params(["oops"])
Traceback (most recent call last):
  ...
kg.errors.UsageError: --param expects NAME=VALUE, got 'oops'
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kg import settings
from kg.catalogue import DEFAULT_PAGE_SIZE, Catalogue, Page, Paged, StoredQuery, answer
from kg.cli.build import add_location, current
from kg.cli.query import emit
from kg.errors import UsageError
from kg.sparql import Result

FORMATS = ["table", "json", "csv", "tsv", "xml"]


def register(sub: Any) -> None:
    """Add ``kg queries``, ``kg query`` and ``kg docs`` to the parser."""
    p = sub.add_parser("queries", help="list the packaged questions")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--lang", choices=settings.LANGS, default="en", help="language of the titles")
    p.set_defaults(func=cmd_queries)
    p = sub.add_parser("query", help="run a packaged question on the current build")
    p.add_argument("name", help="the question's name (see `kg queries`)")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value (repeatable)")
    p.add_argument("--format", default="table", help=f"one of {', '.join(FORMATS)}")
    p.add_argument("--lang", choices=settings.LANGS, default=None,
                   help="language of labels, for questions with a lang parameter")
    add_location(p)
    p.add_argument("--limit", default=None, metavar="N|all",
                   help=f"rows per page (default {DEFAULT_PAGE_SIZE}); all: every row up to "
                        "the row cap")
    p.add_argument("--offset", default=None, metavar="N",
                   help="rows to skip: the page that starts there (default 0)")
    p.add_argument("--after", default=None, metavar="TOKEN",
                   help="the page after the one that printed this token (questions paged "
                        "by key: faster than --offset far into a long answer)")
    p.add_argument("--show", action="store_true", help="print the SPARQL and its parameters")
    p.add_argument("--evidence", action="store_true",
                   help="add the facts, reasons, quotes and evidence links of each row")
    p.add_argument("--endpoint", default=None, help="run on a remote SPARQL endpoint URL instead")
    add_remote(p)
    p.set_defaults(func=cmd_query)
    p = sub.add_parser("federated", help="list the federated questions, or run one "
                       "(like kg query: SERVICE to Wikidata)")
    add_location(p)
    p.add_argument("name", nargs="?", help="question name (omit to list them)")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--format", default="table", help=f"one of {', '.join(FORMATS)}")
    p.add_argument("--endpoint", default=None, help="run the rest on a remote SPARQL endpoint")
    add_remote(p)
    p.set_defaults(func=cmd_federated)
    p = sub.add_parser("docs", help="regenerate docs/queries.md and docs/ontology.md")
    p.add_argument("--check", action="store_true", help="fail if a generated page is stale")
    p.set_defaults(func=cmd_docs)


def add_remote(p: argparse.ArgumentParser) -> None:
    """The options of questions that ask other endpoints (one name for each)."""
    p.add_argument("--allow-service", "--allow", dest="allow_service", action="append",
                   default=[], metavar="IRI",
                   help="federated questions: also allow SERVICE to this endpoint (repeatable)")
    p.add_argument("--timeout", type=float, default=settings.REMOTE_TIMEOUT_S,
                   help="seconds allowed to each remote request (--endpoint, SERVICE)")


def cmd_federated(args: argparse.Namespace) -> int:
    """``kg federated``: the federated questions, or ``kg query`` on one of them."""
    catalogue = Catalogue.load()
    if not args.name:
        for query in catalogue.federated():
            print(f"{query.name}\t{query.title['en']}")
        return 0
    query = catalogue.get(args.name)
    if not query.federated:
        names = ", ".join(q.name for q in catalogue.federated())
        raise UsageError(f"{args.name!r} is not a federated question; federated: {names}")
    emit(execute(args, query, parse_params(args.param)), args.format)
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from kg.cli.table import show

    catalogue = Catalogue.load()
    if args.format == "json":
        print(json.dumps(catalogue.to_json(), indent=2, ensure_ascii=False))
        return 0
    rows = [[query.name, query.title[args.lang],
             ", ".join(p.name + ("" if p.required else "?") for p in query.params), query.view]
            for query in catalogue.queries()]
    show(["name", "title", "parameters", "view"], rows)
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise UsageError(f"unknown format {args.format!r}; use one of {', '.join(FORMATS)}")
    query = Catalogue.question(args.name)
    raw = parse_params(args.param)
    if args.lang and query.param("lang") is not None:
        raw.setdefault("lang", args.lang)
    page = Page.parse(args.limit, args.offset, args.after)
    page = page.capped(settings.DEFAULT_ROW_CAP) if page else None
    if args.show:
        print(describe(query))
        return 0
    result = execute(args, query, raw, None if query.federated else page)
    emit(result, args.format, more_rows(result))
    return 0


def more_rows(result: Result) -> str:
    """What to say when a result is truncated: how to get the next page, or the row cap.

    >>> from pyoxigraph import Store
    >>> more_rows(Page(100, 200).cut(Result("select", Store().query("SELECT * {}"))))
    'more rows: 201-300 shown; next page: --offset 300 (every row: --limit all)'

    A question paged by key names its next page by the token of where it starts
    (``--after TOKEN``), which the command-line takes as the server does.
    """
    if not isinstance(result, Paged):
        return "warning: results truncated at the row cap"
    first, last = result.page.offset + 1, result.page.offset + result.page.size
    step = f"--after {result.after.token()}" if result.after else f"--offset {last}"
    size = "" if result.page.size == DEFAULT_PAGE_SIZE else f" --limit {result.page.size}"
    return (f"more rows: {first}-{last} shown; next page: {step}{size} "
            "(every row: --limit all)")


def execute(args: argparse.Namespace, query: StoredQuery, raw: dict[str, str],
            page: Page | None = None) -> Result:
    """Answer the question where the options say (the current build, or ``--endpoint``),
    through :func:`kg.catalogue.answer`: one page, or (no page) every row up to the row cap.

    With ``--evidence``, each row also carries the facts it rests on (four columns, see
    docs/queries-format.md "Evidence"). Federated questions answer their SERVICE blocks to
    allowed endpoints only (settings.ALLOWED_SERVICES and ``--allow-service``), within
    ``--timeout``.
    """
    if args.endpoint:
        from kg.remote.endpoint import RemoteEndpoint  # an HTTP client, when asked for

        target: Any = RemoteEndpoint(args.endpoint, timeout=args.timeout)
    else:
        target = current(args).open()
    allowed = settings.ALLOWED_SERVICES | frozenset(args.allow_service)
    return answer(target, query, raw, page=page, allowed_services=allowed,
                  timeout=args.timeout, evidence=getattr(args, "evidence", False))


def parse_params(items: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` strings into a dict; a name given twice is an error."""
    raw: dict[str, str] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise UsageError(f"--param expects NAME=VALUE, got {item!r}")
        if name in raw:
            raise UsageError(f"parameter {name!r} given twice")
        raw[name] = value
    return raw


def describe(query: StoredQuery) -> str:
    """A query's title, parameters and SPARQL, as text."""
    lines = [f"{query.name}: {query.title['en']} / {query.title['zh']}", ""]
    for p in query.params:
        need = "required" if p.required else "optional"
        lines.append(f"  {p.name} ({p.type}, {need}, default {p.default or '-'}): {p.description}")
    return "\n".join([*lines, "", query.text])


def cmd_docs(args: argparse.Namespace) -> int:
    from kg.gen import ontology_doc
    from kg.gen import queries_doc as catalogue_docs

    for generated in (catalogue_docs, ontology_doc):
        if args.check:
            generated.check()
            print(f"{generated.DOC_PATH} is up to date", file=sys.stderr)
        else:
            print(f"wrote {generated.write()}", file=sys.stderr)
    return 0
