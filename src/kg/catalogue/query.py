"""One packaged query: its header, its SPARQL, and binding raw parameters.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "years.rq"
>>> _ = path.write_text('''# title@en: Years
... # title@zh: 年份
... # description@en: Echo a year.
... # param: year type=year default=2025 — the year
... # view: table
... SELECT ?year WHERE {}
... ''')
>>> q = StoredQuery.from_file(path)
>>> q.name, q.title["zh"], [p.name for p in q.params]
('years', '年份', ['year'])
>>> from pyoxigraph import Store
>>> q.bind({}, Store())
{<Variable value=year>: <Literal value=2025 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>}
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Store, Variable

from kg import sparql
from kg.catalogue import header as hdr
from kg.catalogue.params import Param, parse_param
from kg.catalogue.values import convert, convert_list
from kg.errors import CatalogueError, UsageError
from kg.sparql import Queryable, Term
from kg.sparql.syntax import fill_values
from kg.vocab import DATA_LICENSE

VIEWS: dict[str, tuple[str, ...]] = {
    "table": (),
    "matrix": ("rows", "cols", "cell"),
    "timeline": ("date", "label"),
    "bar": ("label", "value"),
    "map": ("region", "value"),
}
QUERY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PAGINGS = ("offset", "key")


@dataclass(frozen=True)
class StoredQuery:
    """A packaged query: what the CLI, the HTTP API and the web UI serve."""

    name: str
    title: dict[str, str]
    description: str
    params: tuple[Param, ...]
    tags: tuple[str, ...]
    view: str
    text: str
    path: Path
    description_zh: str = ""
    view_options: dict[str, str] = field(default_factory=dict)
    text_line: int = 1  # the file line where ``text`` starts
    evidence: str = ""  # how a row reaches its facts (kg.catalogue.evidence); "" for none
    evidence_line: int | None = None  # the header line of ``evidence``
    paging: str = "offset"  # "key": its pages are found by key (kg.catalogue.paging)
    featured: dict[str, str] = field(default_factory=dict)  # its headline, when featured

    @classmethod
    def from_file(cls, path: Path) -> StoredQuery:
        """Read and check one ``.rq`` file; CatalogueError names file and line."""
        if not QUERY_NAME.match(path.stem):
            raise CatalogueError(str(path), None, f"file name must match {QUERY_NAME.pattern}")
        source = path.read_text("utf-8")
        head = hdr.parse(str(path), source)
        view, options = _view(head)
        if ("featured@en" in head.fields) != ("featured@zh" in head.fields):
            entry = head.fields.get("featured@en") or head.fields["featured@zh"]
            raise CatalogueError(str(path), entry.line,
                                 "featured@en and featured@zh go together: give both or neither")
        body = source.splitlines()[head.body_line - 1:]
        skipped = next((i for i, line in enumerate(body) if line.strip()), len(body))
        return cls(
            name=path.stem,
            title={"en": head.value("title@en"), "zh": head.value("title@zh")},
            description=head.value("description@en"),
            params=_params(head),
            tags=tuple(t.strip() for t in head.value("tags").split(",") if t.strip()),
            view=view,
            text="\n".join(body).strip() + "\n",
            path=path,
            description_zh=head.value("description@zh"),
            view_options=options,
            text_line=head.body_line + skipped,
            evidence=head.value("evidence"),
            evidence_line=head.fields["evidence"].line if "evidence" in head.fields else None,
            paging=_paging(head),
            featured={lang: head.value(f"featured@{lang}") for lang in ("en", "zh")
                      if head.value(f"featured@{lang}")},
        )

    def param(self, name: str) -> Param | None:
        """The declared parameter of that name, if any."""
        return next((p for p in self.params if p.name == name), None)

    @property
    def services(self) -> tuple[str, ...]:
        """Its SERVICE targets: absolute IRIs, or ``?param`` (empty for most queries)."""
        return sparql.service_targets(self.text)

    @property
    def federated(self) -> bool:
        """True when part of the query runs elsewhere (SERVICE): see :mod:`kg.remote.federation`."""
        return bool(self.services)

    @property
    def form(self) -> str:
        """select, ask, construct or describe (its own SERVICE targets are checked at load)."""
        return sparql.guard(self.text, frozenset(self.services))

    def bind(self, raw: Mapping[str, str], store: Store | Queryable) -> dict[Variable, Term]:
        """Validate raw parameters (defaults applied) into pyoxigraph substitutions
        (list parameters are not substitutions: see :meth:`filled`)."""
        unknown = sorted(set(raw) - {p.name for p in self.params})
        if unknown:
            declared = ", ".join(p.name for p in self.params) or "none"
            raise UsageError(
                f"query {self.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                f"declared: {declared}"
            )
        bound: dict[Variable, Term] = {}
        for param in self.params:
            value = raw.get(param.name) or param.default
            if value is None or value == "":
                if param.required:
                    raise UsageError(_missing(self.name, param))
                continue
            if not param.many:
                bound[Variable(param.name)] = convert(param, value, store)
        return bound

    def filled(self, raw: Mapping[str, str], store: Store | Queryable) -> StoredQuery:
        """The query with each list parameter's values (defaults applied, each checked as
        one value is) written as the rows of its ``VALUES ?NAME { … }`` blocks, in its text
        and its evidence pattern; no rows when it has no value. The terms are written from
        parsed RDF terms (:func:`kg.sparql.syntax.fill_values`), never from the request.

        >>> from kg.catalogue import Catalogue
        >>> from kg.errors import UsageError
        >>> q = Catalogue.load().get("regions-targeting-sectors")
        >>> q.filled({}, Store()) is q  # no sectors listed: its blocks stay empty
        True
        >>> try:
        ...     q.filled({"sectors": "x> } ; DROP ALL"}, Store())
        ... except UsageError as exc:
        ...     print(str(exc)[:79])
        parameter 'sectors' (item 1): expected a sector slug such as 6g, or a full IRI,
        """
        text, evidence = self.text, self.evidence
        for param in self.params:
            if not param.many:
                continue
            value = raw.get(param.name) or param.default or ""
            if not value and param.required:
                raise UsageError(_missing(self.name, param))
            terms = convert_list(param, value, store) if value else []
            text = fill_values(text, param.name, terms)
            if f"?{param.name}" in evidence:
                evidence = fill_values(evidence, param.name, terms, whole=False)
        if text == self.text:
            return self
        return dataclasses.replace(self, text=text, evidence=evidence)

    def to_json(self) -> dict[str, Any]:
        """The query's description as JSON-ready data (its URL is /queries/NAME)."""
        return {
            "name": self.name,
            "title": dict(self.title),
            "description": self.description,
            "description_zh": self.description_zh,
            "params": [p.to_json() for p in self.params],
            "tags": list(self.tags),
            "view": self.view,
            "view_options": dict(self.view_options),
            "evidence": bool(self.evidence),
            "url": f"/queries/{self.name}",
            "license": DATA_LICENSE.value,
        }


