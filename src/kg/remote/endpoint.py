"""A SPARQL endpoint over HTTP, as a :class:`kg.sparql.Queryable` like a local store.

Every call has a timeout (connect and read, plus an overall deadline) and a cap
on the bytes read; failures become :class:`~kg.errors.RemoteError` (exit code
9, HTTP 502), a query the endpoint calls malformed (HTTP 400) a
:class:`~kg.errors.QueryError`. Substitutions cannot travel to a remote endpoint,
so bound terms are written into the query by :func:`kg.sparql.syntax.substitute`
(their N-Triples form at each place the grammar reads the variable, never raw user text;
no VALUES block, which some engines mangle); SELECT answers are capped at the
row cap the way :func:`kg.sparql.run` caps them (LIMIT cap+1 sent along).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from pyoxigraph import (
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Variable,
    parse,
    parse_query_results,
)

from kg import settings, sparql
from kg.errors import KgError, QueryError, RemoteError
from kg.rdf.formats import results_format
from kg.remote.connections import Pool
from kg.remote.reading import read_within
from kg.sparql.syntax import substitute

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


class RemoteEndpoint:
    """A SPARQL endpoint over HTTP (SPARQL 1.1 Protocol, query via POST).

    >>> RemoteEndpoint("ftp://example.org/sparql")
    Traceback (most recent call last):
      ...
    kg.errors.RemoteError: not an http(s) endpoint: 'ftp://example.org/sparql'
    >>> RemoteEndpoint("http://127.0.0.1:9/sparql", timeout=2).query("ASK {}")
    Traceback (most recent call last):
      ...
    kg.errors.RemoteError: http://127.0.0.1:9/sparql: ConnectError: ..."""

    def __init__(self, url: str, timeout: float = settings.REMOTE_TIMEOUT_S,
                 max_bytes: int = settings.REMOTE_MAX_BYTES,
                 client: httpx.Client | Pool | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise RemoteError(f"not an http(s) endpoint: {url!r}")
        self.url, self.timeout, self.max_bytes = url, timeout, max_bytes
        # shared connections: a Pool (a server's queries) or an httpx.Client (kg push's
        # requests, with authentication); None: a client per request
        self.client = client
        self.server = ""  # the Server header of the last answer (which engine this is)

    def query(self, text: str, accept: str = RESULTS_JSON,
              graphs: Mapping[str, list[str]] | None = None) -> bytes:
        """POST a query (and a protocol dataset); return the answer's bytes (RemoteError on
        failure; QueryError, HTTP 400, when the endpoint says the query is malformed: the
        asker's error)."""
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        data = {"query": text, **{k: v for k, v in (graphs or {}).items() if v}}
        if isinstance(self.client, Pool):
            answer = self.client.post(urlencode(data, doseq=True).encode("ascii"), headers,
                                      self.timeout, self.max_bytes)
            return self._checked(answer.status, answer.headers, answer.body, QueryError)
        return self.request("POST", self.url, data=data, headers=headers, refused=QueryError)

    def request(self, method: str, url: str, refused: type[KgError] = RemoteError,
                **kwargs: Any) -> bytes:
        """Any request with httpx (the Graph Store's too); the answer's bytes."""
        deadline = time.monotonic() + self.timeout * 4
        client = self.client if isinstance(self.client, httpx.Client) else None
        client = client or httpx.Client(timeout=self.timeout)
        try:
            with client.stream(method, url, timeout=self.timeout, **kwargs) as response:
                body = self._read(response, deadline)
        except httpx.TimeoutException:
            raise RemoteError(f"{self.url}: no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise RemoteError(f"{self.url}: {type(exc).__name__}: {exc}") from None
        finally:
            if client is not self.client:
                client.close()
        return self._checked(response.status_code, response.headers, body, refused)

    def _checked(self, status: int, headers: Mapping[str, str], body: bytes,
                 refused: type[KgError]) -> bytes:
        """The body of a success; else the error (``refused`` for a 400: a malformed query)."""
        self.server = headers.get("server", "")
        if status >= 300:
            snippet = body[:300].decode("utf-8", "replace").strip()
            kind = refused if status == 400 else RemoteError
            error = kind(f"{self.url}: HTTP {status}: {snippet}")
            if isinstance(error, RemoteError):
                error.status = status
            raise error
        return body

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        return b"".join(read_within(response.iter_bytes(), f"{self.url}: answer", self.max_bytes,
                               deadline, self.timeout * 4))

    def run(self, text: str, *, substitutions: Mapping[Variable, Any] | None = None,
            row_cap: int = settings.DEFAULT_ROW_CAP, default_graphs: Sequence[str] = (),
            named_graphs: Sequence[str] = ()) -> sparql.Result:
        """Run a query remotely (guarded, terms bound); the answer as a
        :class:`kg.sparql.Result`, SELECT rows cut at the row cap."""
        form = sparql.guard(text, allowed_functions=frozenset())  # no vendor functions
        text = substitute(text, substitutions) if substitutions else text
        graphs = {"default-graph-uri": list(default_graphs),
                  "named-graph-uri": list(named_graphs)}
        if form in ("construct", "describe"):
            data = self.query(text, N_TRIPLES, graphs)
            return sparql.Result("graph", triples(data, self.url).query(
                "CONSTRUCT WHERE { ?s ?p ?o }"))
        if form == "ask":
            return sparql.Result("ask", parse_results(self.query(text, RESULTS_JSON, graphs),
                                                      self.url))
        limited = sparql.limiter(text, row_cap)  # the same LIMIT cap+1 a local run sends
        body = self.query(limited(row_cap + 1) if limited else text, RESULTS_JSON, graphs)
        return capped(body, row_cap, self.url)


def parse_results(data: bytes, url: str) -> Any:
    """SPARQL JSON results as pyoxigraph solutions or a boolean.

    >>> bool(parse_results(b'{"head": {}, "boolean": true}', "http://e/"))
    True"""
    try:
        return parse_query_results(data, format=QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{url}: unreadable SPARQL results: {exc}") from None


# Virtuoso's own spellings in SPARQL JSON results, made standard before pyoxigraph reads
# them: "typed-literal" (an early draft's) and blank-node labels "nodeID://b10" (not valid
# labels). These bytes are JSON's own structure wherever they are: inside a string, its
# quotes would be escaped. Spelt any other way, the results go through capped's repairs.
_SPELLINGS = ((b'"type": "typed-literal"', b'"type": "literal"'),
              (b'"type": "bnode", "value": "nodeID://', b'"type": "bnode", "value": "nodeID-'))


def solutions(body: bytes, url: str) -> tuple[list[Variable], list[Any]]:
    """The variables and rows of SPARQL JSON results, read by pyoxigraph at once (with
    Virtuoso's spellings made standard first); what it refuses goes through
    :func:`capped`'s checks and repairs.

    >>> names, rows = solutions(b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    ...                         b'[{"x": {"type": "bnode", "value": "nodeID://b1"}}]}}', "e:")
    >>> names, rows[0]["x"].value
    ([<Variable value=x>], 'nodeID-b1')
    >>> solutions(b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": '
    ...           b'{"value": "nodeID://b1", "type": "bnode"}}]}}', "e:")[1][0]["x"].value[0]
    'b'
    """
    standard = body
    for spelt, meant in _SPELLINGS:
        if spelt in standard:
            standard = standard.replace(spelt, meant)
    try:
        found: Any = parse_query_results(standard, format=QueryResultsFormat.JSON)
        rows = list(found)
    except (SyntaxError, ValueError, TypeError):
        found = capped(body, len(body), url).value
        rows = list(found)
    if not isinstance(found, QuerySolutions):
        raise RemoteError(f"{url}: not the results of a SELECT")
    return list(found.variables), rows


def triples(data: bytes, url: str) -> Store:
    """N-Triples from an endpoint, in a store.

    >>> len(triples(b'<http://e/s> <http://e/p> "1" .', "http://e/"))
    1
    """
    store = Store()
    try:
        store.extend(parse(data, format=RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise RemoteError(f"{url}: unreadable N-Triples: {exc.msg}") from None
    return store


def capped(body: bytes, cap: int, url: str) -> sparql.Result:
    """SPARQL JSON results cut to the row cap (truncated when more came), kept as bytes
    to be served unchanged (:class:`Relayed`) once checked: JSON with a list of rows, each
    cell of a known kind; blank-node labels and the old ``typed-literal`` made standard.

    >>> data = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{}, {}, {}]}}'
    >>> capped(data, 2, "http://e/").truncated
    True
    >>> capped(data, 3, "http://e/").serialize("application/sparql-results+json") == data
    True
    >>> capped(b'{"head": {}, "results": {"bindings": [1]}}', 3, "http://e/")
    Traceback (most recent call last):
      ...
    kg.errors.RemoteError: http://e/: unreadable SPARQL results: a row is not an object: 1
    """
    try:
        data = json.loads(body)
        rows = data["results"]["bindings"]
        changed = _standard(rows[: cap + 1])
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteError(f"{url}: unreadable SPARQL results: {exc}") from None
    truncated = len(rows) > cap
    data["results"]["bindings"] = rows[:cap]
    if truncated or changed:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Relayed("select", parse_results(body, url), truncated, body)


@dataclass
class Relayed(sparql.Result):
    """A SELECT answer with the SPARQL JSON it came as: served as it is when JSON is asked
    for (no parsing and writing again), otherwise converted as any result."""

    body: bytes = b""

    def serialize(self, fmt: str | None = None) -> bytes:
        if results_format(fmt or "json") == QueryResultsFormat.JSON:
            return self.body
        return super().serialize(fmt)


_KINDS = frozenset({"uri", "literal", "bnode", "triple"})


def _standard(rows: list[Any]) -> bool:
    """Check every row is an object of cells of a known kind; make non-standard cells
    standard (Virtuoso's ``typed-literal``, blank-node labels :func:`_relabel` changes);
    True when any was changed.

    >>> rows = [{"n": {"type": "typed-literal", "value": "1", "datatype": "http://e/d"}}]
    >>> _standard(rows), rows[0]["n"]["type"]
    (True, 'literal')
    """
    changed = False
    for row in rows:
        if not isinstance(row, dict):
            raise TypeError(f"a row is not an object: {row!r:.40}")
        for cell in row.values():
            kind = cell["type"]
            if kind == "typed-literal":
                cell["type"], changed = "literal", True
            elif kind not in _KINDS:
                raise ValueError(f"unknown kind of value {kind!r:.40}")
    return _relabel(rows) or changed


_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _relabel(rows: list[dict[str, Any]]) -> bool:
    """Give blank nodes whose labels are not valid RDF labels (Virtuoso's ``nodeID://b10``)
    a label made from theirs, the same for the same node; True when any was changed.

    >>> rows = [{"x": {"type": "bnode", "value": "nodeID://b10"}}]
    >>> _relabel(rows), rows[0]["x"]["value"].startswith("b"), _relabel(rows)
    (True, True, False)
    """
    changed = False
    for row in rows:
        for cell in row.values():
            if cell.get("type") == "bnode" and not _LABEL.fullmatch(cell.get("value", "")):
                digest = hashlib.sha256(cell["value"].encode("utf-8")).hexdigest()[:20]
                cell["value"], changed = f"b{digest}", True
    return changed
