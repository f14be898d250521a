"""The build pipeline: parse → validate → reason → load, atomically published.

>>> report = check()                       # the curated graph, in memory
>>> report.graphs["https://w3id.org/future-industries/graph/ontology"] > 100
True
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from kg import settings
from kg.build import consistency, hermit, load, manifest, rules, shacl, shacl_sparql
from kg.build.sources import Source, collect
from kg.catalogue import Catalogue
from kg.errors import InconsistencyError, ValidationError
from kg.store import MANIFEST, Location
from kg.vocab import GRAPH

HERMIT_MAX_TRIPLES = 60_000  # above this, HermiT sees the ontology and curated part only
SHACL_MAX_TRIPLES = 50_000  # above this, the shapes run as SPARQL inside Oxigraph

Progress = Callable[[str], None]


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

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def as_manifest(self) -> dict[str, Any]:
        data = manifest.make(self.build_id or "check", self.sources, self.hermit)
        data |= {"shacl": self.shacl, "graphs": self.graphs, "classes": self.classes}
        return data | {"timings_s": self.timings, "triples": self.triples}


def check(paths: list[Path] | None = None, on_step: Progress | None = None) -> BuildReport:
    """Parse, validate and reason in memory; write nothing."""
    return _run(Store(), collect(paths), on_step or _quiet)


def build(
    location: Path, paths: list[Path] | None = None, on_step: Progress | None = None
) -> BuildReport:
    """Build a new store at a location and make it current only if all steps pass.

    Parsing, validation and reasoning run on an in-memory store (updates there are
    an order of magnitude faster than on disk); the result is then bulk-loaded
    into a fresh on-disk store, and ``current`` switches to it.
    """
    loc = Location(location)
    sources = collect(paths)
    on_step = on_step or _quiet
    with loc.lock():
        loc.prune()
        build_id = manifest.new_build_id()
        memory = Store()
        report = _run(memory, sources, on_step, build_id)
        build_dir = loc.new_build_dir(build_id)
        with _discard_on_error(build_dir), _timed(report, "write", on_step):
            _write(memory, build_dir / "store")
            manifest.write(build_dir / MANIFEST, report.as_manifest())
        loc.publish(build_dir)
        loc.prune()
    return report


def _write(memory: Store, path: Path) -> None:
    disk = Store(str(path))
    disk.bulk_load(memory.dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
    disk.flush()
    del disk


@contextmanager
def _discard_on_error(build_dir: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise


def _run(store: Store, sources: list[Source], on_step: Progress, build_id: str = "") -> BuildReport:
    report = BuildReport(build_id=build_id or None)
    with _timed(report, "parse", on_step):
        report.sources = [_load(store, s, on_step) for s in sources]
    # HermiT runs in a Java subprocess: start it now, validate meanwhile.
    with ThreadPoolExecutor(1, thread_name_prefix="hermit") as pool:
        hermit_run = pool.submit(hermit.reason_ntriples, _hermit_input(store, sources, report))
        with _timed(report, "validate", on_step):
            _validate(store, sources, report)
        with _timed(report, "reason", on_step):
            _reason(store, hermit_run)
    with _timed(report, "record", on_step):
        store.extend(Catalogue.load().to_quads())
        report.graphs, report.classes = manifest.counts(store)
        if build_id:
            manifest.record(store, report.as_manifest())
            report.graphs, _ = manifest.counts(store)
    return report


@contextmanager
def _timed(report: BuildReport, step: str, on_step: Progress) -> Iterator[None]:
    on_step(step)
    start = time.perf_counter()
    yield
    report.timings[step] = round(time.perf_counter() - start, 3)


def _load(store: Store, source: Source, on_step: Progress) -> dict[str, Any]:
    on_step(f"parse {source.path.name}")
    triples = load.load_source(store, source)
    return {
        "path": str(source.path),
        "graph": source.graph.value,
        "sha256": source.sha256(),
        "triples": triples,
        "curated": source.curated,
    }


def _validate(store: Store, sources: list[Source], report: BuildReport) -> None:
    """pySHACL for the curated scale; the same shapes compiled to SPARQL above it."""
    total = sum(s["triples"] for s in report.sources)
    shapes = settings.shapes_path()
    violations = None
    if total > SHACL_MAX_TRIPLES:
        try:
            checks = shacl_sparql.compile_shapes(shapes, shacl_sparql.subclasses(store))
            violations, report.shacl = shacl_sparql.validate(store, checks), "sparql"
        except shacl_sparql.Unsupported:
            violations = None
    if violations is None:
        graphs = _unique(s.graph for s in sources)
        violations, report.shacl = shacl.validate(store, graphs, shapes), "pyshacl"
    errors = [v for v in violations if v.severity == "Violation"]
    if errors:
        raise ValidationError(errors)


def _hermit_input(store: Store, sources: list[Source], report: BuildReport) -> bytes:
    """N-Triples for HermiT: everything at the curated scale, else ontology + curated."""
    total = sum(s["triples"] for s in report.sources)
    chosen = sources if total <= HERMIT_MAX_TRIPLES else [s for s in sources if s.curated]
    report.hermit = "all" if chosen is sources else "ontology+curated"
    graphs = _unique(s.graph for s in chosen)
    return b"".join(store.dump(format=RdfFormat.N_TRIPLES, from_graph=g) or b"" for g in graphs)


def _reason(store: Store, hermit_run: Future[list[hermit.Triple]]) -> None:
    """Rules to a fixpoint, the usual culprits named, then HermiT's verdict and inferences."""
    rules.materialise(store)
    found = consistency.culprits(store)
    if found:
        raise InconsistencyError("the data break the ontology's axioms", found)
    inferred = hermit_run.result()
    store.extend(
        Quad(NamedNode(s), NamedNode(p), NamedNode(o), GRAPH.inferred) for s, p, o in inferred
    )
    rules.materialise(store)


def _unique(graphs: Iterator[NamedNode] | Any) -> list[NamedNode]:
    return list(dict.fromkeys(graphs))


def _quiet(_step: str) -> None:
    return None
