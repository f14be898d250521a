"""The task table: every job the server hands out, by name, for either backend.

A task is a plain function ``(backend, args, state) -> Reply``. The same table
serves the worker processes of a local build (:mod:`kg.engine.worker`, a
:class:`~kg.engine.backend.LocalBackend`) and the threads of ``kg serve
--backend`` (:mod:`kg.engine.remote`, a :class:`~kg.engine.backend.RemoteBackend`);
tasks marked ``local_only`` need the build's own store (writes, dumps, whole
graphs) and answer 501 on a remote backend. :func:`handle` turns every failure
into an error reply, never an exception across a pipe or a thread.

>>> from pyoxigraph import Store
>>> s = Store()
>>> s.update('INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> 1 } }')
>>> reply = handle("query", LocalBackend(s), {"text": "SELECT ?o { ?s ?p ?o }",
...                                          "format": "csv"}, None)
>>> reply.body.split(), reply.media_type
([b'o', b'1'], 'csv')
>>> handle("dumps", RemoteBackend("http://127.0.0.1:9/sparql"), {}, None).status
501
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph
from pyoxigraph import NamedNode, Store

from kg import settings
from kg.catalogue import Catalogue, Page, Paged, allowed, answer
from kg.catalogue.answer import federated
from kg.engine import describe, reading
from kg.engine.backend import Backend, Dataset, LocalBackend, RemoteBackend
from kg.engine.figures import stats
from kg.engine.job import Reply
from kg.engine.journal import journal
from kg.engine.output import rdf_reply, serialize
from kg.errors import KgError, RemoteError, Unavailable, UsageError
from kg.rdf import diff, export, formats
from kg.sparql import guard_update
from kg.store import Location
from kg.vocab import FI


class State(Protocol):
    """What a task may ask of the process running it."""

    writer: bool

    def catalogue(self) -> Catalogue: ...


@dataclass(frozen=True)
class Task:
    """A task and whether it needs the build's own store."""

    run: Callable[[Any, dict[str, Any], Any], Reply]
    local_only: bool = False


def handle(name: str, backend: Backend, args: dict[str, Any], state: Any) -> Reply:
    """Run one task; every failure becomes an error reply (a failed remote is 502)."""
    task = TASKS.get(name)
    if task is None:
        return Reply(status=500, message=f"unknown task {name!r}")
    if task.local_only and not isinstance(backend, LocalBackend):
        return Reply(status=501, message=str(Unavailable.needs_local(f"this request ({name})")))
    try:
        return task.run(backend, args, state)
    except Exception as exc:  # a bug must not kill the worker or the thread's caller
        return failure(exc)


def failure(exc: Exception) -> Reply:
    """The error reply for a task's failure (a failed remote is 502, a bug 500)."""
    if isinstance(exc, RemoteError):
        return Reply(status=502, message=f"remote SPARQL endpoint failed: {exc}")
    if isinstance(exc, KgError):
        return Reply(status=exc.http_status, message=str(exc))
    return Reply(status=500, message=f"internal error: {type(exc).__name__}: {exc}")


def run_query(backend: Backend, args: dict[str, Any], _state: Any) -> Reply:
    """``text``, ``format`` (media type), the request's dataset (``default_graphs``,
    ``named_graphs``) and ``base_iri``, the IRI its relative IRIs resolve against.

    >>> s = Store()
    >>> s.update('INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> 1 } }')
    >>> ask = {"text": "ASK { ?s ?p ?o }", "format": "json"}
    >>> handle("query", LocalBackend(s), {**ask, "named_graphs": ["http://e/g"]}, None).body
    b'{"head":{},"boolean":false}'
    """
    dataset = Dataset(tuple(args.get("default_graphs") or ()),
                      tuple(args.get("named_graphs") or ()))
    result = backend.run_request(args["text"], dataset, args.get("base_iri"), row_cap=_cap(args))
    return serialize(result, args["format"], args)


