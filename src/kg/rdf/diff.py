"""What changed between two builds: facts added, removed and changed, grouped by entity.

The facts compared are the triples of every named graph of a build except the build
record (``graph/build``: it names the build) and the inferred graph (``graph/inferred``:
it follows from the rest), graph names left aside: a triple moved from one file to
another is unchanged. A **changed** fact is a subject and predicate that lost one object
and gained another (a corrected literal); every other triple only in the newer build is
**added**, only in the older one **removed**.

No rdflib and no triple objects on the main path, so two builds of a million triples
compare in seconds: each build's graphs are dumped by Oxigraph as N-Triples, their lines
become two sets of bytes, and the set differences are the patch. Lines with blank nodes
(the ontology's restrictions and lists) are set apart first; their blank nodes are named
by a hash of what they hold (their outgoing triples, recursively), so the same restriction
in two builds has the same name whatever label each store gave it.

For machines the patch is TriG with two named graphs, ``diff:added`` and ``diff:removed``
(:data:`kg.vocab.DIFF`): apply it by deleting the triples of one and inserting those of
the other. For people it is Markdown (:func:`markdown`), one section per entity with its
zh and en labels.

>>> from pyoxigraph import Literal, NamedNode as N, Quad, Store
>>> from kg.vocab import GRAPH_BASE, ID_BASE
>>> g, beijing = N(GRAPH_BASE + "data/x"), N(ID_BASE + "region/beijing")
>>> old, new = Store(), Store()
>>> old.extend([Quad(beijing, RDFS.label, Literal("Peking", language="en"), g)])
>>> new.extend([Quad(beijing, RDFS.label, Literal("Beijing", language="en"), g)])
>>> d = diff(old, new)
>>> [(str(t.object)) for t in d.removed], [(str(t.object)) for t in d.added]
(['"Peking"@en'], ['"Beijing"@en'])
>>> [(e.subject.value, e.changed) for e in entities(d, new, old)][0][1][0][0].value
'http://www.w3.org/2000/01/rdf-schema#label'
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, Triple, parse

from kg.errors import UsageError
from kg.rdf import formats, turtle
from kg.rdf.jsonld import shorten
from kg.rdf.write import rdf_bytes
from kg.store import Location
from kg.vocab import DIFF, GRAPH, PREFIXES, RDFS, SKOS, graph_for

#: Graphs a diff leaves out: the build record and what the rules inferred.
LEFT_OUT = frozenset({graph_for("build").value, GRAPH.inferred.value})
LABELS = (RDFS.label, SKOS.prefLabel)


@dataclass(frozen=True)
class Diff:
    """Triples only in the newer build (``added``) and only in the older (``removed``),
    sorted."""

    added: list[Triple]
    removed: list[Triple]


@dataclass
class Entity:
    """The changes of one subject: its labels by language, facts added and removed, and
    changed ones (a predicate with the objects it lost and those it gained)."""

    subject: Any
    labels: dict[str, str] = field(default_factory=dict)
    added: list[tuple[Any, Any]] = field(default_factory=list)
    removed: list[tuple[Any, Any]] = field(default_factory=list)
    changed: list[tuple[Any, list[Any], list[Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    """Two builds compared: how each was named (a release or a build id), the build ids,
    the patch and the changes by entity."""

    old: str
    new: str
    old_build: str
    new_build: str
    diff: Diff
    entities: list[Entity]

    @property
    def heading(self) -> tuple[str, str]:
        """Each side as ``1.0 (build ID)``, or the build id alone."""
        return _named(self.old, self.old_build), _named(self.new, self.new_build)


def _named(ref: str, build: str) -> str:
    return build if ref == build else f"{ref} (build {build})"


def compare(location: Location, old: str, new: str) -> Comparison:
    """Compare two builds of a location, each named by a release version or a build id
    (``current``: the current build)."""
    builds = [location.require_current() if ref == "current" else location.resolve(ref)
              for ref in (old, new)]
    a, b = (build.open() for build in builds)
    d = diff(a, b)
    return Comparison(old, new, builds[0].id, builds[1].id, d, entities(d, b, a))


def render(found: Comparison, fmt: str) -> bytes:
    """The comparison as Markdown (``md``) or its patch in a dataset format (``trig``,
    ``nq``: the graphs diff:added and diff:removed).

    >>> render(Comparison("a", "b", "a", "b", Diff([], []), []), "md").decode().splitlines()[0]
    '# Changes from a to b'
    """
    if fmt in ("md", "markdown", formats.MARKDOWN):
        return markdown(found.entities, *found.heading).encode("utf-8")
    if fmt not in formats.DIFF_FORMATS:
        with contextlib.suppress(UsageError):  # a media type or an alias
            fmt = formats.rdf_format(fmt).file_extension
    if fmt == "trig":
        return trig(found.diff)
    if fmt == "nq":
        return rdf_bytes(patch_quads(found.diff), RdfFormat.N_QUADS)
    raise UsageError(f"unknown diff format {fmt!r}; use one of {', '.join(formats.DIFF_FORMATS)}")


def compared_graphs(store: Store) -> list[NamedNode]:
    """The named graphs whose triples are a build's facts."""
    return sorted((g for g in store.named_graphs()
                   if isinstance(g, NamedNode) and g.value not in LEFT_OUT),
                  key=lambda g: g.value)


