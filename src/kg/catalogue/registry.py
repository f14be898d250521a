"""The catalogue: every ``queries/*.rq`` file, loaded and checked once.

Loading checks each header, parses each query with pyoxigraph and checks that
every declared parameter can be bound (pyoxigraph 0.5 substitutes only
variables of the SELECT projection). Any fault stops the load with a
:class:`~kg.errors.CatalogueError` naming file and line.

>>> cat = Catalogue.load()
>>> "region-sectors" in cat.names()
True
>>> cat.get("../etc/passwd")
Traceback (most recent call last):
  ...
kg.errors.NotFoundError: no packaged query '../etc/passwd'; ...
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, Quad, QuerySolutions, Store, Variable

from kg import settings
from kg.catalogue import evidence
from kg.catalogue.paging import keyed
from kg.catalogue.query import QUERY_NAME, StoredQuery
from kg.catalogue.services import check_services, service_params
from kg.errors import CatalogueError, KgError, NotFoundError
from kg.sparql import Term
from kg.sparql.syntax import analyse, syntax_error, values_blocks

_POSITION = re.compile(r"^line (\d+), column (\d+): ")


class Catalogue:
    """The packaged queries, by name, in name order."""

    def __init__(self, queries: list[StoredQuery]) -> None:
        self._queries = {q.name: q for q in sorted(queries, key=lambda q: q.name)}

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalogue:
        """Load every ``*.rq`` file of a folder (default: the project's queries)."""
        folder = Path(folder) if folder else settings.resources().queries
        if not folder.is_dir():
            raise CatalogueError(str(folder), None, "no such query folder")
        queries = [StoredQuery.from_file(p) for p in sorted(folder.glob("*.rq"))]
        for query in queries:
            check_sparql(query)
        return cls(queries)

    @classmethod
    def question(cls, name: str, folder: Path | None = None) -> StoredQuery:
        """One question of a folder, read and checked alone (``kg query NAME`` asks for
        one: the other files are not read); NotFoundError lists the names.

        >>> Catalogue.question("sector-hierarchy").paging
        'offset'
        >>> Catalogue.question("no-such-question")
        Traceback (most recent call last):
          ...
        kg.errors.NotFoundError: no packaged query 'no-such-question'; ...
        """
        folder = Path(folder) if folder else settings.resources().queries
        path = folder / f"{name}.rq"
        if not (QUERY_NAME.match(name) and path.is_file()):
            return cls.load(folder).get(name)  # the error, with every name
        query = StoredQuery.from_file(path)
        check_sparql(query)
        return query

    def names(self) -> list[str]:
        """The query names, sorted."""
        return list(self._queries)

    def get(self, name: str) -> StoredQuery:
        """The query of that name; NotFoundError lists the names."""
        query = self._queries.get(name) if QUERY_NAME.match(name) else None
        if query is None:
            raise NotFoundError(f"no packaged query {name!r}; available: {', '.join(self)}")
        return query

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)

    def queries(self) -> list[StoredQuery]:
        """The queries themselves, in name order."""
        return list(self._queries.values())

    def federated(self) -> list[StoredQuery]:
        """The questions that ask other endpoints (SERVICE), in name order."""
        return [q for q in self._queries.values() if q.federated]

    def to_json(self) -> list[dict[str, Any]]:
        """Every query's description, in name order."""
        return [q.to_json() for q in self._queries.values()]

    def to_quads(self) -> list[Quad]:
        """The catalogue as RDF (SIB sparql-examples style) in graph …/graph/queries."""
        from kg.catalogue.rdf import catalogue_quads

        return catalogue_quads(self.queries())


def check_sparql(query: StoredQuery) -> None:
    """Parse the query with pyoxigraph, its parameters bound; CatalogueError if it fails.

    A federated query's SERVICE targets are checked against the allow-list instead of
    being refused; the parse is lazy, so nothing is fetched or run.
    """
    try:
        form = query.form
    except KgError as exc:
        raise _located(query, str(exc)) from None
    check_services(query)
    if query.paging == "key" and keyed(analyse(query.text)) is None:
        raise CatalogueError(str(query.path), None, "paging: key needs a sub-select that "
                             "opens the WHERE group and sorts by plain variables it projects, "
                             "and no ORDER BY, GROUP BY, aggregate or LIMIT outside it")
    targets = service_params(query)  # replaced before running, never substituted
    for param in query.params:
        if param.many and not values_blocks(query.text, param.name):
            raise CatalogueError(str(query.path), None, f"list parameter {param.name!r} must "
                                 f"be the variable of a VALUES ?{param.name} {{ … }} block")
    dummy: dict[Variable, Term] = {Variable(p.name): Literal("x") for p in query.params
                                   if p.name not in targets and not p.many}
    try:
        parsed = Store().query(query.text, substitutions=dummy if form == "select" else None)
    except SyntaxError as exc:
        raise _located(query, str(syntax_error(query.text, exc))) from None
    except (ValueError, RuntimeError, OSError) as exc:
        raise CatalogueError(str(query.path), None, f"cannot bind parameters: {exc}") from None
    if query.evidence and not isinstance(parsed, QuerySolutions):
        raise CatalogueError(str(query.path), query.evidence_line,
                             "evidence is for SELECT questions only")
    if isinstance(parsed, QuerySolutions):
        evidence.check(query, [v.value for v in parsed.variables])


def _located(query: StoredQuery, message: str) -> CatalogueError:
    match = _POSITION.match(message)
    if match is None:
        return CatalogueError(str(query.path), None, f"SPARQL syntax error: {message}")
    line = int(match.group(1)) + query.text_line - 1
    detail = message[match.end():].splitlines()[0]
    return CatalogueError(str(query.path), line, f"SPARQL syntax error (column "
                          f"{match.group(2)}): {detail}")


_default: Catalogue | None = None


def default_catalogue() -> Catalogue:
    """The project's catalogue, loaded once per process."""
    global _default
    if _default is None:
        _default = Catalogue.load()
    return _default
