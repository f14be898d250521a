"""Importing another RDF dataset into its own named graph of the current build.

Builds are immutable, so an import makes a new build: the current build's
store is copied (``Store.backup``, hard links where possible), the file is
bulk-loaded into graph ``…/graph/NAME`` (replacing that graph if an earlier
import filled it), the manifest records the import as one more source, and the
new build is published atomically. A file that does not parse leaves the
current build untouched. Imported graphs are neither validated nor reasoned
over: they are other people's data, joined to ours through the linkset graph.
A later ``kg build`` starts again from the sources and drops them.

>>> check_graph_name("external/cn-admin-divisions")
'external/cn-admin-divisions'
>>> check_graph_name("ontology")
Traceback (most recent call last):
  ...
kg.errors.UsageError: graph 'ontology' belongs to the build; import into another name (...)
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pyoxigraph import RdfFormat, Store

from kg import settings
from kg.build import manifest
from kg.build.load import load_source
from kg.build.sources import Source
from kg.errors import ParseError, RemoteError, UsageError
from kg.remote.reading import read_within
from kg.store import MANIFEST, Location, file_sha256
from kg.vocab import graph_for

GRAPH_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*$")
RESERVED = ("ontology", "inferred", "build", "links", "queries", "data")


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    build_id: str
    previous: str
    graph: str
    source: str
    sha256: str
    triples: int


def check_graph_name(name: str) -> str:
    """A short graph name an import may write to (not one of the build's own graphs)."""
    if not GRAPH_NAME.match(name):
        raise UsageError(f"bad graph name {name!r}: use lower-case words and '/', "
                         "e.g. external/cn-admin-divisions")
    if name.split("/")[0] in RESERVED:
        raise UsageError(f"graph {name!r} belongs to the build; "
                         "import into another name (e.g. external/NAME)")
    return name


def import_rdf(location: Path, source: str, graph: str, fmt: str | None = None) -> ImportReport:
    """Load a file or http(s) URL into graph NAME of a new build and publish it.

    >>> import tempfile
    >>> import_rdf(Path(tempfile.mkdtemp()), "x.ttl", "external/x")
    Traceback (most recent call last):
      ...
    kg.errors.NotFoundError: no graph built at ...: run `kg build` first"""
    check_graph_name(graph)
    loc = Location(location)
    loc.require_current()
    with _fetched(source, fmt, loc.root) as (path, rdf), loc.lock():
        job = _Job(path, rdf, graph, source, file_sha256(path))
        current = loc.require_current()
        build_id = manifest.new_build_id()
        build_dir = loc.new_build_dir(build_id)
        try:
            triples = _load(current.open(), build_dir, job, current.manifest() | {
                "id": build_id, "derived_from": current.id})
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        loc.publish(build_dir)
        loc.prune()
    return ImportReport(build_id, current.id, graph, source, job.sha256, triples)


@dataclass(frozen=True)
class _Job:
    path: Path
    format: RdfFormat
    graph: str
    source: str
    sha256: str


def _load(old: Store, build_dir: Path, job: _Job, data: dict[str, Any]) -> int:
    """Copy the old store, load the file into its graph, record the new manifest."""
    old.backup(str(build_dir / "store"))
    del old
    store = Store(str(build_dir / "store"))
    target = graph_for(job.graph)
    if store.contains_named_graph(target):
        store.remove_graph(target)
    try:
        triples = load_source(store, Source(job.path, target, job.format, curated=False))
    except ParseError as exc:
        error: ParseError | None = ParseError(job.source, exc.line, exc.column, exc.message)
    else:
        error = None
    if error is not None:  # raised here, not in the handler: nothing then holds the store,
        del store  # which closes before the caller deletes its folder (RocksDB writes on)
        raise error
    entry = {"path": job.source, "graph": target.value, "sha256": job.sha256,
             "triples": triples, "curated": False, "imported": True}
    data["sources"] = [s for s in data["sources"] if s["graph"] != target.value] + [entry]
    data["time"] = datetime.now(UTC).isoformat(timespec="seconds")
    store.remove_graph(graph_for("build"))
    manifest.record(store, data)
    store.flush()
    data["graphs"], data["classes"] = manifest.counts(store)
    data["triples"] = sum(data["graphs"].values())
    manifest.write(build_dir / MANIFEST, data)
    return triples


@contextmanager
def _fetched(source: str, fmt: str | None, root: Path) -> Iterator[tuple[Path, RdfFormat]]:
    """The source as a local file and its RDF format (URLs are downloaded, capped)."""
    if urlsplit(source).scheme not in ("http", "https"):
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"{source}: no such file")
        yield path, _format(fmt, path.suffix.lstrip("."), None, source)
        return
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".import-") as tmp:
        path = Path(tmp) / "download"
        media = download(source, path)
        suffix = Path(urlsplit(source).path).suffix.lstrip(".")
        yield path, _format(fmt, suffix, media, source)


def _format(fmt: str | None, suffix: str, media: str | None, source: str) -> RdfFormat:
    candidates = [fmt] if fmt else [media, suffix]
    for name in candidates:
        found = _lookup(name) if name else None
        if found is not None:
            return found
    if fmt:
        raise UsageError(f"unknown RDF format {fmt!r}; use one of ttl, nt, nq, trig, rdf, jsonld")
    raise UsageError(f"{source}: cannot tell the RDF format; pass --format")


def _lookup(name: str) -> RdfFormat | None:
    name = name.split(";")[0].strip()
    name = {"rdfxml": "rdf", "turtle": "ttl", "json-ld": "jsonld"}.get(name, name)
    try:
        return RdfFormat.from_media_type(name) if "/" in name else RdfFormat.from_extension(name)
    except ValueError:
        return None


def download(url: str, path: Path, *, timeout: float = settings.REMOTE_TIMEOUT_S,
             max_bytes: int = settings.IMPORT_MAX_BYTES) -> str | None:
    """Stream a URL to a file within a size cap and a deadline; return its media type.

    >>> download("http://127.0.0.1:9/x.ttl", Path("unused"), timeout=2)
    Traceback (most recent call last):
      ...
    kg.errors.RemoteError: GET http://127.0.0.1:9/x.ttl: ..."""
    deadline = time.monotonic() + timeout * 4
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5) as client, \
                client.stream("GET", url, headers={"Accept": _ACCEPT}) as response:
            if response.status_code != 200:
                raise RemoteError(f"GET {url}: HTTP {response.status_code}")
            with path.open("wb") as fh:
                for chunk in read_within(response.iter_bytes(), f"GET {url}:", max_bytes, deadline,
                                    timeout * 4):
                    fh.write(chunk)
            media: str | None = response.headers.get("content-type")
            return media
    except httpx.TimeoutException:
        raise RemoteError(f"GET {url}: no answer within {timeout:.0f} s") from None
    except httpx.HTTPError as exc:
        raise RemoteError(f"GET {url}: {exc}") from None


_ACCEPT = ("text/turtle, application/n-triples, application/n-quads, application/trig, "
           "application/ld+json, application/rdf+xml;q=0.9, */*;q=0.1")

