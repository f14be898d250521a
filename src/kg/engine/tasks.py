"""What the worker processes do: open the right build, run one task, reply.

Each reader keeps one store open (copied into memory when small) and re-opens
it when a job names another build or a newer revision of it. The writer opens
the store read-write for each write and closes it before replying: RocksDB
read-only opens are only safe while no writer holds the store. Tasks are plain
functions ``(store, args, state) -> Reply`` looked up by name in
:data:`TASKS`; errors come back as replies, never as exceptions across the
pipe.

>>> from pyoxigraph import Store
>>> s = Store()
>>> s.update('INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> 1 } }')
>>> reply = run_query(s, {"text": "SELECT ?o { ?s ?p ?o }", "format": "csv"}, None)
>>> reply.body.split(), reply.media_type
([b'o', b'1'], 'csv')
"""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Callable
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import NamedNode, Store

from kg import settings, sparql
from kg.engine import describe
from kg.engine.output import rdf_reply, serialize
from kg.engine.pool import Job, Reply
from kg.errors import KgError, UsageError
from kg.rdf import formats, void
from kg.store import MANIFEST

JOURNAL = "updates.jsonl"  # beside the build's store: one line per applied write
GRAPH_CAP = 1_000_000  # triples in one Graph Store Protocol GET
OPEN_ATTEMPTS = 6
# pyoxigraph parses and evaluates a query's tree recursively; kg.sparql.guard keeps trees
# shallow, and this stack (reserved, touched only as deep as a query goes) leaves a wide
# margin for whatever the guard's count misses: a stack overflow would kill the worker.
STACK_BYTES = 256 * 1024 * 1024
# Builds up to this size are copied into each reader's memory (2-3x faster queries). The
# copy reads every quad from disk, ~80k quads/s here (1.5M quads: 19 s per worker start,
# build switch or replaced worker), so larger builds are read from the compacted store.
IN_MEMORY_MAX_QUADS = 100_000

Task = Callable[[Store, dict[str, Any], Any], Reply]


class WorkerState:
    """One worker's open store and lazily loaded catalogue."""

    def __init__(self, queries: Path | None, writer: bool) -> None:
        self.queries = queries
        self.writer = writer
        self.key: tuple[str, int] | None = None
        self.store: Store | None = None
        self._catalogue: Any = None

    def store_for(self, job: Job) -> Store:
        key = (job.build, job.revision)
        if key != self.key or self.store is None:
            self.close()  # release the old store before opening the new one
            self.store = self._open(Path(job.build))
            self.key = key
        return self.store

    def _open(self, build: Path) -> Store:
        """Open a build's store; a reader retries while a write is being closed."""
        path = str(build / "store")
        for attempt in range(OPEN_ATTEMPTS):
            try:
                if self.writer:
                    return Store(path)
                return in_memory(Store.read_only(path), _size(build))
            except (OSError, RuntimeError):
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.02 * 2**attempt)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Drop the open store (the writer does so after every write, see module doc)."""
        self.store, self.key = None, None

    def catalogue(self) -> Any:
        if self._catalogue is None:
            from kg.catalogue import Catalogue

            self._catalogue = Catalogue.load(self.queries)
        return self._catalogue


def in_memory(store: Store, size: int) -> Store:
    """A small build copied into memory (2-3x faster queries); a large one as it is.

    >>> disk = Store()
    >>> disk.update("INSERT DATA { <http://e/a> <http://e/p> 1 }")
    >>> len(in_memory(disk, 1)), in_memory(disk, 10**9) is disk
    (1, True)
    """
    if size > IN_MEMORY_MAX_QUADS:
        return store
    copy = Store()
    copy.bulk_extend(store)
    return copy


def _size(build: Path) -> int:
    """Quads in a build, from its manifest (no scan of the store)."""
    try:
        return int(json.loads((build / MANIFEST).read_text("utf-8")).get("triples", 0))
    except (OSError, ValueError):
        return IN_MEMORY_MAX_QUADS + 1


def serve(conn: Connection, queries: Path | None, writer: bool) -> None:
    """A worker's main loop, on a thread with a deep stack (see :data:`STACK_BYTES`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    threading.stack_size(STACK_BYTES)
    loop = threading.Thread(target=_loop, args=(conn, WorkerState(queries, writer)),
                            name="kg-worker")
    loop.start()
    loop.join()


