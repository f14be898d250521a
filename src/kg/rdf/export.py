"""The export service: the built dataset, or one named graph, as RDF dumps.

Formats are named as :mod:`kg.rdf.formats` says.
Dataset formats (N-Quads, TriG, JSON-LD) carry every graph with its name;
triple formats (Turtle, N-Triples, RDF/XML) carry one graph only. JSON-LD
dumps are compacted by :func:`kg.rdf.jsonld.compact` with the project's prefixes inline.

>>> from pyoxigraph import Store, Quad, NamedNode as N, Literal
>>> from kg.vocab import GRAPH, RDFS
>>> s = Store()
>>> s.add(Quad(N("https://w3id.org/future-industries/id/region/beijing"), RDFS.label,
...            Literal("北京", language="zh"), GRAPH["data/beijing"]))
>>> print(dump(s, "nq").decode().strip())
<https://w3id.org/.../region/beijing> <...#label> "北京"@zh <https://w3id.org/.../data/beijing> .
>>> 'rdfs:label "北京"@zh' in dump(s, "ttl", "data/beijing").decode()
True
>>> dump(s, "ttl")
Traceback (most recent call last):
  ...
kg.errors.UsageError: format ttl holds one graph only: name a graph with --graph, or use one of ...
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Store

from kg.errors import NotFoundError, UsageError
from kg.rdf import formats, jsonld
from kg.rdf.write import rdf_bytes
from kg.vocab import GRAPH_BASE, graph_for

ALL = "all"
CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class DumpInfo:
    """One dump file: what it holds and its size and SHA-256 digest."""

    filename: str
    format: str  # one of kg.rdf.formats.EXPORTS
    graph: str | None  # short graph name, None for the whole dataset
    size: int
    sha256: str

    @property
    def media_type(self) -> str:
        """The dump's media type, from pyoxigraph.

        >>> DumpInfo("x.nq", "nq", None, 0, "").media_type
        'application/n-quads'
        """
        return formats.export_format(self.format).media_type


def graph_iri(name: str | NamedNode) -> NamedNode:
    """The IRI of a named graph from its short name (``data/beijing``) or full IRI.

    >>> graph_iri("links").value
    'https://w3id.org/future-industries/graph/links'
    """
    if isinstance(name, NamedNode):
        name = name.value
    if name.startswith(GRAPH_BASE):
        name = name[len(GRAPH_BASE):]
    if not name or name.startswith("/") or ".." in name.split("/"):
        raise UsageError(f"bad graph name {name!r}: use the short name after {GRAPH_BASE}")
    return graph_for(name)


def graph_names(store: Store) -> list[str]:
    """Short names of the store's named graphs, sorted.

    >>> from pyoxigraph import Store, Quad, NamedNode as N
    >>> s = Store()
    >>> s.add(Quad(N("http://e/a"), N("http://e/p"), N("http://e/b"), graph_for("links")))
    >>> graph_names(s)
    ['links']"""
    names = (g.value for g in store.named_graphs() if isinstance(g, NamedNode))
    return sorted(n[len(GRAPH_BASE):] if n.startswith(GRAPH_BASE) else n for n in names)


def dump(store: Store, fmt: str, graph: str | NamedNode | None = None) -> bytes:
    """The whole dataset (``graph`` None or ``"all"``) or one named graph, serialised,
    sorted (:mod:`kg.rdf.write`): the same build always gives the same bytes."""
    rdf = formats.export_format(fmt)
    if graph in (None, ALL):
        if not rdf.supports_datasets:
            raise UsageError(
                f"format {fmt} holds one graph only: name a graph with --graph, "
                f"or use one of {', '.join(formats.DATASET_EXPORTS)} for all graphs"
            )
        quads: Any = store.quads_for_pattern(None, None, None, None)
    else:  # one graph: a dataset format keeps its name, a triple format drops it
        quads = _graph_quads(store, graph)
    context = jsonld.context()["@context"] if rdf == RdfFormat.JSON_LD else None
    return rdf_bytes(quads, rdf, context)


def _graph_quads(store: Store, name: str | NamedNode) -> Any:
    return store.quads_for_pattern(None, None, None, _graph_iri_in(store, name))


def _graph_iri_in(store: Store, name: str | NamedNode) -> NamedNode:
    iri = graph_iri(name)
    if not store.contains_named_graph(iri):
        known = ", ".join(graph_names(store)) or "none"
        raise NotFoundError(f"no graph {name!r} in the build; graphs: {known}")
    return iri


def dump_jobs(graphs: list[str] | None = None) -> list[tuple[str, str | None]]:
    """(format, graph) of every dump: the dataset in each dataset format, then each graph
    in Turtle and N-Triples.

    >>> [filename(*job) for job in dump_jobs(["links"])]
    ['all.nq', 'all.trig', 'all.jsonld', 'links.ttl', 'links.nt']
    """
    jobs: list[tuple[str, str | None]] = [(f, None) for f in formats.DATASET_EXPORTS]
    return jobs + [(f, g) for g in graphs or [] for f in ("ttl", "nt")]


def write_all(store: Store, folder: Path, graphs: list[str] | None = None,
              on_dump: Callable[[str], None] | None = None) -> list[DumpInfo]:
    """Write the dataset in every dataset format, and each named graph (``graphs``, default:
    none) in Turtle and N-Triples, plus a ``SHA256SUMS`` file; return what was written.
    ``on_dump`` is told each file's name before it is made (``kg export`` shows progress).

    >>> import tempfile
    >>> from pyoxigraph import Store
    >>> [d.filename for d in write_all(Store(), Path(tempfile.mkdtemp()))]
    ['all.nq', 'all.trig', 'all.jsonld']"""
    folder.mkdir(parents=True, exist_ok=True)
    dumps = []
    for fmt, graph in dump_jobs(graphs):
        if on_dump:
            on_dump(filename(fmt, graph))
        dumps.append(_write(store, folder, fmt, graph))
    lines = "".join(f"{d.sha256}  {d.filename}\n" for d in dumps)
    (folder / CHECKSUMS).write_text(lines, "utf-8")
    return dumps


def read_all(folder: Path, graphs: list[str] | None = None) -> list[DumpInfo] | None:
    """The dumps :func:`write_all` wrote into ``folder`` (sizes from the files, digests
    from ``SHA256SUMS``), or None when it holds no complete set.

    >>> import tempfile
    >>> from pyoxigraph import Store
    >>> where = Path(tempfile.mkdtemp())
    >>> read_all(where) is None, read_all(where, []) is None
    (True, True)
    >>> write_all(Store(), where) == read_all(where)
    True
    """
    try:
        sums = (folder / CHECKSUMS).read_text("utf-8").splitlines()
        digests = {name: digest for digest, _, name in (line.partition("  ") for line in sums)}
        out = []
        for fmt, graph in dump_jobs(graphs):
            name = filename(fmt, graph)
            out.append(DumpInfo(name, fmt, graph, (folder / name).stat().st_size,
                                digests[name]))
    except (OSError, KeyError):
        return None
    return out


def filename(fmt: str, graph: str | None = None) -> str:
    """The file name of a dump (the names the server offers under /dumps/).

    >>> filename("nq"), filename("ttl", "data/beijing"), filename("rdfxml", "links")
    ('all.nq', 'data-beijing.ttl', 'links.rdf')
    """
    stem = ALL if graph in (None, ALL) else str(graph).replace("/", "-")
    return f"{stem}.{formats.export_format(fmt).file_extension}"


def _write(store: Store, folder: Path, fmt: str, graph: str | None) -> DumpInfo:
    data = dump(store, fmt, graph)
    name = filename(fmt, graph)
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(data)
    tmp.replace(folder / name)
    return DumpInfo(name, fmt, graph, len(data), hashlib.sha256(data).hexdigest())


def info(data: bytes, fmt: str, graph: str | None = None) -> DumpInfo:
    """The :class:`DumpInfo` of dump bytes made by :func:`dump` (for servers that stream).

    >>> info(b"", "nq").sha256[:12]
    'e3b0c44298fc'
    """
    return DumpInfo(filename(fmt, graph), fmt, graph, len(data), hashlib.sha256(data).hexdigest())
