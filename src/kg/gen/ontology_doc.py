"""docs/ontology.md, a human-readable page generated from the ontology itself.

Every class, property and named individual with its zh + en labels, definition,
superclasses, domain and range, characteristics, inverse and property chain.
Regenerate with ``kg docs``; ``kg docs --check`` fails when the page is stale.

>>> text = render()
>>> text.startswith("# Future-industries ontology")
True
>>> "## Classes" in text and "`fi:Plan`" in text
True
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Store

from kg import settings
from kg.errors import KgError
from kg.vocab import FI, ONTOLOGY_IRI, OWL, PREFIXES, RDF, prologue

DOC_PATH = Path("docs") / "ontology.md"

_TERMS = prologue("owl", "rdf") + """SELECT ?term ?kind WHERE {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
  ?term a ?kind FILTER(STRSTARTS(STR(?term), STR(<FI>)))
} ORDER BY ?kind ?term"""

_FACTS = """SELECT ?p ?o WHERE { ?term ?p ?o FILTER(!isBlank(?o)) } ORDER BY ?p ?o"""


_INDIVIDUALS = prologue("skos") + """SELECT ?term ?class WHERE {
  ?term a ?class FILTER(STRSTARTS(STR(?class), STR(<FI>))) } ORDER BY ?class ?term"""

_SECTIONS = {
    "Class": "Classes",
    "ObjectProperty": "Object properties",
    "DatatypeProperty": "Datatype properties",
    "AnnotationProperty": "Annotation properties",
}
_ROWS = [
    ("subClassOf", "subclass of"),
    ("subPropertyOf", "subproperty of"),
    ("domain", "domain"),
    ("range", "range"),
    ("inverseOf", "inverse of"),
    ("disjointWith", "disjoint with"),
]


def _store() -> Store:
    store = Store()
    for path in sorted(settings.resources().ontology.glob("*.ttl")):
        if path.name != "shapes.ttl":
            store.load(path=str(path), format=RdfFormat.TURTLE)
    return store


def short(iri: str) -> str:
    """A prefixed name when a known prefix fits.

    >>> short("https://w3id.org/future-industries/ontology#Plan")
    'fi:Plan'
    """
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base):]}"
    return f"<{iri}>"


def _facts(store: Store, term: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for row in store.query(_FACTS.replace("?term", f"<{term}>")):  # type: ignore[union-attr]
        pred, obj = row["p"].value, row["o"]
        key = pred.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        lang = getattr(obj, "language", None)
        text = obj.value if type(obj).__name__ == "Literal" else short(obj.value)
        out[f"{key}@{lang}" if lang else key].append(text)
    return out


def _entry(store: Store, term: str) -> list[str]:
    facts = _facts(store, term)
    zh, en = facts.get("label@zh", [""])[0], facts.get("label@en", [""])[0]
    lines = [f"### `{short(term)}` — {en} / {zh}", ""]
    for definition in facts.get("definition@en", []) + facts.get("definition@zh", []):
        lines.append(f"{definition}  ")
    types = [t for t in facts.get("type", []) if "Property" in t and t != "owl:ObjectProperty"]
    if types and "owl:DatatypeProperty" not in types:
        lines.append(f"*Characteristics:* {', '.join(t.split(':')[1] for t in types)}  ")
    for key, title in _ROWS:
        if facts.get(key):
            lines.append(f"*{title.capitalize()}:* {', '.join(f'`{v}`' for v in facts[key])}  ")
    chain = [short(step) for step in _chain(store, term)]
    if chain:
        lines.append(f"*Property chain:* {' ∘ '.join(f'`{c}`' for c in chain)}  ")
    return [*lines, ""]


def _chain(store: Store, term: str) -> list[str]:
    """The steps of a property chain axiom, in list order."""
    heads = list(store.quads_for_pattern(NamedNode(term), OWL.propertyChainAxiom, None))
    steps: list[str] = []
    node: Any = heads[0].object if heads else RDF.nil
    while node != RDF.nil:
        steps += [str(q.object) for q in store.quads_for_pattern(node, RDF.first, None)]
        node = next(q.object for q in store.quads_for_pattern(node, RDF.rest, None))
    return [step.strip("<>") for step in steps]


def render() -> str:
    """The whole page as Markdown."""
    store = _store()
    query = _TERMS.replace("<FI>", f"<{FI.base}>")
    by_kind: dict[str, list[str]] = defaultdict(list)
    for row in store.query(query):  # type: ignore[union-attr]
        by_kind[row["kind"].value.rsplit("#", 1)[-1]].append(row["term"].value)
    out = [
        "# Future-industries ontology",
        "",
        f"`{ONTOLOGY_IRI}` — generated from `ontology/*.ttl` by `kg docs`; do not edit by hand.",
        "The data model and its decisions are explained in [model.md](model.md).",
        "",
    ]
    for kind, title in _SECTIONS.items():
        if by_kind.get(kind):
            out += [f"## {title}", ""]
            for term in by_kind[kind]:
                out += _entry(store, term)
    return "\n".join(out + _individuals(store)).rstrip() + "\n"


def _individuals(store: Store) -> list[str]:
    rows = store.query(_INDIVIDUALS.replace("<FI>", f"<{FI.base}>"))
    lines = ["## Named individuals", "", "| individual | class | en | zh |", "|---|---|---|---|"]
    for row in rows:  # type: ignore[union-attr]
        term = row["term"].value
        facts = _facts(store, term)
        label = facts.get("prefLabel@en", facts.get("label@en", [""]))[0]
        label_zh = facts.get("prefLabel@zh", facts.get("label@zh", [""]))[0]
        lines.append(f"| `{short(term)}` | `{short(row['class'].value)}` | {label} | {label_zh} |")
    return lines


def path() -> Path:
    """Where the page lives in the checkout."""
    return settings.resources().root / DOC_PATH


def write() -> Path:
    """Regenerate docs/ontology.md; return its path."""
    target = path()
    target.write_text(render(), "utf-8")
    return target


def check() -> None:
    """Raise KgError when docs/ontology.md differs from what the ontology generates."""
    target = path()
    current = target.read_text("utf-8") if target.is_file() else ""
    if current != render():
        raise KgError(f"{DOC_PATH} is stale: regenerate it with `kg docs`")