def run_stored(backend: Backend, args: dict[str, Any], state: State) -> Reply:
    """A packaged question by name with raw string parameters, through
    :func:`kg.catalogue.answer` (federated: to the SERVICE endpoints the server allows,
    ``args["services"]``, within ``args["remote_timeout"]``; or, ``args["question"]``,
    with its SERVICE blocks answered already: :func:`answer_services`)."""
    question = args.get("question") or state.catalogue().get(args["name"])
    result = answer(backend, question, args["params"],
                    page=Page.from_json(args.get("page")), row_cap=_cap(args),
                    allowed_services=frozenset(args.get("services", ())),
                    timeout=float(args.get("remote_timeout", settings.REMOTE_TIMEOUT_S)),
                    evidence=bool(args.get("evidence")))
    reply = serialize(result, args["format"], args)
    if isinstance(result, Paged) and result.after is not None:
        reply.after = result.after.token()
    return reply


def answer_services(args: dict[str, Any], catalogue: Catalogue) -> dict[str, Any] | Reply:
    """The arguments of a federated ``stored`` job with its SERVICE blocks answered here
    (allow-listed targets only, within ``remote_timeout``: :func:`kg.catalogue.answer.federated`):
    ``question`` is the question with VALUES tables in their place, ``params`` the
    parameters left, and no ``services``, so whoever runs the rest never calls out (the
    server process does this; its query workers have no network: :mod:`kg.engine.worker`).
    A failure is its error reply.

    >>> from kg.catalogue import default_catalogue
    >>> args = {"name": "wikidata-region-labels", "params": {}, "services": []}
    >>> answer_services(args, default_catalogue()).status
    400
    """
    try:
        question, params = federated(
            catalogue.get(args["name"]), args["params"], frozenset(args["services"]),
            float(args.get("remote_timeout", settings.REMOTE_TIMEOUT_S)))
    except Exception as exc:  # as handle(): every failure is a reply
        return failure(exc)
    rest = {k: v for k, v in args.items() if k not in ("services", "remote_timeout")}
    return rest | {"question": question, "params": params}


def _cap(args: dict[str, Any]) -> int:
    return int(args.get("row_cap", settings.DEFAULT_ROW_CAP))


def entity(backend: Backend, args: dict[str, Any], _state: Any) -> Reply:
    """``describe``: an entity's page data, or its triples serialised. The page of a
    source adds its text and spans, a region's or a sector's page its quoted facts
    (:mod:`kg.engine.reading`), labelled in ``args["lang"]``."""
    node = NamedNode(args["iri"])
    iri = node.value
    page = args["format"].startswith("text/html")  # an RDF document names no neighbours
    reply = describe.entity_task(backend.neighbourhood(node, labels=page), args)
    if not isinstance(reply.data, dict) or args.get("record"):
        return reply
    lang = str(args.get("lang") or "en")
    types = {t for t, _labels in reply.data["types"]}
    reply.data["evidence"] = reading.page_facts(backend, iri, types, lang)
    reply.data["reading"] = reading.reading(backend, iri, lang) if FI.Source.value in types \
        else None
    return reply


def ontology(backend: Backend, args: dict[str, Any], _state: Any) -> Reply:
    """``ontology``: the ontology page's data, or the ontology graph serialised."""
    return describe.ontology_task(backend.ontology(), args)


def figures(backend: Backend, _args: dict[str, Any], _state: Any) -> Reply:
    """``void``: the VoID figures, for the server to render."""
    return Reply(data=stats(backend))


def choices(backend: Backend, _args: dict[str, Any], _state: Any) -> Reply:
    """The values region and sector parameters accept (for the OpenAPI document)."""
    return Reply(data={kind: allowed(backend, kind) for kind in ("region", "sector")})


def ping(backend: Backend, _args: dict[str, Any], _state: Any) -> Reply:
    """A query that proves the backend answers."""
    backend.run("ASK {}")
    return Reply(data="pong")


