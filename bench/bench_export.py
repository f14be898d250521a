"""Export, import and remote-query speed, reported as ratios (docs/benchmarks.md).

    python bench/bench_export.py [--triples 200000]

1. dump of a synthetic dataset in every format, relative to N-Quads;
2. `kg import` (copy the build + load) relative to loading the same file into a fresh store;
3. a packaged query through `oxigraph serve` (kg.remote) relative to the same query in-process.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import synth
from _server import oxigraph_server
from kg.build import ingest, manifest
from kg.catalogue import answer, default_catalogue
from kg.rdf import export, formats
from kg.remote import endpoint as remote
from kg.remote.push import push
from kg.store import MANIFEST, Location


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def make_location(root: Path, nt: Path) -> Location:
    loc = Location(root)
    build_id = manifest.new_build_id()
    path = loc.new_build_dir(build_id)
    store = Store(str(path / "store"))
    store.bulk_load(path=str(nt), format=RdfFormat.N_TRIPLES,
                    to_graph=NamedNode("https://w3id.org/future-industries/graph/data/synth"))
    store.flush()
    del store
    data = manifest.make(build_id, [], "none") | {"graphs": {}, "classes": {}, "triples": 0}
    manifest.write(path / MANIFEST, data)
    loc.publish(path)
    return loc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triples", type=int, default=200_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-export-"))
    nt = tmp / "synth.nt"
    nt.write_text("".join(synth.generate(args.triples)), "utf-8")
    loc = make_location(tmp / "loc", nt)
    store = loc.require_current().open()
    print(f"dataset: {len(store)} triples")
    export.dump(store, "nq")  # warm the store's caches before the reference run
    base = timed(lambda: export.dump(store, "nq"))
    for fmt in formats.DATASET_EXPORTS:
        t = timed(lambda f=fmt: export.dump(store, f))  # type: ignore[misc]
        print(f"dump {fmt:6} {t:6.2f} s  ×{t / base:.2f} of nq")
    for fmt in formats.GRAPH_EXPORTS:
        t = timed(lambda f=fmt: export.dump(store, f, "data/synth"))  # type: ignore[misc]
        print(f"dump {fmt:6} {t:6.2f} s  ×{t / base:.2f} of nq")
    fresh = timed(lambda: Store().bulk_load(path=str(nt), format=RdfFormat.N_TRIPLES), 1)
    imp = timed(lambda: ingest.import_rdf(loc.root, str(nt), "external/synth"), 1)
    print(f"import {imp:.2f} s vs fresh load {fresh:.2f} s: ×{imp / fresh:.2f}")
    query = default_catalogue().get("regions-overview")
    store = loc.require_current().open()
    local = timed(lambda: list(answer(store, query, {}).value))  # type: ignore[call-overload]
    with oxigraph_server(tmp / "remote") as base_url:
        push(store, base_url + "/store", timeout=300)
        endpoint = remote.RemoteEndpoint(base_url + "/query", timeout=300)
        far = timed(lambda: list(answer(endpoint, query, {}).value))  # type: ignore[call-overload]
    print(f"regions-overview local {local:.3f} s, via oxigraph serve {far:.3f} s: "
          f"×{far / local:.2f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
