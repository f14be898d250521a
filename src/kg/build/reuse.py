"""What a build can take from earlier ones instead of doing again.

**Nothing changed**: a build's inputs have one fingerprint (:func:`fingerprint`: the kg
version, the options, and the SHA-256 of every source file, the shapes, the packaged
questions and every other file of the project's folders, ``settings.INPUT_FOLDERS``).
``kg build`` computes it first, with none of the pipeline loaded, and when it is the
current build's the build is not made again: the current build *is* that build
(``kg build`` says ``unchanged: build ID is current``; ``--force`` builds anyway).

**The judgement of HermiT**: what HermiT inferred is kept in ``LOCATION/cache/hermit/``
under a key of what it depends on (:func:`hermit_key`): the ontology as it is, and the
curated data without their annotations, since OWL 2 gives annotation assertions (labels,
notes: ``rdfs:label``, ``skos:altLabel``…) no meaning. So a forced rebuild, a changed
question or external dataset, or a corrected label or note skips the JVM. When the rules'
closure of the data is a model of the ontology (:mod:`kg.build.entailment`), HermiT judges
the ontology alone and its judgement is keyed on the ontology's files: a changed fact
needs no JVM either; otherwise a changed fact (a property value, a quote:
``fi:sourceQuote`` is a datatype property) is judged again.
**The question catalogue's graph** is kept likewise (``LOCATION/cache/catalogue/``), under
the kg version and the files of ``queries/``: loading and checking the questions (and the
SPARQL grammar that checks them) is skipped while they do not change. The manifest lists
what was reused.

>>> import tempfile
>>> cache = Path(tempfile.mkdtemp())
>>> remembered(cache, b"x") is None
True
>>> remember(cache, b"x", [("http://e/a", "http://e/p", "http://e/b")])
>>> remembered(cache, b"x")
[('http://e/a', 'http://e/p', 'http://e/b')]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from kg import __version__, settings
from kg.store import Location
from kg.vocab import OWL, RDF, RDFS

Triple = tuple[str, str, str]


def fingerprint(paths: Iterable[Path], options: dict[str, object]) -> str:
    """One digest of everything a build reads: the given files (sources), the files of the
    project's input folders, the kg version and the options (``--pyshacl``…).

    >>> a = fingerprint([], {"reference": False})
    >>> a == fingerprint([], {"reference": False}), a == fingerprint([], {"reference": True})
    (True, False)
    """
    project = settings.resources()
    root = project.root
    files = {f.resolve() for p in paths
             for f in (sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p])}
    for folder in settings.INPUT_FOLDERS:  # where kg.toml's [folders] put them
        base: Path = getattr(project, folder)
        if base.is_dir():
            files.update(p.resolve() for p in base.rglob("*")
                         if p.is_file() and not p.name.startswith("."))
    for name in settings.INPUT_FILES:
        if (root / name).is_file():
            files.add((root / name).resolve())
    digest = hashlib.sha256(json.dumps([__version__, sorted(options.items())],
                                       default=str).encode())
    for path in sorted(files):
        digest.update(f"\n{path}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def options(paths: list[Path] | None, reference: bool) -> dict[str, object]:
    """The options a build's fingerprint covers: which sources were named, ``--pyshacl``."""
    return {"paths": sorted(str(p.resolve()) for p in paths or []), "reference": reference}


def unchanged(location: Path, paths: list[Path] | None, reference: bool) -> str | None:
    """The id of the current build at ``location`` when its inputs are the same as now's,
    else None (no build, other inputs, or a build made before fingerprints)."""
    current = Location(location).current()
    if current is None:
        return None
    try:
        recorded = current.manifest().get("inputs")
    except (OSError, ValueError):
        return None
    return current.id if recorded == fingerprint(paths or [], options(paths, reference)) \
        else None


#: Annotation properties OWL 2 itself defines (an ontology declares its others).
BUILT_IN_ANNOTATIONS = frozenset({
    RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo,
    OWL.deprecated, OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith})


