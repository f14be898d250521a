"""What ``kg serve --backend URL`` does for each task, through :class:`kg.remote.RemoteEndpoint`.

The same task names and :class:`~kg.engine.pool.Reply` as the worker tasks
(:mod:`kg.engine.tasks`), so the handlers cannot tell the difference: queries
are forwarded (SELECT with the row cap pushed into the query as a LIMIT),
packaged questions go through :func:`kg.remote.run_stored` (or
:func:`kg.remote.federation.run_remote`), and the linked-data pages fetch an
entity's neighbourhood with one SELECT into a small in-memory store that the
page code reads as it reads a build. Tasks not listed in :data:`TASKS` (dumps,
the Graph Store Protocol, writes) answer 501.

>>> handle(TASKS["ping"], RemoteEndpoint("http://127.0.0.1:9/sparql", timeout=1), {},
...        Context(None, frozenset())).status
502
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from kg import settings, sparql
from kg.catalogue import Catalogue, Page, allowed
from kg.engine import describe
from kg.engine.output import serialize
from kg.engine.pool import Reply
from kg.errors import KgError, QueryError, RemoteError
from kg.rdf import void
from kg.remote import endpoint as remote
from kg.remote import federation
from kg.remote.endpoint import N_TRIPLES, RESULTS_JSON, RemoteEndpoint, parse_results
from kg.vocab import FI, RDFS, SKOS, graph_for

FORM = "application/x-www-form-urlencoded"
NEIGHBOURHOOD_CAP = 50_000  # rows fetched for one entity page
ONTOLOGY_CAP = 200_000


@dataclass(frozen=True)
class Context:
    """What every backend task may need besides the endpoint and its arguments."""

    catalogue: Catalogue | None
    allowed_services: frozenset[str]


Task = Callable[[RemoteEndpoint, dict[str, Any], Context], Reply]


def handle(task: Task, endpoint: RemoteEndpoint, args: dict[str, Any], ctx: Context) -> Reply:
    """Run one task; every failure becomes an error reply (a failed backend is 502)."""
    try:
        return task(endpoint, args, ctx)
    except RemoteError as exc:
        return Reply(status=502, message=f"remote SPARQL endpoint failed: {exc}")
    except KgError as exc:
        return Reply(status=exc.http_status, message=str(exc))
    except Exception as exc:  # a bug must not take the thread's caller down
        return Reply(status=500, message=f"internal error: {type(exc).__name__}: {exc}")


def run_query(endpoint: RemoteEndpoint, args: dict[str, Any], _ctx: Context) -> Reply:
    """``query``: SPARQL forwarded (after :func:`kg.sparql.guard`: no SERVICE, size, depth)."""
    text = args["text"]
    form = sparql.guard(text)
    graphs = {"default-graph-uri": args.get("default_graphs") or [],
              "named-graph-uri": args.get("named_graphs") or []}
    cap = int(args.get("row_cap", settings.DEFAULT_ROW_CAP))
    if form in ("construct", "describe"):
        result = sparql.Result("graph", _graph(_post(endpoint, text, N_TRIPLES, graphs)))
    elif form == "ask":
        result = sparql.Result("ask", parse_results(_post(endpoint, text, RESULTS_JSON, graphs),
                                                    endpoint.url))
    else:
        limited = sparql.limiter(text, cap)  # the same LIMIT cap+1 the local server runs
        body = _post(endpoint, limited(cap + 1) if limited else text, RESULTS_JSON, graphs)
        result = _select(body, cap, endpoint.url)
    return serialize(result, args["format"], args)


def _post(endpoint: RemoteEndpoint, text: str, accept: str, graphs: dict[str, list[str]]) -> bytes:
    data = {"query": text, **{k: v for k, v in graphs.items() if v}}
    return endpoint.request("POST", endpoint.url, data=data, refused=QueryError,
                            headers={"Accept": accept, "Content-Type": FORM})


def _graph(body: bytes) -> Any:
    return _triples(body).query("CONSTRUCT WHERE { ?s ?p ?o }")


def _triples(body: bytes) -> Store:
    store = Store()
    try:
        store.extend(parse(body, format=RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise RemoteError(f"unreadable N-Triples: {exc.msg}") from None
    return store


def _select(body: bytes, cap: int, url: str) -> sparql.Result:
    """SPARQL JSON results cut to the row cap (truncated when more came)."""
    try:
        data = json.loads(body)
        rows = data["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteError(f"{url}: unreadable SPARQL results: {exc}") from None
    truncated = len(rows) > cap
    if truncated:
        data["results"]["bindings"] = rows[:cap]
        body = json.dumps(data).encode("utf-8")
    return sparql.Result("select", parse_results(body, url), truncated)


def run_stored(endpoint: RemoteEndpoint, args: dict[str, Any], ctx: Context) -> Reply:
    """``stored``: a packaged question, parameters checked against the backend's graph; one
    page of its answer (``args["page"]``, the backend answers that page) or every row up to
    the cap."""
    assert ctx.catalogue is not None
    query = ctx.catalogue.get(args["name"])
    if query.federated:
        services = frozenset(args.get("services", ())) & ctx.allowed_services
        timeout = float(args.get("remote_timeout", settings.REMOTE_TIMEOUT_S))
        result = federation.run_remote(endpoint, query, args["params"],
                                       allowed_services=services, timeout=timeout)
    elif (page := Page.from_json(args.get("page"))) is not None:
        result = page.cut(remote.run_stored(endpoint, page.query(query), args["params"]))
        return serialize(result, args["format"], args)
    else:
        result = remote.run_stored(endpoint, query, args["params"])
    if result.kind == "select":
        data = result.serialize("json")
        result = _select(data, int(args.get("row_cap", settings.DEFAULT_ROW_CAP)), endpoint.url)
    return serialize(result, args["format"], args)


def entity(endpoint: RemoteEndpoint, args: dict[str, Any], _ctx: Context) -> Reply:
    """``describe``: the entity's page or triples, from its neighbourhood on the backend."""
    iri = str(NamedNode(args["iri"]))  # validated: its N-Triples form goes in the text
    text = _NEIGHBOURHOOD.replace("<IRI>", iri)
    return describe.entity_task(_quads(endpoint, text), args, None)


