"""Sources of a build: files, their formats, the named graph each goes to.

>>> from pathlib import Path
>>> graph_name(Path("data/beijing.ttl")).value
'https://w3id.org/future-industries/graph/data/beijing'
>>> graph_name(Path("ontology/future-industries.ttl")).value
'https://w3id.org/future-industries/graph/ontology'
>>> graph_name(Path("data/links/wikidata.ttl")).value
'https://w3id.org/future-industries/graph/links'
>>> graph_name(Path("data/external/cn-admin-divisions.ttl")).value
'https://w3id.org/future-industries/graph/external/cn-admin-divisions'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from kg import settings
from kg.errors import UsageError
from kg.store import file_sha256
from kg.vocab import ONTOLOGY_IRI, OWL, RDF, graph_for


@dataclass(frozen=True)
class Source:
    """One input file and where it goes."""

    path: Path
    graph: NamedNode
    format: RdfFormat
    curated: bool

    @property
    def is_ontology(self) -> bool:
        return self.graph == graph_for("ontology")

    @property
    def reference(self) -> bool:
        """Curated by us (ontology, data, links), as opposed to a shipped external dataset."""
        return self.curated and not self.graph.value.startswith(graph_for("external/").value)

    def sha256(self) -> str:
        return file_sha256(self.path)


def graph_name(path: Path) -> NamedNode:
    """The named graph a file is loaded into, from where it lies."""
    if path.parent.name == "ontology":
        return graph_for("ontology")
    if path.parent.name == "links":
        return graph_for("links")
    if path.parent.name == "external":
        return graph_for(f"external/{path.name.split('.')[0]}")
    return graph_for(f"data/{path.name.split('.')[0]}")


def rdf_format(path: Path) -> RdfFormat:
    """The RDF format of a file, looked up by pyoxigraph from its extension."""
    suffix = path.suffix.lstrip(".")
    fmt = RdfFormat.from_extension(suffix) if suffix else None
    if fmt is None:
        raise UsageError(f"{path}: unknown RDF file extension {path.suffix!r}")
    return fmt


def make_source(path: Path, curated: bool = False) -> Source:
    """A :class:`Source` for an existing file."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    return Source(path, graph_name(path), rdf_format(path), curated)


def collect(paths: list[Path] | None = None) -> list[Source]:
    """The ontology plus the given data files.

    The default is the curated data, its linksets (``data/links/``) and the external
    datasets shipped with it (``data/external/``), each in its own named graph.
    """
    res = settings.resources()
    ontology = sorted(p for p in res.ontology.glob("*.ttl") if p.resolve() != res.shapes.resolve())
    ontology += imported(ontology)
    if paths:
        data = [p for arg in paths for p in _expand(arg)]
    else:
        folders = ("", "links/", "external/")
        data = [p for f in folders for p in sorted(res.data.glob(f"{f}*.ttl"))]
    curated_root = res.data.resolve()
    out = [make_source(p, curated=True) for p in ontology]
    for p in data:
        out.append(make_source(p, curated=curated_root in p.resolve().parents))
    return out


def imported(ontology: list[Path]) -> list[Path]:
    """The builder's own ontology when a project's ontology imports it
    (``owl:imports <https://w3id.org/future-industries/ontology>``) without holding it.

    >>> imported(sorted(settings.builtin().ontology.glob("future-*.ttl")))
    []
    """
    own = [p for p in settings.builtin().ontology.glob("*.ttl") if p.name != "shapes.ttl"]
    if {p.resolve() for p in own} & {p.resolve() for p in ontology} or any(
            _defines(p, ONTOLOGY_IRI) for p in ontology):
        return []
    return sorted(own) if any(_imports(p, ONTOLOGY_IRI) for p in ontology) else []


def _imports(path: Path, iri: str) -> bool:
    return any(q.object == NamedNode(iri) for q in _quads(path, OWL.imports))


def _defines(path: Path, iri: str) -> bool:
    return any(q.subject == NamedNode(iri) and q.object == OWL.Ontology
               for q in _quads(path, RDF.type))


def _quads(path: Path, predicate: NamedNode) -> list[Quad]:
    try:
        return [t for t in parse(path=str(path), format=rdf_format(path))
                if t.predicate == predicate]
    except SyntaxError:  # the build's parse step reports it with its position
        return []


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix)
    return [path]
