"""``kg push``: a build's named graphs onto another SPARQL server, switched in one update.

1. **List** the remote's graphs under our graph base (:data:`kg.vocab.GRAPH_BASE`), with a
   SELECT at its query endpoint.
2. **Stage**: each graph of the build goes to ``<graph>?build=<id>`` with the Graph Store
   Protocol, streamed as N-Triples in chunks of at most ``chunk_bytes`` (the first PUT, the
   others POSTed), so the client never holds a graph. A graph that is one N-Triples source
   file's triples is sent from that file (:mod:`kg.remote.ntriples`: its SHA-256 checked,
   lines an engine could read otherwise written again); any other graph the store writes
   itself (no Python object per triple). The first request leaves as soon as its chunk is
   written (nothing is counted beforehand: the triples are counted as their lines are
   sent), and the writing goes on while the first chunk is loaded.
3. **Switch**: one SPARQL Update request MOVEs each staged graph onto its graph and DROPs
   every other graph under our base (an older build's graph, a staging graph left by an
   interrupted push). Graphs outside our base are never touched.

An interrupted push stops before the switch: the previous build's graphs are still there
and answer; its staging graphs stay until the next push drops them. Whether the switch is
atomic is the engine's affair: Oxigraph (``oxigraph serve``, ``kg serve``) runs an update
request in one transaction; Virtuoso runs its operations one after the other (a reader may
see the graphs half switched while the request runs, and an operation that fails leaves
the earlier ones done). docs/scaling.md says more.

>>> staging("https://w3id.org/future-industries/graph/links", "20250101T000000Z")
'https://w3id.org/future-industries/graph/links?build=20250101T000000Z'
>>> siblings("http://127.0.0.1:8890/sparql-graph-crud-auth")
('http://127.0.0.1:8890/sparql-auth', 'http://127.0.0.1:8890/sparql-auth')
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol
from urllib.parse import quote

import httpx
from pyoxigraph import NamedNode, RdfFormat, Store

from kg import settings
from kg.errors import RemoteError, UsageError
from kg.remote.endpoint import N_TRIPLES, RESULTS_JSON, RemoteEndpoint
from kg.remote.ntriples import copy_lines
from kg.store import SourceFile
from kg.vocab import GRAPH_BASE

# The Graph Store path of the servers docs/scaling.md names → their query and update paths.
SIBLINGS = (
    ("/sparql-graph-crud-auth", "/sparql-auth", "/sparql-auth"),  # Virtuoso, with Digest
    ("/sparql-graph-crud", "/sparql", "/sparql"),  # Virtuoso
    ("/rdf-graphs/service", "", "/statements"),  # GraphDB, RDF4J
    ("/store", "/query", "/update"),  # Oxigraph, kg serve
    ("/data", "/sparql", "/update"),  # Apache Jena Fuseki
)
# every graph (a FILTER on ?g makes Virtuoso test each quad: 15 s on 1M; ours picked here)
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


class Progress(Protocol):
    """What a push tells as it goes (the CLI draws a bar or prints lines)."""

    def begin(self, graphs: Sequence[str], triples: int) -> None:
        """The graphs to send, and the store's triples (all of them: about what is sent)."""

    def sent(self, graph: str, triples: int) -> None:
        """``triples`` more of ``graph`` reached the server."""

    def staged(self, graph: str, triples: int) -> None:
        """All of ``graph`` is on the server, in its staging graph."""

    def switching(self, moves: int, drops: int) -> None:
        """The switch request is on its way."""


class Quiet:
    """A :class:`Progress` that says nothing."""

    def begin(self, graphs: Sequence[str], triples: int) -> None:
        pass

    def sent(self, graph: str, triples: int) -> None:
        pass

    def staged(self, graph: str, triples: int) -> None:
        pass

    def switching(self, moves: int, drops: int) -> None:
        pass


@dataclass
class Pushed:
    """What a push did: graph → triples sent, the graphs it removed, requests made."""

    graphs: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    requests: int = 0


