"""Small helpers for the ontology/data tests: parse, reason (HermiT), validate (SHACL).

They call pyoxigraph, owlready2 and pySHACL directly, so the tests do not depend on the
production build pipeline. Expensive steps are cached: each runs once per test session.
"""

from __future__ import annotations

import functools
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pyshacl
import rdflib

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTICLE = ROOT.parent / "shared" / "seed" / "future-industries-article.zh.txt"

FI = "https://w3id.org/future-industries/ontology#"
ID = "https://w3id.org/future-industries/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"
INFERRED_IRI = "http://inferrences/"

# Datatypes HermiT rejects (not in the OWL 2 datatype map): the reasoner copy reads them
# as plain strings, which keeps functional data properties checkable.
NON_OWL_DATATYPES = frozenset(
    XSD + name for name in ("gYear", "gYearMonth", "gMonthDay", "date")
)
_BUILTIN_NAMESPACES = (
    OWL,
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
)

PREFIXES = """
PREFIX fi: <https://w3id.org/future-industries/ontology#>
PREFIX id: <https://w3id.org/future-industries/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX unit: <http://qudt.org/vocab/unit/>
PREFIX region: <https://w3id.org/future-industries/id/region/>
PREFIX agency: <https://w3id.org/future-industries/id/agency/>
PREFIX plan: <https://w3id.org/future-industries/id/plan/>
PREFIX sector: <https://w3id.org/future-industries/id/sector/>
PREFIX target: <https://w3id.org/future-industries/id/target/>
PREFIX action: <https://w3id.org/future-industries/id/action/>
PREFIX scheme: <https://w3id.org/future-industries/id/scheme/>
PREFIX treatment: <https://w3id.org/future-industries/id/treatment/>
PREFIX qualifier: <https://w3id.org/future-industries/id/qualifier/>
"""


def ontology_files() -> list[Path]:
    """The ontology files, shapes excluded."""
    return sorted(p for p in ONTOLOGY_DIR.glob("*.ttl") if p.name != SHAPES.name)


def data_files() -> list[Path]:
    """Every curated data file."""
    return sorted(DATA_DIR.glob("*.ttl"))


def source_files() -> list[Path]:
    """Ontology then data: everything that goes into the knowledge graph."""
    return ontology_files() + data_files()


def parse_quads(path: Path) -> list[ox.Quad]:
    """Parse one Turtle file with pyoxigraph (raises SyntaxError with line/column)."""
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))


def load_store(paths: Iterable[Path], extra_ntriples: bytes = b"") -> ox.Store:
    """An in-memory store holding the files (default graph) and optional N-Triples."""
    store = ox.Store()
    for path in paths:
        store.extend(parse_quads(path))
    if extra_ntriples:
        store.load(extra_ntriples, format=ox.RdfFormat.N_TRIPLES)
    return store


def _reasoner_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.Term:
    if isinstance(term, ox.Literal) and term.datatype.value in NON_OWL_DATATYPES:
        return ox.Literal(term.value, datatype=ox.NamedNode(XSD + "string"))
    return term


def _is_builtin(iri: str) -> bool:
    return iri.startswith(_BUILTIN_NAMESPACES)


def reasoner_ntriples(paths: Iterable[Path]) -> bytes:
    """N-Triples for owlready2: non-OWL datatypes mapped to xsd:string, individuals declared."""
    triples: list[ox.Triple] = []
    individual = ox.NamedNode(OWL + "NamedIndividual")
    rdf_type = ox.NamedNode(RDF_TYPE)
    for path in paths:
        for quad in parse_quads(path):
            triples.append(ox.Triple(quad.subject, quad.predicate, _reasoner_term(quad.object)))
            is_typing = quad.predicate == rdf_type and isinstance(quad.subject, ox.NamedNode)
            if is_typing and not _is_builtin(quad.object.value):
                triples.append(ox.Triple(quad.subject, rdf_type, individual))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


@dataclass(frozen=True)
class ReasonerResult:
    """HermiT's verdict, and the triples it inferred (N-Triples) when consistent."""

    consistent: bool
    inferred: bytes
    message: str = ""