def annotation_properties(store: Store, ontology: NamedNode) -> set[bytes]:
    """The annotation properties (built in, and declared in the ontology graph), as they
    appear in N-Triples (``<IRI>``)."""
    declared = {q.subject for q in store.quads_for_pattern(
        None, RDF.type, OWL.AnnotationProperty, ontology) if isinstance(q.subject, NamedNode)}
    return {f"<{p.value}>".encode() for p in BUILT_IN_ANNOTATIONS | declared}


def hermit_key(store: Store, graphs: list[NamedNode], ontology: NamedNode,
               checksums: dict[str, list[str]]) -> bytes:
    """What HermiT's judgement of ``graphs`` depends on: the ontology's files (by
    ``checksums``: graph → SHA-256 of its files) and each other graph's triples but
    annotation assertions, sorted (a graph with blank nodes: its files).

    >>> from pyoxigraph import Literal, Quad
    >>> g, s, o = NamedNode("http://e/g"), NamedNode("http://e/s"), NamedNode("http://e/o")
    >>> onto = NamedNode("http://e/onto")
    >>> store = Store()
    >>> store.add(Quad(s, RDF.type, o, g))
    >>> before = hermit_key(store, [g], onto, {})
    >>> store.add(Quad(s, RDFS.label, Literal("x"), g))
    >>> hermit_key(store, [g], onto, {}) == before
    True
    >>> store.add(Quad(s, OWL.sameAs, o, g))
    >>> hermit_key(store, [g], onto, {}) == before
    False
    """
    skip = annotation_properties(store, ontology)
    parts = [f"{GRAPH_KEY_VERSION}"]
    for graph in graphs:
        data = b"" if graph == ontology else store.dump(
            format=RdfFormat.N_TRIPLES, from_graph=graph) or b""
        if graph == ontology or b"_:" in data:
            files = " ".join(sorted(checksums.get(graph.value, [])))
            parts.append(f"{graph.value} files {files}")
            continue
        kept = sorted(line for line in data.split(b"\n")
                      if line and line.split(b" ", 2)[1] not in skip)
        digest = hashlib.sha256(b"\n".join(kept)).hexdigest()
        parts.append(f"{graph.value} triples {digest}")
    return "\n".join(parts).encode()


GRAPH_KEY_VERSION = "hermit-key-1"  # bump when what the key covers changes


def catalogue_key() -> bytes:
    """What the question catalogue's graph depends on: the kg version and the files of the
    project's ``queries/`` folder."""
    folder = settings.resources().queries
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    digest = hashlib.sha256(__version__.encode())
    for path in files:
        digest.update(f"\n{path.relative_to(folder)}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest().encode()


def kept(cache: Path, key: bytes) -> bytes | None:
    """Bytes kept under ``key`` (:func:`keep`), or None."""
    try:
        return (cache / f"{hashlib.sha256(key).hexdigest()}.bin").read_bytes()
    except OSError:
        return None


def keep(cache: Path, key: bytes, data: bytes) -> None:
    """Keep ``data`` under ``key`` (written whole or not at all), the newest
    ``settings.HERMIT_CACHE_ENTRIES`` only."""
    cache.mkdir(parents=True, exist_ok=True)
    entry = cache / f"{hashlib.sha256(key).hexdigest()}.bin"
    tmp = entry.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(entry)
    _trim(cache, "*.bin")


def _trim(cache: Path, pattern: str) -> None:
    entries = sorted(cache.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[settings.HERMIT_CACHE_ENTRIES:]:
        old.unlink(missing_ok=True)


def _entry(cache: Path, key: bytes) -> Path:
    return cache / f"{hashlib.sha256(key).hexdigest()}.json"


def remembered(cache: Path, key: bytes) -> list[Triple] | None:
    """What HermiT inferred from the input ``key`` names, before, or None."""
    try:
        found = json.loads(_entry(cache, key).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return [(s, p, o) for s, p, o in found]


def remember(cache: Path, key: bytes, inferred: list[Triple]) -> None:
    """Keep what HermiT inferred from the input ``key`` names (written whole or not at
    all); the oldest entries go past ``settings.HERMIT_CACHE_ENTRIES``."""
    cache.mkdir(parents=True, exist_ok=True)
    entry = _entry(cache, key)
    tmp = entry.with_suffix(".tmp")
    tmp.write_text(json.dumps(inferred), "utf-8")
    tmp.replace(entry)
    _trim(cache, "*.json")
