"""Remote SPARQL endpoints: query them, push our graphs to them, run the catalogue there.

Every call has a timeout (connect and read, plus an overall deadline) and a cap
on the bytes read; failures become :class:`~kg.errors.RemoteError` (exit code
9, HTTP 502). Substitutions cannot travel to a remote endpoint, so a packaged
query's validated parameters are sent as a ``VALUES`` block written from the
bound terms' N-Triples form (``str(term)``), never from raw user text.

>>> from pyoxigraph import Variable, Literal, NamedNode
>>> print(with_values("SELECT ?year WHERE { ?p <http://e/y> ?year }",
...                   {Variable("year"): Literal("2025")}))
SELECT ?year WHERE {  VALUES (?year) { ("2025") } ?p <http://e/y> ?year }
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

import httpx
from pyoxigraph import (
    QueryResultsFormat,
    RdfFormat,
    Store,
    Variable,
    parse,
    parse_query_results,
    serialize,
)

from kg import settings, sparql
from kg.catalogue import StoredQuery
from kg.errors import KgError, QueryError, RemoteError
from kg.vocab import FI, GRAPH_BASE

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
                 client: httpx.Client | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise RemoteError(f"not an http(s) endpoint: {url!r}")
        self.url, self.timeout, self.max_bytes = url, timeout, max_bytes
        self.client = client  # shared connections (a server); None: a client per request

    def query(self, text: str, accept: str = RESULTS_JSON) -> bytes:
        """POST a query; return the answer's bytes (RemoteError on failure; QueryError,
        HTTP 400, when the endpoint says the query is malformed: the asker's error)."""
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", self.url, data={"query": text}, headers=headers,
                            refused=QueryError)

    def request(self, method: str, url: str, refused: type[KgError] = RemoteError,
                **kwargs: Any) -> bytes:
        deadline = time.monotonic() + self.timeout * 4
        client = self.client or httpx.Client(timeout=self.timeout)
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
        if response.status_code >= 300:
            snippet = body[:300].decode("utf-8", "replace").strip()
            kind = refused if response.status_code == 400 else RemoteError
            raise kind(f"{self.url}: HTTP {response.status_code}: {snippet}")
        return body

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise RemoteError(f"{self.url}: answer larger than {self.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise RemoteError(f"{self.url}: answer took longer than {self.timeout * 4:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def run(self, text: str) -> sparql.Result:
        """Run a query remotely; the answer parsed into a :class:`kg.sparql.Result`."""
        form = sparql.guard(text)
        if form in ("construct", "describe"):
            data = self.query(text, N_TRIPLES)
            store = Store()
            try:
                store.extend(q for q in parse(data, format=RdfFormat.N_TRIPLES))
            except SyntaxError as exc:
                raise RemoteError(f"{self.url}: unreadable N-Triples: {exc.msg}") from None
            return sparql.Result("graph", store.query("CONSTRUCT WHERE { ?s ?p ?o }"))
        value = parse_results(self.query(text, RESULTS_JSON), self.url)
        return sparql.Result("select" if form == "select" else "ask", value)


def parse_results(data: bytes, url: str) -> Any:
    """SPARQL JSON results as pyoxigraph solutions or a boolean.

    >>> bool(parse_results(b'{"head": {}, "boolean": true}', "http://e/"))
    True"""
    try:
        return parse_query_results(data, format=QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{url}: unreadable SPARQL results: {exc}") from None


def where_brace(query: str) -> int:
    """Offset just after the ``{`` that opens the query's outermost WHERE group.

    >>> q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    >>> q[where_brace(q):]
    ' ?s ?p ?o }'"""
    masked = sparql.mask(query)
    start = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", masked, re.IGNORECASE)
    if start is None:
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    pos = start.end()
    if start.group(1).upper() == "CONSTRUCT" and not re.match(r"\s*WHERE\b", masked[pos:], re.I):
        pos = closing(masked, masked.index("{", pos)) + 1
    brace = masked.find("{", pos)
    if brace < 0:
        raise QueryError("the query has no WHERE group to bind parameters in")
    return brace + 1


def closing(masked: str, opening: int) -> int:
    """The offset of the brace that closes the one at ``opening``.

    >>> closing("{ { } } {", 0)
    6"""
    depth = 0
    for i in range(opening, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[i], 0)
        if depth == 0:
            return i
    raise QueryError("unbalanced braces in the query")


def values_block(bindings: Mapping[Variable, Any]) -> str:
    """A one-row VALUES block from bound pyoxigraph terms (their N-Triples form).

    >>> from pyoxigraph import Literal, NamedNode
    >>> values_block({Variable("r"): NamedNode("http://e/r"), Variable("y"): Literal("2025")})
    'VALUES (?r ?y) { (<http://e/r> "2025") }'"""
    names = " ".join(str(v) for v in bindings)
    terms = " ".join(str(t) for t in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def with_values(query: str, bindings: Mapping[Variable, Any]) -> str:
    """The query with its bindings as a VALUES block opening every group of its WHERE clause.

    One block per group, not one at the top: under SPARQL's bottom-up evaluation a FILTER
    inside a nested OPTIONAL would not see a top-level binding, whereas a substitution binds
    the variable everywhere. Inline-data blocks and sub-SELECT braces are left alone.
    """
    if not bindings:
        return query
    block = " " + values_block(bindings) + " "
    masked = sparql.mask(query)
    start = where_brace(query) - 1
    spots = [i + 1 for i in range(start, len(masked)) if masked[i] == "{"
             and not _SUBSELECT.match(masked, i + 1) and not _DATA_BLOCK.search(masked[:i])]
    for at in reversed(spots):
        query = query[:at] + block + query[at:]
    return query


_SUBSELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_DATA_BLOCK = re.compile(r"\bVALUES\s+(?:[?$]\w+|\((?:\s*[?$]\w+)*\s*\))\s*$", re.IGNORECASE)


_INDEX = (f"CONSTRUCT {{ ?x a ?class }} WHERE {{ VALUES ?class {{ {FI.Region} {FI.Sector} }} "
          "?x a ?class }")


def run_stored(endpoint: RemoteEndpoint, stored_query: StoredQuery,
               raw_params: Mapping[str, str]) -> sparql.Result:
    """Run a packaged query on a remote endpoint, its parameters validated and bound.

    Region and sector parameters are checked against the remote's own regions
    and sectors (fetched with one small CONSTRUCT).

    >>> from kg.catalogue import default_catalogue
    >>> down = RemoteEndpoint("http://127.0.0.1:9/sparql", timeout=2)
    >>> run_stored(down, default_catalogue().get("region-sectors"), {"region": "shanxi"})
    Traceback (most recent call last):
      ...
    kg.errors.RemoteError: http://127.0.0.1:9/sparql: ConnectError: ...
    """
    index = Store()
    if any(p.type in ("region", "sector") for p in stored_query.params):
        data = endpoint.query(_INDEX, N_TRIPLES)
        index.extend(parse(data, format=RdfFormat.N_TRIPLES))
    bindings = stored_query.bind(raw_params, index)
    return endpoint.run(with_values(stored_query.text, bindings))


def push(store: Store, gsp_url: str, *, timeout: float = settings.REMOTE_TIMEOUT_S,
         graphs: list[str] | None = None) -> dict[str, int]:
    """PUT each named graph (N-Triples) to a Graph Store Protocol endpoint; graph → triples.

    >>> push(Store(), "http://127.0.0.1:9/store")  # an empty store sends nothing
    {}"""
    endpoint = RemoteEndpoint(gsp_url, timeout=timeout)
    sent: dict[str, int] = {}
    for graph in store.named_graphs():
        name = str(graph.value)
        if graphs is not None and name.removeprefix(GRAPH_BASE) not in graphs:
            continue
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
        body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        endpoint.request("PUT", gsp_url, params={"graph": name}, content=body,
                       headers={"Content-Type": N_TRIPLES})
        sent[name] = len(triples)
    return sent