def _loop(conn: Connection, state: WorkerState) -> None:
    """Receive a job, send its reply, until the pipe closes."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(handle(state, job))


def handle(state: WorkerState, job: Job) -> Reply:
    """Run one job; every failure becomes an error reply."""
    task = TASKS.get(job.task)
    if task is None:
        return Reply(status=500, message=f"unknown task {job.task!r}")
    try:
        store = state.store_for(job)
    except (OSError, RuntimeError) as exc:
        return Reply(status=503, message=f"build not available, retry: {exc}")
    try:
        return task(store, job.args, state)
    except KgError as exc:
        return Reply(status=exc.http_status, message=str(exc))
    except Exception as exc:  # a bug must not kill the worker
        return Reply(status=500, message=f"internal error: {type(exc).__name__}: {exc}")
    finally:
        if state.writer:
            state.close()  # readers may only open a build's store while no writer holds it


def run_query(store: Store, args: dict[str, Any], _state: Any) -> Reply:
    """``text``, ``format`` (media type) and an optional protocol dataset."""
    result = sparql.run(
        store,
        args["text"],
        row_cap=int(args.get("row_cap", settings.DEFAULT_ROW_CAP)),
        default_graph=_nodes(args.get("default_graphs")),
        named_graphs=_nodes(args.get("named_graphs")),
    )
    return serialize(result, args["format"], args)


def run_stored(store: Store, args: dict[str, Any], state: WorkerState) -> Reply:
    """A packaged query by name with raw string parameters (federated: through kg.remote.federation,
    to the SERVICE endpoints the server allows, ``args["services"]``)."""
    from kg.catalogue import Page
    from kg.catalogue import run_stored as run
    from kg.remote import federation

    cap = int(args.get("row_cap", settings.DEFAULT_ROW_CAP))
    query = state.catalogue().get(args["name"])
    if query.federated:
        timeout = float(args.get("remote_timeout", settings.REMOTE_TIMEOUT_S))
        result = federation.run(store, query, args["params"], row_cap=cap, timeout=timeout,
                                allowed_services=frozenset(args.get("services", ())))
    else:
        page = Page.from_json(args.get("page"))  # None: every row up to the cap
        result = run(store, query, args["params"], row_cap=cap, page=page)
    return serialize(result, args["format"], args)


def _nodes(iris: list[str] | None) -> list[NamedNode] | None:
    if not iris:
        return None
    try:
        return [NamedNode(i) for i in iris]
    except ValueError as exc:
        raise UsageError(f"not an IRI: {exc}") from None


def run_update(store: Store, args: dict[str, Any], state: WorkerState) -> Reply:
    """Apply a SPARQL Update (writer only) and journal it beside the store."""
    if not state.writer:
        return Reply(status=500, message="updates go to the writer process only")
    text = guard_update(args["text"])
    try:
        store.update(text)
    except SyntaxError as exc:
        raise UsageError(f"SPARQL syntax error: {exc.msg or exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise UsageError(f"update failed: {exc}") from None
    store.flush()
    journal(args["build"], {"update": text})
    return Reply(status=204)


def graph_write(store: Store, args: dict[str, Any], state: WorkerState) -> Reply:
    """Graph Store Protocol PUT/POST/DELETE of one graph (writer only)."""
    if not state.writer:
        return Reply(status=500, message="writes go to the writer process only")
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


def guard_update(text: str) -> str:
    """Refuse updates that reach outside the store (LOAD, SERVICE) or are too big.

    >>> guard_update("LOAD <http://10.0.0.1/x.ttl>")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: LOAD and SERVICE are not allowed in updates
    """
    if len(text) > settings.MAX_QUERY_CHARS:
        raise UsageError(f"update longer than {settings.MAX_QUERY_CHARS} characters")
    if sparql.nesting(text) > settings.MAX_NESTING:
        raise UsageError(f"update nested deeper than {settings.MAX_NESTING} levels")
    if sparql.operators(_without_data(text)) > settings.MAX_OPERATORS:
        raise UsageError(f"update has more than {settings.MAX_OPERATORS} operators and "
                         "separators outside its DATA blocks")
    bare = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|<[^>\s]*>|#[^\n]*', " ", text)
    if re.search(r"\b(LOAD|SERVICE)\b", bare, re.IGNORECASE):
        raise UsageError("LOAD and SERVICE are not allowed in updates")
    return text


_DATA = re.compile(r"\b(?:INSERT|DELETE)\s+DATA\s*\{", re.IGNORECASE)


def _without_data(text: str) -> str:
    """The update without its INSERT DATA / DELETE DATA blocks (flat lists of quads).

    >>> _without_data("INSERT DATA { <a> <b> 1 , 2 . GRAPH <g> { <a> <b> 3 } } ; CLEAR ALL")
    '  ; CLEAR ALL'
    """
    masked, out, at = sparql.mask(text), [], 0
    for match in _DATA.finditer(masked):
        if match.start() < at:
            continue
        out.append(text[at:match.start()])
        depth, at = 1, match.end()
        while at < len(masked) and depth:
            depth += {"{": 1, "}": -1}.get(masked[at], 0)
            at += 1
    return " ".join([*out, text[at:]])


def journal(build: str, entry: dict[str, Any]) -> None:
    """Append one applied write to the build's journal (its line count is the revision)."""
    line = json.dumps({"time": time.time(), **entry}, ensure_ascii=False)
    with open(Path(build) / JOURNAL, "a", encoding="utf-8") as fh:
        fh.write(line.replace("\n", " ") + "\n")