def run_update(backend: LocalBackend, args: dict[str, Any], state: State) -> Reply:
    """Apply a SPARQL Update (writer only) and journal it beside the store."""
    if not state.writer:
        return Reply(status=500, message="updates go to the writer process only")
    base = args.get("base_iri")
    text = guard_update(args["text"], base)
    try:
        backend.store.update(text, base_iri=base)
    except SyntaxError as exc:
        raise UsageError(f"SPARQL syntax error: {exc.msg or exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise UsageError(f"update failed: {exc}") from None
    backend.store.flush()
    journal(args["build"], {"update": text, **({"base_iri": base} if base else {})})
    return Reply(status=204)


def graph_write(backend: LocalBackend, args: dict[str, Any], state: State) -> Reply:
    """Graph Store Protocol PUT/POST/DELETE of one graph (writer only)."""
    if not state.writer:
        return Reply(status=500, message="writes go to the writer process only")
    store = backend.store
    graph = NamedNode(args["graph"]) if args.get("graph") else pyoxigraph.DefaultGraph()
    existed = _graph_exists(store, graph)
    if args["method"] == "DELETE" and not existed:
        return Reply(status=404, message=f"no graph {args.get('graph') or 'default'}")
    if args["method"] in ("PUT", "DELETE") and existed:
        store.remove_graph(graph) if isinstance(graph, NamedNode) else store.clear_graph(graph)
    if args["method"] in ("PUT", "POST"):
        _load(store, args["data"], args["format"], graph)
    store.flush()
    journal(args["build"], {k: args[k] for k in ("method", "graph", "format") if k in args})
    return Reply(status=204 if existed or args["method"] == "DELETE" else 201)


def _graph_exists(store: Store, graph: Any) -> bool:
    if isinstance(graph, NamedNode):
        return store.contains_named_graph(graph)
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None


def _load(store: Store, data: bytes, media_type: str, graph: Any) -> None:
    try:
        store.load(data, format=formats.rdf_format(media_type), to_graph=graph)
    except SyntaxError as exc:
        raise UsageError(f"RDF syntax error: {exc.msg or exc}") from None
    except ValueError as exc:
        raise UsageError(f"cannot load: {exc}") from None


def graph_get(backend: LocalBackend, args: dict[str, Any], _state: Any) -> Reply:
    """Graph Store Protocol GET: one graph (or the default graph) serialised."""
    store = backend.store
    graph = NamedNode(args["graph"]) if args.get("graph") else pyoxigraph.DefaultGraph()
    if isinstance(graph, NamedNode) and not store.contains_named_graph(graph):
        return Reply(status=404, message=f"no graph <{args['graph']}>")
    cap = int(args.get("row_cap", settings.GRAPH_CAP))
    quads = list(islice(store.quads_for_pattern(None, None, None, graph), cap + 1))
    triples = [q.triple for q in quads[:cap]]
    return rdf_reply(triples, args["format"], args, truncated=len(quads) > cap)


def write_dumps(backend: LocalBackend, args: dict[str, Any], _state: Any) -> Reply:
    """Every dump of the build (the ``kg export --all-formats`` set) in ``args["folder"]``,
    written once (into a fresh folder renamed into place); their sizes and digests."""
    folder = Path(args["folder"])
    graphs = export.graph_names(backend.store)
    made = export.read_all(folder, graphs)
    if made is None:
        tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        export.write_all(backend.store, tmp, graphs)
        try:
            tmp.rename(folder)
        except OSError:  # another worker made them first
            shutil.rmtree(tmp, ignore_errors=True)
        made = export.read_all(folder, graphs)
        if made is None:
            raise UsageError(f"the dumps could not be written into {folder.name}")
    return Reply(data=[dataclasses.asdict(d) for d in made])


def compare_builds(_backend: LocalBackend, args: dict[str, Any], _state: Any) -> Reply:
    """What changed between two builds of a location (:func:`kg.rdf.diff.compare`): in a
    worker, so that the server's time limit and memory cap stop a huge one."""
    found = diff.compare(Location(args["location"]), args["old"], args["new"])
    return Reply(data=found)


TASKS: dict[str, Task] = {
    "query": Task(run_query),
    "stored": Task(run_stored),
    "describe": Task(entity),
    "ontology": Task(ontology),
    "void": Task(figures),
    "choices": Task(choices),
    "ping": Task(ping),
    "update": Task(run_update, local_only=True),
    "graph_write": Task(graph_write, local_only=True),
    "graph_get": Task(graph_get, local_only=True),
    "dumps": Task(write_dumps, local_only=True),
    "diff": Task(compare_builds, local_only=True),
}

__all__ = ["TASKS", "RemoteBackend", "State", "Task", "answer_services", "handle"]
