"""docs/queries.md, generated from the query headers.

Regenerate with ``kg docs`` (or ``python -m kg.gen.queries_doc``); ``--check``
fails when the checked-in file is stale.

>>> from kg.catalogue.registry import Catalogue
>>> text = render(Catalogue.load())
>>> text.startswith("# Packaged questions")
True
"""

from __future__ import annotations

import sys
from pathlib import Path

from kg import settings
from kg.catalogue.query import StoredQuery
from kg.catalogue.registry import Catalogue
from kg.errors import KgError
from kg.settings import DEFAULT_PAGE_SIZE

DOC_PATH = Path("docs") / "queries.md"
REGENERATE = "kg docs"

_INTRO = """# Packaged questions

Generated from the headers of `queries/*.rq` by `{regenerate}` (or
`python -m kg.gen.queries_doc`): do not edit by hand.
The header format is described in [queries-format.md](queries-format.md).

Run a question with `kg query NAME [--param NAME=VALUE …] [--lang zh|en]`, over HTTP at
`/queries/NAME`, or in the web UI. Parameters are bound as RDF terms (never spliced
into the SPARQL text); region and sector parameters take a slug (`shandong`, `6g`) or a
full IRI, and the values allowed are those in the graph.

Answers come a page at a time: {page_size} rows by default, the next page with
`kg query … --offset N` or `/queries/NAME?offset=N` (the response links it: `Link: <…>;
rel="next"`; a question paged by key links it by an `after` token, `--after TOKEN` /
`after=TOKEN`, as quick as the first), another size with `--limit N` / `limit=N`,
every row up to the row cap with `--limit all` / `limit=all`
([queries-format.md](queries-format.md#pages)).

| question | 问题 | parameters | view |
|---|---|---|---|
"""


_FEDERATED = (
    "Federated: the SERVICE block ({targets}) is answered by that endpoint, which must be "
    "on the allow-list (`kg.settings.ALLOWED_SERVICES`, widened only by `kg query "
    "--allow-service` or `kg serve --allow-service`), with a timeout; needs the network."
)


def render(catalogue: Catalogue) -> str:
    """The whole Markdown document."""
    parts = [_INTRO.format(regenerate=REGENERATE, page_size=DEFAULT_PAGE_SIZE)]
    for q in catalogue.queries():
        params = ", ".join(f"`{p.name}`" for p in q.params) or "—"
        parts.append(f"| [{q.title['en']}](#{q.name}) | {q.title['zh']} | {params} | {q.view} |\n")
    for q in catalogue.queries():
        parts.append(_section(q))
    return "".join(parts)


def _section(q: StoredQuery) -> str:
    lines = [
        "",
        f'<a id="{q.name}"></a>',
        f"## {q.title['en']} — {q.title['zh']}",
        "",
        f"`{q.name}` · view: {_view(q)} · tags: {', '.join(q.tags) or '—'}",
        "",
        q.description,
        "",
    ]
    if q.description_zh:
        lines += [q.description_zh, ""]
    if q.federated:
        lines += [_FEDERATED.format(targets=", ".join(f"`{t}`" for t in q.services)), ""]
    lines += _params(q)
    lines += ["```sh", _example(q), "```", "", "```sparql", q.text.rstrip(), "```", ""]
    return "\n".join(lines)


def _view(q: StoredQuery) -> str:
    options = " ".join(f"{k}={v}" for k, v in q.view_options.items())
    return f"{q.view} ({options})" if options else q.view


def _params(q: StoredQuery) -> list[str]:
    if not q.params:
        return ["No parameters.", ""]
    rows = ["| parameter | type | required | default | example | description |",
            "|---|---|---|---|---|---|"]
    for p in q.params:
        rows.append(
            f"| `{p.name}` | {p.type} | {'yes' if p.required else 'no'} | "
            f"{_cell(p.default)} | {_cell(p.example)} | {p.description} |"
        )
    return [*rows, ""]


def _cell(value: str | None) -> str:
    return f"`{value}`" if value else "—"


def _example(q: StoredQuery) -> str:
    args = [f"kg query {q.name}"]
    args += [f"--param {p.name}={p.example}" for p in q.params if p.example and p.type != "lang"]
    if q.param("lang"):
        args.append("--lang zh")
    return " ".join(args)


def path() -> Path:
    """Where the generated file lives in the checkout."""
    return settings.resources().root / DOC_PATH


def write() -> Path:
    """Regenerate docs/queries.md; return its path."""
    target = path()
    target.write_text(render(Catalogue.load()), "utf-8")
    return target


def check() -> None:
    """Raise KgError when docs/queries.md differs from what the headers generate."""
    target = path()
    current = target.read_text("utf-8") if target.is_file() else ""
    if current != render(Catalogue.load()):
        raise KgError(f"{DOC_PATH} is stale: regenerate it with `{REGENERATE}`")


def main(argv: list[str] | None = None) -> int:
    """``python -m kg.gen.queries_doc [--check]``."""
    args = sys.argv[1:] if argv is None else argv
    try:
        if "--check" in args:
            check()
        else:
            print(f"wrote {write()}")
    except KgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
