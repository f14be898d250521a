"""What the linked-data pages show, read in a worker straight from the store.

An entity's description is its outgoing and incoming triples (all graphs but
the build record); for pages it comes as plain data (terms as tuples of
strings, labels per language) that :mod:`kg.html.pages` renders.

>>> from pyoxigraph import Store
>>> s = Store()
>>> s.update('''INSERT DATA { GRAPH <https://w3id.org/future-industries/graph/data/x> {
...   <https://w3id.org/future-industries/id/region/x>
...     <http://www.w3.org/2000/01/rdf-schema#label> "X 市"@zh , "X City"@en } }''')
>>> page = entity_data(s, "https://w3id.org/future-industries/id/region/x")
>>> page["labels"]
{'en': 'X City', 'zh': 'X 市'}
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Store, Triple

from kg import settings
from kg.engine.job import Reply
from kg.engine.output import rdf_reply
from kg.errors import NotFoundError
from kg.vocab import (
    BASE,
    DATA_LICENSE,
    DCTERMS,
    FI,
    FOAF,
    GRAPH,
    OWL,
    RDF,
    RDFS,
    SKOS,
    graph_for,
)

PART_OF_ENTITY = (FI.hasSectorLink, FI.hasTarget, FI.hasAction, FI.amount, FI.threshold)
LABELS = (RDFS.label, SKOS.prefLabel)
PlainTerm = tuple[str, ...]  # ("iri", value) | ("literal", value, lang, datatype) | ("bnode", id)


def term(node: Any) -> PlainTerm:
    """A term as a picklable tuple of strings.

    >>> term(Literal("北京", language="zh"))
    ('literal', '北京', 'zh', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString')
    """
    if isinstance(node, NamedNode):
        return ("iri", node.value)
    if isinstance(node, Literal):
        return ("literal", node.value, node.language or "", node.datatype.value)
    return ("bnode", str(node.value))


def labels(store: Store, node: Any) -> dict[str, str]:
    """A node's labels by language (rdfs:label, else skos:prefLabel)."""
    out: dict[str, str] = {}
    if isinstance(node, Literal):
        return out
    for prop in LABELS:
        for quad in islice(store.quads_for_pattern(node, prop, None, None), 20):
            lit = quad.object
            if isinstance(lit, Literal):
                out.setdefault(lit.language or "", lit.value)
    return dict(sorted(out.items()))


def _quads(store: Store, s: Any, o: Any, record: bool = False) -> list[Quad]:
    """Quads with this subject or object, the build record's only when ``record``; never
    the summaries' (counts derived for the questions, :mod:`kg.build.summaries`)."""
    found = islice(store.quads_for_pattern(s, None, o, None), settings.PAGE_TRIPLES * 3)
    hidden = _NOT_SHOWN[record]
    return [q for q in found if q.graph_name not in hidden]


# the graphs an entity's quads are not taken from: on a build record's page, and elsewhere
_NOT_SHOWN = {True: frozenset({GRAPH.summaries}),
              False: frozenset({GRAPH.summaries, graph_for("build")})}


def exists(store: Store, iri: NamedNode, record: bool = False) -> bool:
    """True when the IRI is the subject of some triple."""
    return bool(_quads(store, iri, None, record))


def fragments(quads: list[Quad], iri: NamedNode) -> list[NamedNode]:
    """The hash IRIs of a document (``iri#…``) among the objects of its quads.

    >>> from pyoxigraph import DefaultGraph
    >>> d = NamedNode("https://w3id.org/future-industries/division/110000")
    >>> geo = NamedNode(d.value + "#geo")
    >>> [n.value[-4:] for n in fragments([Quad(d, RDF.type, geo, DefaultGraph())], d)]
    ['#geo']
    """
    found = {q.object.value for q in quads
             if isinstance(q.object, NamedNode) and q.object.value.startswith(iri.value + "#")}
    return [NamedNode(v) for v in sorted(found)]


def entity_triples(store: Store, iri: NamedNode, record: bool = False) -> list[Any]:
    """The entity's outgoing and incoming triples, once each, and the outgoing triples
    of its hash IRIs (``…/110000#geo``, an annotation's ``#target`` and the selectors it
    names, ``#quote`` and ``#position``: the same document answers for them)."""
    outgoing = _quads(store, iri, None, record)[:settings.PAGE_TRIPLES]
    out = {q.triple: None for q in outgoing}
    out |= {q.triple: None for q in _quads(store, None, iri, record)[:settings.PAGE_TRIPLES]}
    for node in hash_parts(store, outgoing, iri, record):
        out |= {q.triple: None for q in _quads(store, node, None, record)[:settings.PAGE_TRIPLES]}
    return list(out)


def hash_parts(store: Store, outgoing: list[Quad], iri: NamedNode,
               record: bool = False) -> list[NamedNode]:
    """The document's hash IRIs reached from the entity through hash IRIs, in order."""
    found: list[NamedNode] = []
    todo = fragments(outgoing, iri)
    while todo and len(found) < settings.PAGE_TRIPLES:
        node = todo.pop(0)
        if node in found:
            continue
        found.append(node)
        todo += fragments(_quads(store, node, None, record), iri)
    return found


def record_triples(store: Store, iri: NamedNode) -> list[Any]:
    """A build's record: the build graph's triples that name the build or its hash IRIs."""
    def ours(node: Any) -> bool:
        return isinstance(node, NamedNode) and (node == iri or node.value.startswith(
            iri.value + "#"))

    found = store.quads_for_pattern(None, None, None, graph_for("build"))
    return [q.triple for q in found if ours(q.subject) or ours(q.object)]


def about_document(document: str, iri: NamedNode) -> list[Triple]:
    """What an entity's document says of itself: its licence and its topic."""
    doc = NamedNode(document)
    return [Triple(doc, DCTERMS.license, DATA_LICENSE), Triple(doc, FOAF.primaryTopic, iri)]


def entity_data(store: Store, iri_text: str, record: bool = False) -> dict[str, Any]:
    """Everything a page shows about one entity (the build record's when ``record``)."""
    iri = NamedNode(iri_text)
    outgoing, incoming = _quads(store, iri, None, record), _quads(store, None, iri, record)
    if not outgoing:
        raise NotFoundError(f"no entity <{iri_text}>")
    names: dict[Any, dict[str, str]] = {}

    def name(node: Any) -> dict[str, str]:
        if node not in names:
            names[node] = labels(store, node)
        return names[node]

    parts = [q for node in hash_parts(store, outgoing, iri, record)
             for q in _quads(store, node, None, record)]
    facts = _facts(outgoing[:settings.PAGE_TRIPLES], name)
    return {
        "iri": iri_text,
        "labels": name(iri),
        "types": [(t[1], name(NamedNode(t[1]))) for t in _objects(outgoing, RDF.type)],
        "facts": facts,
        "incoming": _incoming(incoming[:settings.PAGE_TRIPLES], name),
        "quotes": _quotes(store, iri, outgoing, name),
        "links_out": [f for f in facts if _external(f[2]) and f[0] != RDF.type.value],
        "parts": [(node, _facts(qs, name)) for node, qs in _by_subject(parts)],
    }


def _by_subject(quads: list[Quad]) -> list[tuple[str, list[Quad]]]:
    out: dict[str, list[Quad]] = {}
    for q in quads:
        out.setdefault(str(q.subject).strip("<>"), []).append(q)
    return sorted(out.items())


def _facts(quads: list[Quad], name: Any) -> list[tuple[Any, ...]]:
    seen: dict[tuple[str, PlainTerm], bool] = {}
    for q in quads:
        key = (q.predicate.value, term(q.object))
        seen[key] = seen.get(key, True) and q.graph_name == GRAPH.inferred
    return [
        (p, name(NamedNode(p)), o, name(NamedNode(o[1])) if o[0] == "iri" else {}, inferred)
        for (p, o), inferred in sorted(seen.items())
    ]


def _incoming(quads: list[Quad], name: Any) -> list[tuple[Any, ...]]:
    pairs = sorted({(q.subject.value, q.predicate.value) for q in quads
                    if isinstance(q.subject, NamedNode)})
    return [(s, name(NamedNode(s)), p, name(NamedNode(p))) for s, p in pairs]


def _objects(quads: list[Quad], prop: NamedNode) -> list[PlainTerm]:
    return sorted({term(q.object) for q in quads if q.predicate == prop})


def _quotes(store: Store, iri: NamedNode, outgoing: list[Quad], name: Any) -> list[Any]:
    """The entity's own source quotes, then those of its parts (links, targets, actions)."""
    parts = {q.object for q in outgoing
             if q.predicate in PART_OF_ENTITY and isinstance(q.object, NamedNode)}
    nodes = [iri, *sorted(parts, key=lambda n: str(n))]
    out = []
    for node in nodes:
        found = store.quads_for_pattern(node, FI.sourceQuote, None, None)
        quotes = {q.object.value for q in found if isinstance(q.object, Literal)}
        out += [(node.value, name(node), text) for text in sorted(quotes)]
    return out


def _external(obj: PlainTerm) -> bool:
    return obj[0] == "iri" and not obj[1].startswith(BASE)


def entity_task(store: Store, args: dict[str, Any]) -> Reply:
    """``describe``: page data (format text/html) or the entity's triples serialised, with
    the document's licence when ``args["document"]`` names the document's URL; the build
    record's triples only when ``args["record"]``."""
    record = bool(args.get("record"))
    if args["format"].startswith("text/html"):
        return Reply(data=entity_data(store, args["iri"], record))
    iri = NamedNode(args["iri"])
    if not exists(store, iri, record):
        raise NotFoundError(f"no entity <{args['iri']}>")
    triples = record_triples(store, iri) if record else entity_triples(store, iri)
    if args.get("document"):
        triples += about_document(args["document"], iri)
    return rdf_reply(triples, args["format"], args)


def ontology_data(store: Store) -> dict[str, Any]:
    """The ontology's header, classes and properties, with labels and comments."""
    g = graph_for("ontology")

    def subjects(kind: NamedNode) -> list[NamedNode]:
        found = {q.subject for q in store.quads_for_pattern(None, RDF.type, kind, g)}
        return sorted((n for n in found if isinstance(n, NamedNode)), key=lambda n: n.value)

    def entry(node: NamedNode) -> dict[str, Any]:
        values = {p: sorted(term(q.object) for q in store.quads_for_pattern(node, p, None, g))
                  for p in (SKOS.definition, RDFS.comment, RDFS.subClassOf, RDFS.domain,
                            RDFS.range)}
        out = {p.value.rsplit("#", 1)[-1]: v for p, v in values.items()}
        out["comment"] = out.pop("definition") + out["comment"]  # what the term means, first
        return {"iri": node.value, "labels": labels(store, node), **out}

    kinds = {"classes": OWL.Class, "object_properties": OWL.ObjectProperty,
             "datatype_properties": OWL.DatatypeProperty}
    header = [q for q in store.quads_for_pattern(None, RDF.type, OWL.Ontology, g)]
    head = entry(header[0].subject) if header else {"iri": "", "labels": {}}  # type: ignore[arg-type]
    return {"ontology": head, **{k: [entry(n) for n in subjects(v)] for k, v in kinds.items()}}


def ontology_task(store: Store, args: dict[str, Any]) -> Reply:
    """``ontology``: page data or the ontology graph serialised; with ``args["version"]``,
    only when that is the ontology's ``owl:versionIRI``."""
    if args.get("version"):
        version = NamedNode(args["version"])
        found = store.quads_for_pattern(None, OWL.versionIRI, version, graph_for("ontology"))
        if next(iter(found), None) is None:
            raise NotFoundError(f"no ontology version <{version.value}> in this build")
    if args["format"].startswith("text/html"):
        return Reply(data=ontology_data(store))
    g = graph_for("ontology")
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, g)]
    if not triples:
        raise NotFoundError("this build has no ontology graph")
    return rdf_reply(triples, args["format"], args)