_NEIGHBOURHOOD = f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  {{ GRAPH ?g {{ <IRI> ?p ?o }} BIND(<IRI> AS ?s) }}
  UNION {{ GRAPH ?g {{ ?s ?p <IRI> }} BIND(<IRI> AS ?o) }}
  UNION {{ {{ <IRI> ?s ?x1 }} UNION {{ ?x2 ?s <IRI> }} UNION {{ <IRI> ?x3 ?s }}
          UNION {{ ?s ?x4 <IRI> }}
          VALUES ?p {{ {RDFS.label} {SKOS.prefLabel} {FI.sourceQuote} }}
          GRAPH ?g {{ ?s ?p ?o }} }}
}} LIMIT {NEIGHBOURHOOD_CAP}"""  # the entity's quads both ways, and its neighbours' labels


def ontology(endpoint: RemoteEndpoint, args: dict[str, Any], _ctx: Context) -> Reply:
    """``ontology``: the backend's ontology graph, read by the same page code."""
    text = (f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {graph_for('ontology')} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {ONTOLOGY_CAP}")
    return describe.ontology_task(_quads(endpoint, text), args, None)


def _quads(endpoint: RemoteEndpoint, text: str) -> Store:
    """The rows ?s ?p ?o ?g of a SELECT on the backend, as quads in a store."""
    store = Store()
    for row in parse_results(endpoint.query(text), endpoint.url):
        if row["g"] is not None and row["s"] is not None:
            store.add(Quad(row["s"], row["p"], row["o"], row["g"]))
    return store


class _Queries:
    """Just the ``query`` method of a store, answered by the backend (for VoID figures)."""

    def __init__(self, endpoint: RemoteEndpoint) -> None:
        self.endpoint = endpoint

    def query(self, text: str, use_default_graph_as_union: bool = True) -> Any:
        return self.endpoint.run(text).value  # the backend's default graph is the union


def void_stats(endpoint: RemoteEndpoint, _args: dict[str, Any], _ctx: Context) -> Reply:
    """``void``: the VoID figures, counted by the backend."""
    return Reply(data=void.stats(cast(Store, _Queries(endpoint))))


_INDEX = (f"CONSTRUCT {{ ?x a ?class }} WHERE {{ VALUES ?class {{ {FI.Region} {FI.Sector} }} "
          "?x a ?class }")


def choices(endpoint: RemoteEndpoint, _args: dict[str, Any], _ctx: Context) -> Reply:
    """``choices``: the regions and sectors the backend's graph has."""
    index = _triples(endpoint.query(_INDEX, N_TRIPLES))
    return Reply(data={kind: allowed(index, kind) for kind in ("region", "sector")})


def ping(endpoint: RemoteEndpoint, _args: dict[str, Any], _ctx: Context) -> Reply:
    """``ping``: the backend answers ``ASK {}``."""
    endpoint.run("ASK {}")
    return Reply(data="pong")


TASKS: dict[str, Task] = {
    "query": run_query,
    "stored": run_stored,
    "describe": entity,
    "ontology": ontology,
    "void": void_stats,
    "choices": choices,
    "ping": ping,
}
