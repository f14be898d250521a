"""What reading a query with the SPARQL grammar costs, against answering it at /sparql.

Every packaged question with its default parameters, written out as the text a client would
send (terms substituted by kg.sparql.syntax.substitute, so each text answers exactly as the
question does), is sent to `kg serve --no-cache` on the curated build; the median answer
time per text is set beside the median time of kg.sparql.syntax's uncached reading of the
same text (which the server pays once per text: it keeps the reading by text), and beside
rdflib's parseQuery on it:

    python bench/bench_parse.py [--repeat 21]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.plugins.sparql.parser import parseQuery

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from _server import Server  # noqa: E402
from kg.build import build  # noqa: E402
from kg.catalogue import Catalogue  # noqa: E402
from kg.sparql.syntax import _analyse, substitute  # noqa: E402
from kg.store import Location  # noqa: E402


def texts(location: Path) -> dict[str, str]:
    """Each non-federated question as standalone SPARQL, its defaults substituted."""
    store = Location(location).require_current().open()
    out = {}
    for query in Catalogue.load().queries():
        if query.federated:
            continue
        bound = query.bind({}, store)
        out[query.name] = substitute(query.text, bound) if bound else query.text
    return out


def median_ms(call: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    build(tmp / "kg")
    mix = texts(tmp / "kg")
    rows = []
    with Server(tmp / "kg", "--no-cache", "--workers", "2") as server, server.client() as c:
        for name, text in mix.items():
            def answer(text: str = text) -> None:
                r = c.get("/sparql", params={"query": text},
                          headers={"Accept": "application/sparql-results+json"})
                r.raise_for_status()
            answer()  # warm: the worker's store and the server's reading
            served = median_ms(answer, args.repeat)
            ours = median_ms(lambda text=text: _analyse(text), args.repeat)
            theirs = median_ms(lambda text=text: parseQuery(text), max(3, args.repeat // 5))
            rows.append((name, served, ours, theirs))
    print(f"# bench_parse: {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f}; Python {platform.python_version()}, pyoxigraph "
          f"{pyoxigraph.__version__}, rdflib {rdflib.__version__}; {time.strftime('%Y-%m-%d %H:%M')}")
    print("| question | /sparql median ms (no cache) | kg.sparql.syntax ms | share | rdflib parseQuery ms |")
    print("|---|---|---|---|---|")
    for name, served, ours, theirs in rows:
        print(f"| {name} | {served:.2f} | {ours:.2f} | {ours / served:.1%} | {theirs:.1f} |")
    med = statistics.median
    served_m, ours_m = med(r[1] for r in rows), med(r[2] for r in rows)
    print(f"| **median** | {served_m:.2f} | {ours_m:.2f} | {ours_m / served_m:.1%} | "
          f"{med(r[3] for r in rows):.1f} |")


if __name__ == "__main__":
    main()