def diff(old: Store, new: Store) -> Diff:
    """The facts only in ``new`` (added) and only in ``old`` (removed)."""
    old_plain, old_blank = _lines(old)
    new_plain, new_blank = _lines(new)
    added = new_plain - old_plain
    removed = old_plain - new_plain
    del old_plain, new_plain
    old_named, new_named = _canonical(old_blank), _canonical(new_blank)
    return Diff(_triples(added, new_named - old_named), _triples(removed, old_named - new_named))


def _lines(store: Store) -> tuple[set[bytes], list[bytes]]:
    """A build's facts as N-Triples lines: those without blank nodes as a set, the others
    apart (a line whose literal holds ``_:`` is set apart too: it is compared the same)."""
    plain: set[bytes] = set()
    blank: list[bytes] = []
    for graph in compared_graphs(store):
        data = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph) or b""
        lines = data.split(b"\n")
        if b"_:" in data:
            blank += [line for line in lines if b"_:" in line]
            lines = [line for line in lines if b"_:" not in line]
        plain.update(lines)
    plain.discard(b"")
    return plain, blank


def _canonical(lines: list[bytes]) -> set[bytes]:
    """Lines with blank nodes, each blank node named by a hash of its content."""
    if not lines:
        return set()
    triples = list(parse(b"\n".join(lines) + b"\n", format=RdfFormat.N_TRIPLES))
    out: dict[Any, list[Triple]] = defaultdict(list)
    for t in triples:
        out[t.subject].append(t)
    names: dict[Any, str] = {}

    def name(node: Any, seen: frozenset[Any] = frozenset()) -> str:
        if not isinstance(node, BlankNode):
            return str(node)
        if node in seen:
            return "_:cycle"
        if node not in names:
            parts = sorted(f"{t.predicate} {name(t.object, seen | {node})}" for t in out[node])
            names[node] = "_:b" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        return names[node]

    return {f"{name(t.subject)} {t.predicate} {name(t.object)} .".encode() for t in triples}


def _triples(lines: Iterable[bytes], named: Iterable[bytes]) -> list[Triple]:
    data = b"\n".join([*lines, *named]) + b"\n"
    return turtle.sorted_quads(parse(data, format=RdfFormat.N_TRIPLES))


def entities(d: Diff, new: Store, old: Store | None = None) -> list[Entity]:
    """The changes by subject (IRIs in order, then blank nodes), labels from ``new``
    (else ``old``): a predicate of a subject that lost objects and gained others is one
    changed fact, listed with both."""
    gained: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    lost: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for t in d.added:
        gained[t.subject][t.predicate].append(t.object)
    for t in d.removed:
        lost[t.subject][t.predicate].append(t.object)
    out = []
    for subject in sorted(set(gained) | set(lost), key=turtle.sort_key):
        e = Entity(subject, labels(new, subject) or (labels(old, subject) if old else {}))
        plus, minus = gained.get(subject, {}), lost.get(subject, {})
        for p in sorted(set(plus) | set(minus), key=turtle.sort_key):
            if p in plus and p in minus:
                e.changed.append((p, minus[p], plus[p]))
            else:
                e.added += [(p, o) for o in plus.get(p, [])]
                e.removed += [(p, o) for o in minus.get(p, [])]
        out.append(e)
    return out