def run_hermit(ntriples: bytes) -> ReasonerResult:
    """Load N-Triples into a fresh owlready2 world and run HermiT on it."""
    world = owlready2.World()
    fd, name = tempfile.mkstemp(suffix=".nt")
    os.close(fd)
    try:
        Path(name).write_bytes(ntriples)
        world.get_ontology(Path(name).as_uri()).load(format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasonerResult(False, b"", "HermiT: the ontology and data have no model")
        buffer = io.BytesIO()
        world.get_ontology(INFERRED_IRI).save(buffer, format="ntriples")
        return ReasonerResult(True, _useful_inferences(buffer.getvalue()))
    finally:
        world.close()
        Path(name).unlink(missing_ok=True)


def _useful_inferences(ntriples: bytes) -> bytes:
    """Drop the noise of the inferred graph (its ontology header, owl:Thing types)."""
    keep = [
        line
        for line in ntriples.decode("utf-8").splitlines()
        if line.strip()
        and not line.startswith("<http://inferrences")
        and f"<{OWL}Thing>" not in line
        and f"<{OWL}NamedIndividual>" not in line
    ]
    return ("\n".join(keep) + "\n").encode("utf-8")


MATERIALIZE = (
    PREFIXES
    + """
INSERT { ?o ?q ?s } WHERE { ?p owl:inverseOf ?q . ?s ?p ?o . FILTER(!isLiteral(?o)) } ;
INSERT { ?o ?p ?s } WHERE { ?p owl:inverseOf ?q . ?s ?q ?o . FILTER(!isLiteral(?o)) } ;
INSERT { ?x a ?d } WHERE { ?x a ?c . ?c rdfs:subClassOf+ ?d . FILTER(isIRI(?d)) }
"""
)


def materialize(store: ox.Store) -> None:
    """Add what HermiT entails but owlready2 does not report: inverse values, superclasses."""
    store.update(MATERIALIZE)


@functools.cache
def kg_reasoning() -> ReasonerResult:
    """HermiT over ontology + all data, once per session."""
    return run_hermit(reasoner_ntriples(source_files()))


@functools.cache
def kg_store() -> ox.Store:
    """Ontology + data + HermiT-inferred triples (+ inverses, superclasses), once per session."""
    result = kg_reasoning()
    if not result.consistent:
        raise AssertionError(f"knowledge graph inconsistent: {result.message}")
    store = load_store(source_files(), result.inferred)
    materialize(store)
    return store


_DISJOINT_CULPRITS = """
SELECT DISTINCT ?x ?a ?b WHERE {
  ?group a owl:AllDisjointClasses ; owl:members ?list .
  ?list rdf:rest*/rdf:first ?a . ?list rdf:rest*/rdf:first ?b . FILTER(STR(?a) < STR(?b))
  ?x a/rdfs:subClassOf* ?a . ?x a/rdfs:subClassOf* ?b .
}"""
_FUNCTIONAL_CULPRITS = """
SELECT DISTINCT ?x ?p WHERE {
  ?p a owl:FunctionalProperty . ?x ?p ?v1 , ?v2 . FILTER(?v1 != ?v2)
}"""


def explain_inconsistency(paths: Iterable[Path]) -> list[str]:
    """Say where HermiT's 'no model' comes from, for the two usual curation errors."""
    store = load_store(paths)
    disjoint = [
        f"{short(r['x'])}: in disjoint classes {short(r['a'])} and {short(r['b'])}"
        for r in select(store, _DISJOINT_CULPRITS)
    ]
    functional = [
        f"{short(r['x'])}: several values for functional {short(r['p'])}"
        for r in select(store, _FUNCTIONAL_CULPRITS)
    ]
    return disjoint + functional


def rdflib_graph(paths: Iterable[Path]) -> rdflib.Graph:
    """One rdflib graph from Turtle files (for pySHACL)."""
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@dataclass(frozen=True)
class ShaclReport:
    """pySHACL's verdict with its results as (focus, path, message) triples."""

    conforms: bool
    results: tuple[tuple[str, str | None, str], ...]
    text: str


_RESULTS_QUERY = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?focus ?path ?message WHERE {
  ?report sh:result ?r . ?r sh:focusNode ?focus .
  OPTIONAL { ?r sh:resultPath ?path }
  OPTIONAL { ?r sh:resultMessage ?message }
}
"""


def validate(paths: Sequence[Path], shapes: Path = SHAPES) -> ShaclReport:
    """Validate Turtle files (ontology included, for subclass targets) against the shapes."""
    conforms, report, text = pyshacl.validate(
        rdflib_graph(paths),
        shacl_graph=rdflib_graph([shapes]),
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    results = tuple(
        (str(row.focus), None if row.path is None else str(row.path), str(row.message))
        for row in report.query(_RESULTS_QUERY)
    )
    return ShaclReport(bool(conforms), results, str(text))


@functools.cache
def kg_validation() -> ShaclReport:
    """SHACL over ontology + all data, once per session."""
    return validate(source_files())


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT (PREFIXES prepended); each row as {variable: lexical value or IRI}."""
    solutions = store.query(PREFIXES + query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows


def short(iri: str) -> str:
    """id/{kind}/{slug} → '{kind}/{slug}', fi:X → 'fi:X'; other IRIs unchanged."""
    if iri.startswith(ID):
        return iri[len(ID):]
    return "fi:" + iri[len(FI):] if iri.startswith(FI) else iri


def article_text() -> str:
    """The source article (shared/seed), or '' when this checkout has no shared folder."""
    return ARTICLE.read_text(encoding="utf-8") if ARTICLE.is_file() else ""
