"""The build pipeline: parse → validate → reason → load, atomically published.

>>> report = check()                       # the curated graph, in memory
>>> report.graphs["https://w3id.org/future-industries/graph/ontology"] > 100
True
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse, serialize

from kg import settings
from kg.build import (
    consistency,
    coverage,
    entailment,
    evidence,
    hermit,
    load,
    manifest,
    reuse,
    rules,
    shacl_checks,
    shacl_run,
    summaries,
)
from kg.build.sources import Source, collect
from kg.build.writer import Writer, release
from kg.errors import InconsistencyError, ValidationError, Violation
from kg.store import MANIFEST, Location
from kg.vocab import EVIDENCE_GRAPH, GRAPH, graph_for

Progress = Callable[[str], None]
Sink = Callable[[Store, list[NamedNode]], None]


@dataclass
class BuildReport:
    """What a build or check did."""

    build_id: str | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    hermit: str = ""
    shacl: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    inputs: str = ""  # the fingerprint of what the build read (kg.build.reuse)
    reused: list[str] = field(default_factory=list)  # stages taken from earlier builds
    unchanged: bool = False  # nothing changed: no build made, ``build_id`` is current
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def as_manifest(self) -> dict[str, Any]:
        data = manifest.make(self.build_id or "check", self.sources, self.hermit)
        data |= {"shacl": self.shacl, "graphs": self.graphs, "classes": self.classes,
                 "evidence": self.evidence}
        data |= {"inputs": self.inputs, "reused": self.reused}
        return data | {"timings_s": self.timings, "triples": self.triples}


def check(paths: list[Path] | None = None, on_step: Progress | None = None) -> BuildReport:
    """Parse, validate (pySHACL as well) and reason in memory; write nothing."""
    return _run(Store(), collect(paths), on_step or _quiet, reference=True)


def build(
    location: Path,
    paths: list[Path] | None = None,
    on_step: Progress | None = None,
    reference: bool = False,
    force: bool = True,
) -> BuildReport:
    """Build a new store at a location and make it current only if all steps pass.

    Parsing, validation and reasoning run on an in-memory store (queries and
    updates there are several times faster than on disk). Meanwhile a writer
    process bulk-loads the same files into a fresh on-disk store and then takes
    the derived graphs; ``current`` switches to the new store once it is
    complete. With ``reference``, pySHACL validates the curated files too
    (``kg check`` always does). Without ``force`` (``kg build`` without ``--force``),
    nothing is built when the inputs are the current build's (:mod:`kg.build.reuse`): the
    report says ``unchanged`` and names that build. HermiT's judgement of the same input is
    reused from ``LOCATION/cache/hermit``.
    """
    loc = Location(location)
    sources = collect(paths)
    on_step = on_step or _quiet
    inputs = reuse.fingerprint(paths or [], reuse.options(paths, reference))
    with loc.lock():
        current = None if force else reuse.unchanged(location, paths, reference)
        if current is not None:
            return BuildReport(build_id=current, inputs=inputs, unchanged=True)
        loc.prune()
        build_id = manifest.new_build_id()
        build_dir = loc.new_build_dir(build_id)
        with _discard_on_error(build_dir), Writer(build_dir / "store") as writer:
            whole = _Whole(build_dir) if _small(sources) else None
            if whole is None:  # a big build: the sources reach the disk from the first second
                for source in sources:
                    writer.load(source.path, source.format, source.graph)
            memory = Store()
            sink = _Sink(writer, build_dir) if whole is None else whole
            report = _run(memory, sources, on_step, build_id, reference, sink,
                          cache=loc.root / "cache")
            report.inputs = inputs
            with _timed(report, "write", on_step):
                if whole is not None:
                    writer.load(whole.file(memory), RdfFormat.N_QUADS, remove=True)
                writer.close()
            manifest.write(build_dir / MANIFEST, report.as_manifest())
        loc.publish(build_dir)
        loc.prune()
    return report


class _Sink:
    """Hands graphs derived in memory to the writer, as N-Triples files."""

    def __init__(self, writer: Writer, folder: Path) -> None:
        self.writer, self.folder, self.n = writer, folder, 0

    def __call__(self, store: Store, graphs: list[NamedNode]) -> None:
        for graph in graphs:
            self.n += 1
            path = self.folder / f"derived-{self.n}.nt"
            store.dump(path, format=RdfFormat.N_TRIPLES, from_graph=graph)
            self.writer.load(path, RdfFormat.N_TRIPLES, graph, remove=True)
        if GRAPH.inferred in graphs:  # the big loads are done: compact while validation runs
            self.writer.optimize()


def _small(sources: list[Source]) -> bool:
    """Are the sources small enough to be written in one load once the build is done?"""
    return sum(s.path.stat().st_size for s in sources) <= settings.WRITE_AT_END_BYTES


class _Whole:
    """A small build's sink: the graphs the pipeline drops from memory once handed over
    (the inferred graph, the summaries) are kept, and the whole dataset goes to the writer
    at the end, in one load (each load is a few synced files: one instead of one per source
    and per derived graph)."""

    DROPPED = (GRAPH.inferred, summaries.GRAPH)

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.kept: dict[NamedNode, bytes] = {}

    def __call__(self, store: Store, graphs: list[NamedNode]) -> None:
        for graph in graphs:
            if graph in self.DROPPED:
                self.kept[graph] = _quads_of(store, graph)

    def file(self, store: Store) -> Path:
        """Everything built (the memory store and the graphs kept) as one N-Quads file."""
        path = self.folder / "built.nq"
        with path.open("wb") as fh:
            store.dump(fh, format=RdfFormat.N_QUADS)
            for data in self.kept.values():
                fh.write(data)
        return path


def _quads_of(store: Store, graph: NamedNode) -> bytes:
    return serialize(store.quads_for_pattern(None, None, None, graph),
                     format=RdfFormat.N_QUADS) or b""


def _no_sink(_store: Store, _graphs: list[NamedNode]) -> None:
    return None


@contextmanager
def _discard_on_error(build_dir: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise


def _run(
    store: Store,
    sources: list[Source],
    on_step: Progress,
    build_id: str = "",
    reference: bool = False,
    sink: Sink = _no_sink,
    cache: Path | None = None,
) -> BuildReport:
    report = BuildReport(build_id=build_id or None)
    with _timed(report, "parse", on_step):
        report.sources = [_load(store, s, on_step) for s in sources]
    with _timed(report, "reason", on_step):
        try:
            _reason(store, sources, report, sink, cache and cache / "hermit")
        except InconsistencyError:  # a shape violation, if any, says more precisely what
            store.remove_graph(GRAPH.inferred)
            _validate(store, sources, report, reference)
            raise
    summaries.write(store, report.graphs, sink)  # counts the questions read (stated + inferred)
    store.remove_graph(GRAPH.inferred)  # the shapes check what was stated, not what was inferred
    release()  # what the rules' queries and the inferred graph held, while the writer loads
    with _timed(report, "evidence", on_step):
        located = _locate(store, sources, report)
    with _timed(report, "validate", on_step):
        _validate(store, sources, report, reference, cache and cache / "shapes")
    located.check()  # after the shapes: a missing quote or title is reported as such
    sink(store, [EVIDENCE_GRAPH])
    with _timed(report, "record", on_step):
        _record(store, report, sink, cache and cache / "catalogue")
    return report


def _locate(store: Store, sources: list[Source], report: BuildReport) -> evidence.Located:
    """Every quote found in its source's text, as annotations in the evidence graph (which
    the shapes then check too); kg.build.evidence."""
    located = evidence.locate(store, sources, settings.resources().root)
    found = coverage.of_located(located)
    located.quads += coverage.quads(found)  # so that each source's page shows its coverage
    store.extend(located.quads)
    report.evidence = located.figures | {"coverage": {
        iri: c.figures() for iri, c in found.items()}}
    if located.quads:
        report.graphs[EVIDENCE_GRAPH.value] = len(located.quads)
    return located


def _catalogue(report: BuildReport, cache: Path | None) -> set[Quad]:
    key = reuse.catalogue_key() if cache else b""
    data = reuse.kept(cache, key) if cache else None
    if data is not None:
        report.reused.append("catalogue")
        return set(parse(data, format=RdfFormat.N_QUADS))
    from kg.catalogue import Catalogue  # the questions, checked with the SPARQL grammar

    quads = set(Catalogue.load().to_quads())
    if cache:
        reuse.keep(cache, key, serialize(quads, format=RdfFormat.N_QUADS) or b"")
    return quads


def _record(store: Store, report: BuildReport, sink: Sink, cache: Path | None = None) -> None:
    """The catalogue (its graph kept in ``cache`` between builds) and, for a build, the
    manifest as graphs of their own."""
    catalogue = _catalogue(report, cache)
    store.extend(catalogue)
    report.graphs[GRAPH.queries.value] = len(catalogue)
    if report.build_id:  # the manifest in the store records the other graphs' counts
        report.graphs[graph_for("build").value] = manifest.record(store, report.as_manifest())
    report.graphs = dict(sorted(report.graphs.items()))
    sink(store, [GRAPH.queries, graph_for("build")])


@contextmanager
def _timed(report: BuildReport, step: str, on_step: Progress) -> Iterator[None]:
    on_step(step)
    start = time.perf_counter()
    yield
    report.timings[step] = round(time.perf_counter() - start, 3)


def _load(store: Store, source: Source, on_step: Progress) -> dict[str, Any]:
    on_step(f"parse {shown_path(source.path)}")
    triples = load.load_source(store, source, bulk=False)  # the store is in memory
    return {
        "path": str(source.path),
        "graph": source.graph.value,
        "sha256": source.sha256(),
        "triples": triples,
        "curated": source.curated,
    }


def shown_path(path: Path) -> str:
    """A source as the build log names it: relative to the project when inside it, else as
    given (two files of one name in different folders never look alike).

    >>> root = settings.resources().root
    >>> shown_path(root / "data" / "links" / "regions.ttl"), shown_path(Path("/tmp/x.ttl"))
    ('data/links/regions.ttl', '/tmp/x.ttl')
    """
    file = path.resolve()
    root = settings.resources().root.resolve()
    return file.relative_to(root).as_posix() if file.is_relative_to(root) else str(path)


def _validate(store: Store, sources: list[Source], report: BuildReport, reference: bool,
              cache: Path | None = None) -> None:
    """Every graph against the shapes compiled to SPARQL, optionally pySHACL as well.

    The compiled shapes run inside Oxigraph at any size; tests/test_shacl_sparql.py
    holds them to pySHACL's results. With ``reference`` (``kg check``), pySHACL also
    validates the ontology and curated files while they stay under
    ``settings.SHACL_MAX_TRIPLES``. When the shapes use a feature the compiler lacks, pySHACL
    validates everything. The compiled checks are kept in ``cache`` under the shapes and
    the subclass table they were compiled against.
    """
    shapes = settings.shapes_path()
    checks = _checks(shapes, shacl_checks.subclasses(store), report, cache)
    found = (set(shacl_run.validate(store, checks, workers=settings.BUILD_THREADS))
             if checks is not None else set())
    by_pyshacl = _pyshacl_sources(sources, report, reference, compiled=checks is not None)
    if by_pyshacl:
        from kg.build import shacl  # pySHACL and rdflib: only when asked for

        found |= set(shacl.validate(store, _unique(s.graph for s in by_pyshacl), shapes))
    used = (("pyshacl", bool(by_pyshacl)), ("sparql", checks is not None))
    report.shacl = "+".join(name for name, on in used if on)
    errors = sorted((v for v in found if v.severity == "Violation"), key=str)
    if errors:
        raise ValidationError(_dedupe(errors))


def _checks(shapes: Path, classes: dict[str, set[str]], report: BuildReport,
            cache: Path | None) -> list[shacl_checks.Check] | None:
    """The shapes compiled to SPARQL (None: a feature the compiler lacks), from ``cache``
    when the same shapes were compiled against the same classes before."""
    table = json.dumps(sorted((c, sorted(subs)) for c, subs in classes.items()))
    key = shapes.read_bytes() + b"\n" + table.encode() + reuse.GRAPH_KEY_VERSION.encode()
    data = reuse.kept(cache, key) if cache else None
    if data is not None:
        report.reused.append("shapes")
        return [shacl_checks.Check(**c) for c in json.loads(data)]
    from kg.build import shacl_sparql  # the compiler reads the shapes with rdflib

    try:
        checks = shacl_sparql.compile_shapes(shapes, classes)
    except shacl_checks.Unsupported:
        return None
    if cache:
        reuse.keep(cache, key, json.dumps([c.as_json() for c in checks]).encode())
    return checks


def _pyshacl_sources(
    sources: list[Source], report: BuildReport, reference: bool, compiled: bool
) -> list[Source]:
    """What pySHACL validates: everything if the shapes did not compile, else the
    curated files when asked for a reference check and small enough."""
    if not compiled:
        return sources
    chosen = [s for s in sources if s.reference] if reference else []
    return chosen if sum(_triples(report, s) for s in chosen) <= settings.SHACL_MAX_TRIPLES else []


def _triples(report: BuildReport, source: Source) -> int:
    return int(next(s["triples"] for s in report.sources if s["path"] == str(source.path)))


def _dedupe(violations: list[Violation]) -> list[Violation]:
    """One violation per focus node, path and message (both validators may report it)."""
    seen: dict[tuple[str, str | None, str], Violation] = {}
    for v in violations:
        seen.setdefault((v.focus, v.path, v.message), v)
    return list(seen.values())


def _hermit_graphs(sources: list[Source], report: BuildReport) -> list[NamedNode]:
    """What HermiT reasons over: the ontology, the curated files and, at that scale,
    the user's own sources; never the shipped external datasets (the SPARQL checks
    see those)."""
    chosen = [s for s in sources if s.reference or not s.curated]
    if sum(_triples(report, s) for s in chosen) > settings.HERMIT_MAX_TRIPLES:
        chosen = [s for s in sources if s.reference]
    given = any(not s.curated for s in chosen)
    report.hermit = "ontology+curated" + ("+sources" if given else "")
    return _unique(s.graph for s in chosen)


def _dump(store: Store, graphs: list[NamedNode]) -> bytes:
    return b"".join(store.dump(format=RdfFormat.N_TRIPLES, from_graph=g) or b"" for g in graphs)


def _reason(store: Store, sources: list[Source], report: BuildReport, sink: Sink,
            cache: Path | None = None) -> None:
    """Rules and HermiT (in a Java subprocess meanwhile; its judgement of the same input
    taken from ``cache`` when there); the inferred graph goes to the writer before the
    usual culprits are named (literals: in the graphs HermiT reads; the shapes check the
    datatypes of every graph). When the rules' closure of the data is a model of the
    ontology (:mod:`kg.build.entailment`), HermiT judges the ontology alone (its judgement
    kept under the ontology's files, so a changed fact needs no JVM) and the closure is
    what the data entail."""
    checked = _hermit_graphs(sources, report)
    judge = _judgement(store, checked, report, cache)
    with ThreadPoolExecutor(1, thread_name_prefix="hermit") as pool:
        hermit_run = pool.submit(judge)
        rules.materialise(store)
        try:
            _add_hermit(store, hermit_run.result())
        except InconsistencyError:
            _culprits(store, checked)  # HermiT says that; these say where, when they can
            raise
    _count(store, report)
    sink(store, [GRAPH.inferred])
    _culprits(store, checked)


def _judgement(store: Store, checked: list[NamedNode], report: BuildReport,
               cache: Path | None) -> Callable[[], list[hermit.Triple]]:
    """What the ontology and the ``checked`` graphs entail, as a function to run beside the
    rules: taken from ``cache`` when the same input was judged before; else the rules decide
    the data when they can (HermiT judging the ontology alone), else HermiT judges all."""
    ontology = graph_for("ontology")
    checksums: dict[str, list[str]] = {}
    for s in report.sources:
        checksums.setdefault(s["graph"], []).append(s["sha256"])
    key = reuse.hermit_key(store, checked, ontology, checksums)
    ruled = key + f"\nthe rules decide the data ({entailment.VERSION})".encode()
    for entry in (ruled, key):
        kept = reuse.remembered(cache, entry) if cache else None
        if kept is not None:
            report.reused.append("hermit")
            if entry == ruled:
                report.hermit = _ruled(report.hermit)
            return _given(kept)
    scratch = entailment.copy(store, checked)  # the rest runs beside the rules, as HermiT
    alone = [g for g in checked if g == ontology]
    data, onto_data = _dump(store, checked), _dump(store, alone)
    onto_key = reuse.hermit_key(store, alone, ontology, checksums)

    def judge() -> list[hermit.Triple]:
        decided = entailment.decide(scratch, ontology)  # None: HermiT judges the data too
        if decided is None:
            return _hermit(data, cache, key)()
        report.hermit = _ruled(report.hermit)
        known = reuse.remembered(cache, onto_key) if cache else None
        if known is not None:
            report.reused.append("hermit")
        found = (known if known is not None else _hermit(onto_data, cache, onto_key)()) + decided
        if cache:
            reuse.remember(cache, ruled, found)
        return found

    return judge


def _given(triples: list[hermit.Triple]) -> Callable[[], list[hermit.Triple]]:
    return lambda: triples


def _ruled(checked: str) -> str:
    """The manifest's ``hermit`` when the rules judged the data."""
    return f"ontology; rules: {checked.removeprefix('ontology+')}"


def _hermit(data: bytes, cache: Path | None, key: bytes) -> Callable[[], list[hermit.Triple]]:
    """HermiT on ``data`` (N-Triples), its judgement kept in ``cache`` under ``key``."""

    def run() -> list[hermit.Triple]:
        found = hermit.reason_ntriples(data)
        if cache:
            reuse.remember(cache, key, found)
        return found

    return run


def _culprits(store: Store, checked: list[NamedNode]) -> None:
    found = consistency.culprits(store, checked)
    if found:
        raise InconsistencyError("the data break the ontology's axioms", found)


def _count(store: Store, report: BuildReport) -> None:
    """Instances per class, triples per graph (each source's count is its graph's size
    once it was loaded: the last one is whole)."""
    report.classes = manifest.classes(store)
    sizes = {s["graph"]: s["triples"] for s in report.sources}
    sizes[GRAPH.inferred.value] = manifest.graph_size(store, GRAPH.inferred)
    report.graphs = {graph: n for graph, n in sizes.items() if n}  # as Oxigraph lists them


def _add_hermit(store: Store, inferred: list[hermit.Triple]) -> None:
    """Add what HermiT inferred and the rules had not, and what follows from it."""
    new = [(s, p, o) for s, p, o in inferred
           if next(store.quads_for_pattern(NamedNode(s), NamedNode(p), NamedNode(o)), None)
           is None]
    if new:
        store.extend(Quad(NamedNode(s), NamedNode(p), NamedNode(o), GRAPH.inferred)
                     for s, p, o in new)
        rules.materialise(store, grown=rules.keys(new))


def _unique(graphs: Iterator[NamedNode] | Any) -> list[NamedNode]:
    return list(dict.fromkeys(graphs))


def _quiet(_step: str) -> None:
    return None