@dataclass(frozen=True)
class Target:
    """The remote's Graph Store, query and update endpoints."""

    gsp: str
    query: str
    update: str

    @classmethod
    def of(cls, gsp: str, query: str | None = None, update: str | None = None) -> Target:
        """The endpoints, those not given found beside the Graph Store's (:data:`SIBLINGS`).

        >>> Target.of("http://h/store").update
        'http://h/update'
        """
        if query is None or update is None:
            found_query, found_update = siblings(gsp)
            query, update = query or found_query, update or found_update
        return cls(gsp, query, update)


def siblings(gsp: str) -> tuple[str, str]:
    """The query and update endpoints beside a Graph Store endpoint.

    >>> siblings("http://h/elsewhere")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: cannot tell the query and update endpoints of http://h/elsewhere: ...
    """
    base = gsp.split("?", 1)[0].rstrip("/")
    for path, query, update in SIBLINGS:
        if base.endswith(path):
            root = base[: -len(path)]
            return root + query, root + update
    raise UsageError(f"cannot tell the query and update endpoints of {gsp}: "
                     "give --query-url and --update-url")


def staging(graph: str, build_id: str) -> str:
    """The graph a build's ``graph`` is loaded into before the switch."""
    return f"{graph}?build={quote(build_id, safe='')}"


def push(store: Store, gsp_url: str, *, build_id: str | None = None,
         auth: httpx.Auth | None = None, query_url: str | None = None,
         update_url: str | None = None, timeout: float = settings.REMOTE_TIMEOUT_S,
         chunk_bytes: int = settings.PUSH_CHUNK_BYTES,
         progress: Progress | None = None,
         files: Mapping[str, SourceFile] | None = None) -> Pushed:
    """Make the remote hold exactly the store's named graphs under our graph base (module
    docstring); RemoteError when a request fails, after dropping what this push staged (the
    previous build then still answers). A graph in ``files`` is sent from its file
    (:meth:`kg.store.Build.source_files`) while that is the file the build read.

    >>> push(Store(), "http://127.0.0.1:9/store")
    Traceback (most recent call last):
      ...
    kg.errors.RemoteError: http://127.0.0.1:9/query: ConnectError: ...
    """
    target = Target.of(gsp_url, query_url, update_url)
    build_id = build_id or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    with httpx.Client(auth=auth, timeout=timeout) as client:
        run = _Push(store, target, build_id, client, timeout, chunk_bytes, progress or Quiet(),
                    files or {})
        return run.all(graph_names(store))