def graph_get(store: Store, args: dict[str, Any], _state: Any) -> Reply:
    """Graph Store Protocol GET: one graph (or the default graph) serialised."""
    graph = NamedNode(args["graph"]) if args.get("graph") else pyoxigraph.DefaultGraph()
    if isinstance(graph, NamedNode) and not store.contains_named_graph(graph):
        return Reply(status=404, message=f"no graph <{args['graph']}>")
    cap = int(args.get("row_cap", GRAPH_CAP))
    quads = list(islice(store.quads_for_pattern(None, None, None, graph), cap + 1))
    triples = [q.triple for q in quads[:cap]]
    return rdf_reply(triples, args["format"], args, truncated=len(quads) > cap)


def run_dump(store: Store, args: dict[str, Any], _state: Any) -> Reply:
    """A whole dump through :func:`kg.rdf.export.dump`."""
    from kg.rdf import export

    fmt = formats.rdf_format(args["format"])
    body = export.dump(store, fmt.file_extension, graph=args.get("graph"))
    return Reply(body=body, media_type=fmt.media_type)


def param_choices(store: Store, _args: dict[str, Any], _state: Any) -> Reply:
    """The values region and sector parameters accept in this build (for the OpenAPI document)."""
    from kg.catalogue import allowed

    return Reply(data={kind: allowed(store, kind) for kind in ("region", "sector")})


def ping(_store: Store, _args: dict[str, Any], _state: Any) -> Reply:
    """A no-op that proves a worker answers."""
    return Reply(data="pong")


TASKS: dict[str, Task] = {
    "query": run_query,
    "stored": run_stored,
    "update": run_update,
    "graph_write": graph_write,
    "graph_get": graph_get,
    "dump": run_dump,
    "describe": describe.entity_task,
    "ontology": describe.ontology_task,
    "void": void.stats_task,
    "choices": param_choices,
    "ping": ping,
}