def _missing(name: str, param: Param) -> str:
    example = f" (e.g. {param.name}={param.example})" if param.example else ""
    return f"query {name!r} needs parameter {param.name!r} ({param.type}){example}"


def _params(head: hdr.Header) -> tuple[Param, ...]:
    params: list[Param] = []
    for entry in head.params:
        try:
            param = parse_param(entry.value)
        except ValueError as exc:
            raise CatalogueError(head.path, entry.line, str(exc)) from None
        if any(p.name == param.name for p in params):
            raise CatalogueError(head.path, entry.line, f"duplicate parameter {param.name!r}")
        params.append(param)
    return tuple(params)


def _view(head: hdr.Header) -> tuple[str, dict[str, str]]:
    kind, *tokens = head.value("view").split()
    if kind not in VIEWS:
        raise head.error("view", f"unknown view {kind!r}; allowed: {', '.join(VIEWS)}")
    options: dict[str, str] = {}
    for token in tokens:
        key, eq, value = token.partition("=")
        if not eq or key not in VIEWS[kind] or not value:
            allowed = ", ".join(f"{k}=COLUMN" for k in VIEWS[kind]) or "no options"
            raise head.error("view", f"view {kind}: unexpected {token!r}; allowed: {allowed}")
        options[key] = value
    return kind, options


def _paging(head: hdr.Header) -> str:
    """The ``paging`` header value: ``offset`` (the default) or ``key``."""
    value = head.value("paging") or "offset"
    if value not in PAGINGS:
        raise head.error("paging", f"unknown paging {value!r}; allowed: {', '.join(PAGINGS)}")
    return value