class _Push:
    """One push: stage every graph, then switch (or, when it fails, drop what it staged)."""

    def __init__(self, store: Store, target: Target, build_id: str, client: httpx.Client,
                 timeout: float, chunk_bytes: int, progress: Progress,
                 files: Mapping[str, SourceFile]) -> None:
        self.store, self.target, self.build_id, self.progress = store, target, build_id, progress
        self.chunk_bytes = chunk_bytes
        self.gsp = RemoteEndpoint(target.gsp, timeout=timeout, client=client)
        self.query = RemoteEndpoint(target.query, timeout=timeout, client=client)
        self.update = RemoteEndpoint(target.update, timeout=settings.PUSH_SWITCH_TIMEOUT_S,
                                     client=client)
        self.made: list[str] = []  # graphs this push created (dropped again if it fails)
        self.files = files  # graphs sent from their source files
        self._lock = threading.Lock()  # the senders count their requests
        self.done = Pushed()
        # the senders: every Graph Store request is sent from these threads (see _undo)
        self.pool = ThreadPoolExecutor(settings.PUSH_SENDERS, "kg-push")

    def all(self, names: list[str]) -> Pushed:
        before = {g for g in listed(self.query.query(GRAPHS, RESULTS_JSON), self.target.query)
                  if g.startswith(GRAPH_BASE)}
        virtuoso = self.query.server.startswith("Virtuoso")
        self.done.requests += 1
        self.progress.begin(names, len(self.store))
        with self.pool:
            self._run(names, before, virtuoso)
        return self.done

    def _run(self, names: list[str], before: set[str], virtuoso: bool) -> None:
        counts = self.done.graphs  # graph → triples, counted as their lines are sent
        try:
            _start(self.pool, settings.PUSH_SENDERS)
            for graph in names:
                # a graph the remote lacks is loaded in place: nothing there to keep answering
                into = staging(graph, self.build_id) if graph in before else graph
                self.made.append(into)
                self._stage(graph, into)
                self.progress.staged(graph, counts[graph])
            self.done.removed = sorted(before - counts.keys())
            moves = {g: n for g, n in counts.items() if g in before}
            self.progress.switching(len(moves), len(self.done.removed))
            text = switch(self.build_id, moves, self.done.removed)
            if text:
                self._update(text, virtuoso)
        except BaseException:
            self._undo(virtuoso)
            raise

    def _update(self, text: str, virtuoso: bool) -> None:
        # Virtuoso: each row committed as it goes (one transaction times out on big graphs)
        prologue = "DEFINE sql:log-enable 3\n" if virtuoso else ""
        self.update.request("POST", self.target.update, data={"update": prologue + text})
        self.done.requests += 1

    def _undo(self, virtuoso: bool) -> None:
        """Drop the graphs this push made (best effort: the next push drops what is left),
        once every request under way is answered: one cut off mid-way, or still queued,
        could be carried out after the drop. (A push stopped by Ctrl-C or SIGTERM gets its
        KeyboardInterrupt in the main thread, wherever it is; the senders go on.)"""
        self.pool.shutdown(wait=True)
        if self.made:
            with contextlib.suppress(RemoteError):
                self._update(" ;\n".join(f"DROP SILENT GRAPH {NamedNode(g)}"
                                          for g in self.made), virtuoso)

    def _stage(self, graph: str, into: str) -> None:
        """Stream one graph into ``into``: from its source file when it has one
        (:mod:`kg.remote.ntriples`: the store is read only if that file changed since the
        build, and then replaces what the file sent), else from the store."""
        self.done.graphs[graph] = 0
        file = self.files.get(graph)
        if file is not None and self._send_lines(graph, into, partial(copy_lines, file)):
            self.done.graphs[graph] = file.triples  # as the build counted (not comment lines)
            return
        self.done.graphs[graph] = 0  # what a changed file sent is replaced, not counted
        self._send_lines(graph, into, partial(self._dump, graph))

    def _dump(self, graph: str, chunks: Chunks) -> bool:
        """The store writes the graph's N-Triples into ``chunks`` (always kept)."""
        try:
            self.store.dump(chunks, RdfFormat.N_TRIPLES,  # type: ignore[arg-type]  # write()
                            from_graph=NamedNode(graph))
        except OSError:
            chunks.reraise()
            raise
        return True

    def _send_lines(self, graph: str, into: str, write: Callable[[Chunks], bool]) -> bool:
        """Send what ``write`` writes into ``into``: the first chunk PUT, the others
        POSTed, up to ``PUSH_SENDERS`` at a time (adding triples is the same in any order,
        and again). ``write`` goes on while the PUT is under way; the POSTs wait for it.
        Every request is sent from the push's threads (:meth:`_undo` waits for them).
        False, with the requests under way answered, when ``write`` says what it wrote is
        not to be kept (the next PUT replaces it)."""
        put: Future[None] | None = None
        pending: deque[Future[None]] = deque()

        def send(chunk: bytes, whole: bool = False) -> None:
            nonlocal put
            chunks.size = self.chunk_bytes  # smaller after a 413
            while len(pending) >= settings.PUSH_SENDERS:
                pending.popleft().result()
            if put is None:  # before any POST: a PUT replaces what is there
                put = pool.submit(self._sent, graph, chunk, into, "PUT", whole)
                pending.append(put)
            else:
                pending.append(pool.submit(self._after, put, graph, chunk, into, whole))

        pool, chunks = self.pool, Chunks(self.chunk_bytes, send)
        kept = write(chunks)
        if kept:
            chunks.close()
        else:
            chunks.drop()
        while pending:
            pending.popleft().result()
        if put is None and kept:  # an empty graph: replace whatever is there by nothing
            pool.submit(self._send, b"", into, "PUT").result()
        return kept

    def _after(self, put: Future[None], graph: str, chunk: bytes, into: str,
               whole: bool = False) -> None:
        """POST ``chunk`` once the graph's PUT has been answered (not at all if it failed)."""
        put.result()
        self._sent(graph, chunk, into, "POST", whole)

    def _sent(self, graph: str, chunk: bytes, into: str, method: str,
              whole: bool = False) -> None:
        self._send(chunk, into, method, whole=whole)
        triples = chunk.count(b"\n")  # N-Triples: one line a triple
        with self._lock:
            self.done.graphs[graph] += triples
        self.progress.sent(graph, triples)

    def _send(self, chunk: bytes, into: str, method: str, tries: int = 3,
              whole: bool = False) -> None:
        """One Graph Store request. A chunk the server finds too large (413) is sent in
        halves, and later chunks are made no larger than what passed, unless it must go
        ``whole`` (a graph's blank-node triples: :class:`Chunks`); a POST the server fails
        (5xx: Virtuoso may call two concurrent ones a deadlock) is sent again."""
        try:
            self.gsp.request(method, self.target.gsp, params={"graph": into},
                             content=Pieces(chunk), headers={
                                 "Content-Type": N_TRIPLES, "Content-Length": str(len(chunk))})
        except RemoteError as exc:
            half = chunk.rfind(b"\n", 0, len(chunk) // 2) + 1
            if exc.status == 413 and whole:
                raise RemoteError(
                    f"{self.target.gsp}: the graph's triples with blank nodes "
                    f"({len(chunk):,} bytes) must go in one request (a blank node's label "
                    "names it within one request only), and the server refuses a request "
                    "that large (413): raise its request size limit") from None
            if exc.status == 413 and half:
                self.chunk_bytes = min(self.chunk_bytes, half)
                self._send(chunk[:half], into, method)
                self._send(chunk[half:], into, "POST")
                return
            if method == "POST" and (exc.status or 0) >= 500 and tries > 1:
                self._send(chunk, into, method, tries - 1, whole)
                return
            raise
        with self._lock:
            self.done.requests += 1


def _start(pool: ThreadPoolExecutor, threads: int) -> None:
    """Start the pool's threads now, before any request. A pool starts a thread when a task
    is submitted and none is idle, and a KeyboardInterrupt that comes while it waits for the
    thread to start leaves that thread out of the threads its shutdown waits for, though it
    runs the task: a request sent after the drop of what the push staged (seen under load:
    a staging graph left behind)."""
    ready = threading.Barrier(threads)
    try:
        for started in [pool.submit(ready.wait) for _ in range(threads)]:
            started.result()
    except BaseException:
        ready.abort()  # the threads that wait go on (stopped before any request)
        raise


def graph_names(store: Store) -> list[str]:
    """The store's named graphs that hold a triple (an empty one is not pushed: the remote
    would not keep it), found without counting their triples.

    >>> from pyoxigraph import Quad
    >>> s = Store()
    >>> s.add(Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), NamedNode("http://e/o"),
    ...            NamedNode("http://e/g")))
    >>> s.add_graph(NamedNode("http://e/empty"))
    >>> graph_names(s)
    ['http://e/g']
    """
    return [str(g.value) for g in store.named_graphs()
            if next(store.quads_for_pattern(None, None, None, g), None) is not None]


def listed(body: bytes, url: str) -> set[str]:
    """The IRIs bound to ``?g`` in SPARQL JSON results.

    >>> sorted(listed(b'{"results": {"bindings": [{"g": {"value": "http://e/g"}}]}}', "u"))
    ['http://e/g']
    """
    try:
        return {row["g"]["value"] for row in json.loads(body)["results"]["bindings"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteError(f"{url}: unreadable SPARQL results: {exc}") from None


def switch(build_id: str, moves: Mapping[str, int], drops: list[str]) -> str:
    """The one update request that puts the staged graphs in place (``moves``: graph →
    triples) and drops the others (empty: nothing to do).

    >>> print(switch("b1", {"http://e/g": 2, "http://e/empty": 0}, ["http://e/old?build=b0"]))
    MOVE SILENT <http://e/g?build=b1> TO <http://e/g> ;
    DROP SILENT GRAPH <http://e/empty> ;
    DROP SILENT GRAPH <http://e/empty?build=b1> ;
    DROP SILENT GRAPH <http://e/old?build=b0>
    """
    ops = []
    for graph, triples in moves.items():
        stage = NamedNode(staging(graph, build_id))
        if triples:
            ops.append(f"MOVE SILENT {stage} TO {NamedNode(graph)}")
        else:  # nothing was staged (an engine may not keep an empty graph): clear it
            ops += [f"DROP SILENT GRAPH {NamedNode(graph)}", f"DROP SILENT GRAPH {stage}"]
    ops += [f"DROP SILENT GRAPH {NamedNode(g)}" for g in drops]
    return " ;\n".join(ops)


class Pieces:
    """A request body written in pieces of ``size`` bytes, as often as asked (an
    authentication challenge sends it again): the HTTP client then never joins a whole
    chunk into one more copy of it.

    >>> [bytes(p) for p in Pieces(b"abcde", 2)], len(list(Pieces(b"", 2)))
    ([b'ab', b'cd', b'e'], 0)
    """

    def __init__(self, data: bytes, size: int = 1 << 20) -> None:
        self.data, self.size = data, size

    def __iter__(self) -> Iterator[bytes]:
        view = memoryview(self.data)
        for start in range(0, len(self.data), self.size):
            yield view[start:start + self.size]  # type: ignore[misc]


class Chunks:
    """A binary file for ``Store.dump`` that passes what it is given on in chunks of whole
    lines of at most ``size`` bytes (a longer line is a chunk of its own). Lines that name
    a blank node (``_:``) are held back and passed on last, all in one chunk, ``whole``: a
    blank node's labels mean one node only within one request, so a node whose triples fell
    on both sides of a cut would become two on the remote.

    >>> got = []
    >>> c = Chunks(8, lambda chunk, whole=False: got.append((chunk, whole)))
    >>> c.write(b"a .\\nbb .\\ncc"), c.write(b"c .\\n" + b"x" * 10 + b"\\n")
    (11, 15)
    >>> c.write(b"_:b p 1 .\\nd .\\n_:b q 2 .\\n")
    24
    >>> c.close()
    >>> [chunk for chunk, whole in got if not whole]
    [b'a .\\n', b'bb .\\n', b'ccc .\\n', b'xxxxxxxxxx\\n', b'd .\\n']
    >>> [chunk for chunk, whole in got if whole]
    [b'_:b p 1 .\\n_:b q 2 .\\n']
    """

    def __init__(self, size: int, send: Callable[..., None]) -> None:
        self.size, self._send = max(size, 1), send
        self._buf = bytearray()
        self._held = tempfile.SpooledTemporaryFile(max_size=self.size)  # noqa: SIM115
        self._error: BaseException | None = None

    def write(self, data: bytes) -> int:
        self.reraise()
        self._buf += data
        while len(self._buf) > self.size:
            cut = self._buf.rfind(b"\n", 0, self.size) + 1 or self._buf.find(b"\n") + 1
            if not cut:
                break
            self._emit(cut)
        return len(data)

    def flush(self) -> None:
        self.reraise()

    def drop(self) -> None:
        """Forget what is left and the lines held back."""
        self._buf.clear()
        self._held.close()

    def close(self) -> None:
        """Send what is left, then the lines held back (in one chunk)."""
        if self._buf:
            self._emit(len(self._buf))
        with self._held:
            if self._held.tell():
                self._held.seek(0)
                self._call(self._held.read(), whole=True)

    def reraise(self) -> None:
        """Raise again what sending raised (the store's writer sees only an OSError)."""
        if self._error is not None:
            raise self._error

    def _emit(self, cut: int) -> None:
        with memoryview(self._buf) as view:
            chunk = bytes(view[:cut])  # one copy (a slice of the bytearray would be two)
        del self._buf[:cut]
        if b"_:" in chunk:  # a blank node (or a literal that says "_:": held back too)
            lines = chunk.splitlines(keepends=True)
            self._held.write(b"".join(line for line in lines if b"_:" in line))
            chunk = b"".join(line for line in lines if b"_:" not in line)
            if not chunk:
                return
        self._call(chunk)

    def _call(self, chunk: bytes, whole: bool = False) -> None:
        try:
            self._send(chunk, whole=whole) if whole else self._send(chunk)
        except BaseException as exc:  # kept, raised again after the dump
            self._error = exc
            raise
