"""Median latency of every packaged query, on the curated graph and on a large synthetic one.

Each query runs with its default parameters through ``kg.catalogue.answer`` (bind,
row cap, evaluation) for the first page of its answer, as ``kg query``, ``/queries/NAME``
and the web UI ask for it by default (``--page-size``, default 100 rows), and its result
is serialised to SPARQL JSON, as the server does; the on-disk store of a build is opened
read-only, as the server opens it. ``CPU`` is the first page's median CPU time in this
process (steadier than wall time on a busy machine). ``direct`` is pyoxigraph alone on the same paged
query and substitutions (no wrapper), so the wrapper's cost shows; ``--all`` also times
every row up to the row cap (``limit=all``); ``--later N`` also times the page that starts
at row N, reached as a client reaches it: by the ``after`` token of the page before it for
a question paged by key (the pages before it followed from the first) (checked equal, row for row, to the page by OFFSET first), by
OFFSET otherwise.

    python bench/bench_queries.py                       # curated + 1M synthetic
    python bench/bench_queries.py --location DIR ...    # any built locations
    python bench/bench_queries.py --synthetic 100000 --repeat 21 --json out.json

``--synthetic N`` builds (once, cached in bench/out/) the curated data plus the
synthetic graph of bench/synth.py with about N triples, through the real build
pipeline, so the default parameters (Shandong, 6G, …) still bind.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from pyoxigraph import QueryResultsFormat, QuerySolutions, RdfFormat, Store

from kg.build import build
from kg.catalogue import DEFAULT_PAGE_SIZE, Catalogue, Page, Paged, StoredQuery, answer
from kg.sparql import Result
from kg.store import Location

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GOAL_MS = 50.0  # a first page (issue #18)
LATER_GOAL_MS = 100.0  # any later page
DOMAIN = "<https://w3id.org/future-industries/id/sector/future-"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"


def synthetic_location(triples: int) -> Path:
    """A location with curated data + ~N synthetic triples, built once and cached."""
    sys.path.insert(0, str(ROOT / "bench"))
    import synth  # bench/synth.py

    tag = f"{triples // 1000}k" if triples < 1_000_000 else f"{triples // 1_000_000}m"
    nt, location = OUT / f"synth-{tag}-beside-curated.nt", OUT / f"kg-synth-{tag}"
    if not nt.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        with nt.open("w", encoding="utf-8") as fh:
            fh.writelines(line for line in synth.generate(triples) if not _relabels_domain(line))
    if Location(location).current() is None:
        data = [p for folder in ("", "links/", "external/")  # as kg build's default sources
                for p in sorted((ROOT / "data").glob(f"{folder}*.ttl"))]
        print(f"building {location} (curated + {nt.name}) …", file=sys.stderr)
        build(location, [*data, nt])
    return location


def _relabels_domain(line: str) -> bool:
    """A synthetic label of one of the six domains, which the curated data label already
    (the build refuses two labels in one language)."""
    return line.startswith(DOMAIN) and (LABEL in line or PREF_LABEL in line)


def timed(fn: Any, repeat: int, warmup: int = 2, cpu: list[float] | None = None) -> float:
    """Median wall time of fn() in milliseconds (and, into ``cpu``, the median CPU time of
    this process: on a busy machine it moves less than the wall time)."""
    for _ in range(warmup):
        fn()
    samples, used = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        used.append((time.process_time() - start_cpu) * 1000)
    if cpu is not None:
        cpu.append(statistics.median(used))
    return statistics.median(samples)


def count(result: Result) -> int:
    assert isinstance(result.value, QuerySolutions)
    return len(list(result.value))


def rows_of(result: Result) -> list[tuple[str | None, ...]]:
    assert isinstance(result.value, QuerySolutions)
    names = [v.value for v in result.value.variables]
    return [tuple(None if r[n] is None else str(r[n]) for n in names) for r in result.value]


def bench_later(store: Store, query: StoredQuery, repeat: int, page: Page,
                start: int) -> dict[str, Any]:
    """The page starting at row ``start``: by key when the question is paged so (its rows
    first checked equal to OFFSET's), else by OFFSET; nothing when the answer is shorter."""
    later: Page | None = Page(page.size)
    if query.paging == "key":  # its pages followed from the first, as a client follows them
        while later is not None and later.offset < start:
            shown = answer(store, query, {}, page=later)
            later = shown.next_page if isinstance(shown, Paged) else None
    else:
        before = answer(store, query, {}, page=Page(page.size, start - page.size))
        later = before.next_page if isinstance(before, Paged) else None
    if later is None:
        return {}
    by_offset = Page(page.size, start)
    if later.after is not None:
        got = rows_of(answer(store, query, {}, page=later))
        assert got == rows_of(answer(store, query, {}, page=by_offset)), query.name
    return {"later_by": "key" if later.after else "offset",
            "later_ms": timed(lambda: answer(store, query, {}, page=later).serialize("json"),
                              repeat)}


def bench_query(store: Store, query: StoredQuery, repeat: int, page: Page,
                every_row: bool = False, later: int = 0) -> dict[str, Any]:
    """The first page (through answer and pyoxigraph alone), maybe a later page and
    every row."""
    substitutions = query.bind({}, store)
    first = answer(store, query, {}, page=page)
    rows = count(first)
    text = page.query(query).text

    def stored() -> None:
        answer(store, query, {}, page=page).serialize("json")

    def direct() -> None:
        result = store.query(text, substitutions=substitutions, use_default_graph_as_union=True)
        assert isinstance(result, QuerySolutions)
        result.serialize(format=QueryResultsFormat.JSON)

    cpu: list[float] = []
    out: dict[str, Any] = {"query": query.name, "rows": rows, "more": first.truncated,
           "median_ms": timed(stored, repeat, cpu=cpu), "direct_ms": timed(direct, repeat)}
    out["cpu_ms"] = cpu[0]
    if later and query.form == "select":
        out |= bench_later(store, query, repeat, page, later)
    if every_row:
        whole = answer(store, query, {})
        out["all_rows"] = count(whole)
        out["all_ms"] = timed(lambda: answer(store, query, {}).serialize("json"),
                              max(1, repeat // 3), warmup=1)
    return out


def in_memory(store: Store) -> Store:
    """A copy of a store in memory (for comparison: the server opens the on-disk store)."""
    copy = Store()
    copy.bulk_load(store.dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
    return copy


def bench_location(location: Path, repeat: int, page: Page, memory: bool = False,
                   every_row: bool = False, queries: Path | None = None,
                   later: int = 0) -> dict[str, Any]:
    build_ = Location(location).require_current()
    store = in_memory(build_.open()) if memory else build_.open()
    catalogue = Catalogue.load(queries)
    local = [q for q in catalogue.queries() if not q.federated]  # SERVICE: not here
    results = []
    for query in local:
        results.append(bench_query(store, query, repeat, page, every_row, later))
        print(f"  {query.name}: {results[-1]['median_ms']:.1f} ms", file=sys.stderr)
    return {"location": str(location), "triples": build_.manifest()["triples"],
            "store": "memory" if memory else "disk", "page_size": page.size, "later": later,
            "queries": results}


def cell(q: dict[str, Any]) -> str:
    rows = f"{q['rows']}{'+' if q['more'] else ''}"
    out = (f"{rows} · {q['median_ms']:.1f} · {q['cpu_ms']:.1f} · {q['direct_ms']:.1f} · "
           f"{q['median_ms'] / GOAL_MS:.2f}")
    if "all_ms" in q:
        out += f" · {q['all_rows']} · {q['all_ms']:.0f}"
    if "later_ms" in q:
        out += f" · {q['later_ms']:.1f} ({q['later_by']})"
    return out


def table(runs: list[dict[str, Any]]) -> str:
    every = "all_ms" in runs[0]["queries"][0]
    later = any("later_ms" in q for r in runs for q in r["queries"])
    head = "| query | " + " | ".join(
        f"{r['triples']:,} triples ({r['store']}): rows · page ms · CPU ms · direct ms · ÷ goal"
        + (" · all rows · all ms" if every else "")
        + (f" · row {r['later']:,} ms (how)" if later else "") for r in runs) + " |"
    lines = [head, "|---|" + "---|" * len(runs)]
    for i, q in enumerate(runs[0]["queries"]):
        lines.append(f"| `{q['query']}` | " + " | ".join(cell(r["queries"][i]) for r in runs) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--location", type=Path, action="append", default=[],
                    help="a built location to measure (repeatable)")
    ap.add_argument("--synthetic", type=int, action="append", default=[],
                    help="also measure curated + ~N synthetic triples (built once, cached)")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE,
                    help="rows of the first page, the one measured")
    ap.add_argument("--all", action="store_true",
                    help="also time every row up to the row cap (fewer repeats)")
    ap.add_argument("--memory", action="store_true",
                    help="also measure an in-memory copy of the last location")
    ap.add_argument("--later", type=int, default=0, metavar="N",
                    help="also time the page that starts at row N (by key where the "
                         "question is paged by key)")
    ap.add_argument("--queries", type=Path, default=None,
                    help="another folder of .rq files (an older catalogue, say)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    args = ap.parse_args()
    if args.later and args.later < args.page_size:
        ap.error(f"--later must be at least the page size ({args.page_size})")
    locations = list(args.location)
    if not locations and not args.synthetic:
        curated = OUT / "kg-curated"
        if Location(curated).current() is None:
            build(curated)
        locations, args.synthetic = [curated], [1_000_000]
    locations += [synthetic_location(n) for n in args.synthetic]
    page = Page(args.page_size)
    runs = [bench_location(loc, args.repeat, page, False, args.all, args.queries, args.later)
            for loc in locations]
    if args.memory:
        runs.append(bench_location(locations[-1], args.repeat, page, True, args.all,
                                   args.queries, args.later))
    print(table(runs))
    for run in runs:
        within = sum(q["median_ms"] <= GOAL_MS for q in run["queries"])
        print(f"{run['triples']:,} triples ({run['store']}): {within} of {len(run['queries'])} "
              f"queries' first page within {GOAL_MS:.0f} ms")
        timed_later = [q for q in run["queries"] if "later_ms" in q]
        if timed_later:
            fast = sum(q["later_ms"] <= LATER_GOAL_MS for q in timed_later)
            print(f"  page at row {args.later:,}: {fast} of {len(timed_later)} within "
                  f"{LATER_GOAL_MS:.0f} ms")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2), "utf-8")


if __name__ == "__main__":
    main()