def labels(store: Store, node: Any) -> dict[str, str]:
    """A node's labels by language (rdfs:label, else skos:prefLabel), in any graph."""
    out: dict[str, str] = {}
    if not isinstance(node, NamedNode):
        return out
    for prop in LABELS:
        for quad in islice(store.quads_for_pattern(node, prop, None, None), 20):
            if isinstance(quad.object, Literal):
                out.setdefault(quad.object.language or "", quad.object.value)
    return out


def counts(found: list[Entity]) -> dict[str, int]:
    """Facts added, removed and changed, and entities touched.

    >>> counts([Entity("s", added=[(1, 2)], changed=[(3, [4], [5, 6])])])
    {'added': 1, 'removed': 0, 'changed': 1, 'entities': 1}
    """
    return {"added": sum(len(e.added) for e in found),
            "removed": sum(len(e.removed) for e in found),
            "changed": sum(len(e.changed) for e in found),
            "entities": len(found)}


def patch_quads(d: Diff) -> list[Quad]:
    """The patch as quads: ``diff:added`` and ``diff:removed``."""
    return ([Quad(t.subject, t.predicate, t.object, DIFF.added) for t in d.added]
            + [Quad(t.subject, t.predicate, t.object, DIFF.removed) for t in d.removed])


def trig(d: Diff) -> bytes:
    """The patch as TriG (two named graphs), sorted."""
    return turtle.write(patch_quads(d), {**PREFIXES, "diff": DIFF.base}, dataset=True)


def shown(node: Any) -> str:
    """A term as the Markdown shows it: a prefixed name or IRI, a literal as in Turtle.

    >>> from kg.vocab import ID_BASE
    >>> shown(NamedNode(ID_BASE + "region/beijing")), shown(Literal("北京", language="zh"))
    ('id:region/beijing', '"北京"@zh')
    """
    if isinstance(node, NamedNode):
        short = shorten(node.value)
        return short if short != node.value else f"<{node.value}>"
    if isinstance(node, Literal) and node.language is None and \
            node.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f'"{_escaped(node.value)}"^^{shorten(node.datatype.value)}'
    return str(node)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def title(e: Entity) -> str:
    """An entity's heading: its en and zh labels and its name.

    >>> from kg.vocab import ID_BASE
    >>> title(Entity(NamedNode(ID_BASE + "region/beijing"), {"en": "Beijing", "zh": "北京"}))
    'Beijing / 北京 (id:region/beijing)'
    """
    names = [e.labels[lang] for lang in ("en", "zh") if lang in e.labels]
    names = names or [v for v in e.labels.values()][:1]
    return f"{' / '.join(names)} ({shown(e.subject)})" if names else shown(e.subject)


def markdown(found: list[Entity], old: str, new: str) -> str:
    """The changes for people: counts, then one section per entity."""
    n = counts(found)
    lines = [f"# Changes from {old} to {new}", "",
             f"{n['added']} facts added, {n['removed']} removed, {n['changed']} changed, "
             f"in {n['entities']} entities.", ""]
    for e in found:
        lines += [f"## {title(e)}", ""]
        lines += [f"- added: `{shown(p)}` {_code(o)}" for p, o in e.added]
        lines += [f"- removed: `{shown(p)}` {_code(o)}" for p, o in e.removed]
        lines += [f"- changed: `{shown(p)}` {', '.join(_code(o) for o in was)} → "
                  f"{', '.join(_code(o) for o in now)}" for p, was, now in e.changed]
        lines.append("")
    return "\n".join(lines)


def _code(node: Any) -> str:
    text = shown(node)
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"
