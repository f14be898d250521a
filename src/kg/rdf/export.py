"""The export service: the built dataset, or one named graph, as RDF dumps.

Formats are pyoxigraph's (looked up through :func:`kg.sparql.rdf_format`).
Dataset formats (N-Quads, TriG, JSON-LD) carry every graph with its name;
triple formats (Turtle, N-Triples, RDF/XML) carry one graph only. JSON-LD
dumps get an ``@context`` made of :data:`kg.vocab.PREFIXES`.

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
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Triple, serialize

from kg import sparql
from kg.errors import NotFoundError, UsageError
from kg.vocab import (
    DATASET_IRI,
    DCAT,
    DCTERMS,
    GRAPH_BASE,
    PREFIXES,
    RDF,
    SPDX,
    XSD,
    graph_for,
)

DATASET_FORMATS = ("nq", "trig", "jsonld")
TRIPLE_FORMATS = ("ttl", "nt", "rdfxml")
FORMATS = DATASET_FORMATS + TRIPLE_FORMATS
_EXTENSIONS = ("nq", "trig", "jsonld", "ttl", "nt", "rdf")
ALL = "all"
CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class DumpInfo:
    """One dump file: what it holds and its size and SHA-256 digest."""

    filename: str
    format: str  # one of FORMATS
    graph: str | None  # short graph name, None for the whole dataset
    size: int
    sha256: str

    @property
    def media_type(self) -> str:
        """The dump's media type, from pyoxigraph.

        >>> DumpInfo("x.nq", "nq", None, 0, "").media_type
        'application/n-quads'
        """
        return fmt_of(self.format).media_type


def fmt_of(name: str) -> RdfFormat:
    """The pyoxigraph format of an export format, by name, extension or media type.

    >>> fmt_of("rdfxml").file_extension, fmt_of("rdf").name, fmt_of("text/turtle").name
    ('rdf', 'RDF/XML', 'Turtle')
    >>> fmt_of("n3")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: unknown export format 'n3'; use one of nq, trig, jsonld, ttl, nt, rdfxml
    """
    try:
        rdf = sparql.rdf_format(name)
    except UsageError:
        rdf = None
    if rdf is None or rdf.file_extension not in _EXTENSIONS:
        raise UsageError(f"unknown export format {name!r}; use one of {', '.join(FORMATS)}")
    return rdf


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
    """The whole dataset (``graph`` None or ``"all"``) or one named graph, serialised."""
    rdf = fmt_of(fmt)
    prefixes = None if rdf == RdfFormat.JSON_LD else PREFIXES
    if graph in (None, ALL):
        if not rdf.supports_datasets:
            raise UsageError(
                f"format {fmt} holds one graph only: name a graph with --graph, "
                f"or use one of {', '.join(DATASET_FORMATS)} for all graphs"
            )
        data = store.dump(format=rdf, prefixes=prefixes)
    elif rdf.supports_datasets:  # one graph, keeping its name
        data = serialize(_graph_quads(store, graph), format=rdf, prefixes=prefixes)
    else:
        data = store.dump(format=rdf, from_graph=_graph_iri_in(store, graph), prefixes=prefixes)
    if rdf == RdfFormat.JSON_LD:
        return jsonld(data or b"[]")
    return data or b""


def _graph_quads(store: Store, name: str | NamedNode) -> Any:
    return store.quads_for_pattern(None, None, None, _graph_iri_in(store, name))


def _graph_iri_in(store: Store, name: str | NamedNode) -> NamedNode:
    iri = graph_iri(name)
    if not store.contains_named_graph(iri):
        known = ", ".join(graph_names(store)) or "none"
        raise NotFoundError(f"no graph {name!r} in the build; graphs: {known}")
    return iri


def jsonld(expanded: bytes) -> bytes:
    """Expanded JSON-LD from pyoxigraph, compacted with the project's prefixes as @context.

    >>> out = jsonld(b'[{"@id": "https://schema.org/x", '
    ...              b'"https://schema.org/name": [{"@value": "n"}]}]')
    >>> json.loads(out)["@graph"]
    [{'@id': 'schema:x', 'schema:name': [{'@value': 'n'}]}]
    """
    doc = json.loads(expanded)
    body = [_compact_node(node) for node in (doc if isinstance(doc, list) else [doc])]
    return json.dumps({"@context": dict(PREFIXES), "@graph": body}, ensure_ascii=False).encode()


def _compact_node(node: Any) -> Any:
    if isinstance(node, list):
        return [_compact_node(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("@id", "@type"):
            value = [curie(v) for v in value] if isinstance(value, list) else curie(value)
        elif key not in ("@value", "@language"):
            value = _compact_node(value)
        out[key if key.startswith("@") else curie(key)] = value
    return out


def curie(iri: str) -> str:
    """An IRI as a compact IRI when one of the project's prefixes covers it.

    >>> curie("http://www.w3.org/2000/01/rdf-schema#label"), curie("http://e/x"), curie("_:b0")
    ('rdfs:label', 'http://e/x', '_:b0')
    """
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and not iri[len(base):].startswith("//"):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def write_all(store: Store, folder: Path, graphs: list[str] | None = None) -> list[DumpInfo]:
    """Write the dataset in every dataset format, and each named graph (``graphs``, default:
    none) in Turtle and N-Triples, plus a ``SHA256SUMS`` file; return what was written.

    >>> import tempfile
    >>> from pyoxigraph import Store
    >>> [d.filename for d in write_all(Store(), Path(tempfile.mkdtemp()))]
    ['all.nq', 'all.trig', 'all.jsonld']"""
    folder.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, str | None]] = [(f, None) for f in DATASET_FORMATS]
    jobs += [(f, g) for g in graphs or [] for f in ("ttl", "nt")]
    dumps = [_write(store, folder, fmt, graph) for fmt, graph in jobs]
    lines = "".join(f"{d.sha256}  {d.filename}\n" for d in dumps)
    (folder / CHECKSUMS).write_text(lines, "utf-8")
    return dumps


def filename(fmt: str, graph: str | None = None) -> str:
    """The file name of a dump (the names the server offers under /dumps/).

    >>> filename("nq"), filename("ttl", "data/beijing"), filename("rdfxml", "links")
    ('all.nq', 'data-beijing.ttl', 'links.rdf')
    """
    stem = ALL if graph in (None, ALL) else str(graph).replace("/", "-")
    return f"{stem}.{fmt_of(fmt).file_extension}"


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


def dcat(build_id: str, dumps: list[DumpInfo], base_url: str) -> list[Triple]:
    """DCAT distributions of the dataset, one per dump, with byte size and SHA-256.

    Distribution IRIs are ``{base_url}dumps/{filename}`` (also the download URL).

    >>> d = info(b"<http://e/s> <http://e/p> <http://e/o> .\\n", "nt", "links")
    >>> triples = dcat("b1", [d], "http://127.0.0.1:7878/")
    >>> sorted({t.predicate.value.rsplit("#", 1)[-1] for t in triples})[:4]
    ['algorithm', 'byteSize', 'checksum', 'checksumValue']
    """
    dataset = NamedNode(DATASET_IRI)
    out = [Triple(dataset, RDF.type, DCAT.Dataset), Triple(dataset, DCTERMS.identifier,
                                                          Literal(build_id))]
    for d in dumps:
        out += _distribution(dataset, d, base_url)
    return out


def sha256_checksum(subject: NamedNode, node: NamedNode, sha256: str) -> list[Triple]:
    """A resource's SHA-256 in SPDX: ``spdx:checksum`` to an ``spdx:Checksum`` node.

    >>> triples = sha256_checksum(NamedNode("http://e/f"), NamedNode("http://e/f#sha256"), "00")
    >>> [t.predicate.value.rsplit("#", 1)[-1] for t in triples]
    ['checksum', 'type', 'algorithm', 'checksumValue']
    """
    return [
        Triple(subject, SPDX.checksum, node),
        Triple(node, RDF.type, SPDX.Checksum),
        Triple(node, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
        Triple(node, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)),
    ]


def _distribution(dataset: NamedNode, d: DumpInfo, base_url: str) -> list[Triple]:
    dist = NamedNode(f"{base_url}dumps/{d.filename}")
    media = d.media_type.split(";")[0]
    out = [
        Triple(dataset, DCAT.distribution, dist),
        Triple(dist, RDF.type, DCAT.Distribution),
        Triple(dist, DCTERMS.title, Literal(f"{d.graph or ALL} ({fmt_of(d.format).name})",
                                            language="en")),
        Triple(dist, DCAT.downloadURL, dist),
        Triple(dist, DCAT.mediaType,
               NamedNode("https://www.iana.org/assignments/media-types/" + media)),
        Triple(dist, DCTERMS["format"], NamedNode(fmt_of(d.format).iri)),
        Triple(dist, DCAT.byteSize, Literal(str(d.size), datatype=XSD.nonNegativeInteger)),
        *sha256_checksum(dist, NamedNode(f"{dist.value}#sha256"), d.sha256),
    ]
    if d.graph not in (None, ALL):
        out.append(Triple(dist, DCTERMS.source, graph_iri(str(d.graph))))
    return out
