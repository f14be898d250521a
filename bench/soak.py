"""The soak: the robustness scenarios of tests/test_robust_load.py at full size.

    python bench/soak.py [--clients 100] [--seconds 30] [--kills 10] [--no-write]

On a fresh build of the curated graph, `kg serve` with its default settings
(workers, time limit, row cap, query memory) on 127.0.0.1:

1. ``--clients`` concurrent clients for ``--seconds`` while `kg build` publishes
   a new build every 10 s: errors, answers mixing two builds, latencies;
2. short queries alone, then beside a runaway query (a cartesian product) that
   runs to its time limit: p50/p99 both ways, how the runaway ended;
3. a query sorting every pair of triples and one listing them: the memory
   allowance and the row cap, with the server's resident memory (all its
   processes) before, at peak and after;
4. ``--kills`` builds killed with SIGKILL at random points while clients query,
   then one build that must succeed.

Prints the figures and writes them into docs/reliability.md (between the
``soak:begin`` and ``soak:end`` markers) unless ``--no-write``. Exits non-zero
when a guarantee did not hold.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests._robust and tests._server are shared with the tests

from tests import _robust  # noqa: E402
from tests._server import Server  # noqa: E402

from kg import settings  # noqa: E402
from kg.build import build  # noqa: E402
from kg.store import Location  # noqa: E402

DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"
RUNAWAY_TIMEOUT_S = 10.0
MB = 2**20


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--kills", type=int, default=10)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--no-write", action="store_true", help="print only")
    return p.parse_args()


def _load_rows(f: _robust.LoadFigures) -> list[str]:
    builds = ", ".join(f"{n} from {b[-6:]}" for b, n in f.builds.most_common())
    return [
        f"| clients × seconds | {f.clients} × {f.seconds:g} |",
        f"| requests (per second) | {f.requests} ({f.requests / f.seconds:.0f}) |",
        f"| errors | {len(f.errors)} |",
        f"| answers mixing two builds (header ≠ body) | {len(f.mixed)} |",
        f"| builds published during the run | {len(f.rebuilds)} |",
        f"| answers per build (id suffix) | {builds} |",
        f"| latency p50 / p99 | {f.p50_ms:.1f} ms / {f.p99_ms:.1f} ms |",
    ]


def _runaway_rows(f: _robust.RunawayFigures) -> list[str]:
    ratio = f.p("loaded", 99) / f.p("unloaded", 99)
    return [
        f"| short queries alone: n, p50 / p99 | {len(f.unloaded)}, "
        f"{f.p('unloaded', 50):.1f} ms / {f.p('unloaded', 99):.1f} ms |",
        f"| beside the runaway: n, p50 / p99 | {len(f.loaded)}, "
        f"{f.p('loaded', 50):.1f} ms / {f.p('loaded', 99):.1f} ms |",
        f"| p99 beside / alone | {ratio:.2f}× |",
        f"| runaway (time limit {f.timeout_s:g} s) | {f.runaway_status} after "
        f"{f.runaway_s:.1f} s |",
        f"| server memory before / peak during the runaway | {f.rss_before / MB:.0f} MB / "
        f"{f.rss_peak / MB:.0f} MB |",
    ]


def _memory_rows(f: _robust.MemoryFigures) -> list[str]:
    return [
        f"| sort of every pair of triples | {f.sort_status}: {f.sort_text.strip()[:90]} |",
        f"| listing of every pair of triples | {f.rows} rows, truncated: {f.truncated} |",
        f"| server memory before / peak / after | {f.rss_before / MB:.0f} MB / "
        f"{f.rss_peak / MB:.0f} MB / {f.rss_after / MB:.0f} MB |",
        f"| allowance per query | {settings.QUERY_MEMORY_MB} MB |",
    ]


def _kill_rows(f: _robust.KillFigures) -> list[str]:
    steps = Counter(step for _, step in f.kills)
    landed = ", ".join(f"{step} {n}" for step, n in sorted(steps.items()))
    return [
        f"| a whole `kg build` (start-up included) | {f.build_s:g} s |",
        f"| trials: killed / finished before the kill | {len(f.kills)} / {f.finished_first} |",
        f"| where the kills landed (last step printed) | {landed} |",
        f"| delays (s) | {', '.join(f'{d:g}' for d, _ in f.kills)} |",
        f"| killed after switching `current` (a whole build) | {f.published_first} |",
        f"| `current` not a whole build after a kill | {len(f.broken)} |",
        f"| queries answered meanwhile / errors | {f.requests} / {len(f.errors)} |",
        f"| the next build | {'succeeded' if f.after else 'FAILED'} |",
    ]


def _table(title: str, rows: list[str]) -> str:
    return "\n".join([f"**{title}**", "", "| | |", "|---|---|", *rows, ""])


def _failures(load: _robust.LoadFigures, run: _robust.RunawayFigures,
              mem: _robust.MemoryFigures, kills: _robust.KillFigures) -> list[str]:
    checks = {
        "load: errors": not load.errors,
        "load: an answer mixed two builds": not load.mixed,
        "load: no build published": bool(load.rebuilds),
        "runaway: not stopped at its time limit": run.runaway_status == 503,
        "runaway: p99 beside it above 2x": run.p("loaded", 99) <= 2 * run.p("unloaded", 99),
        "memory: sort not stopped": mem.sort_status == 503,
        "memory: listing not cut at the row cap": mem.truncated,
        "kills: errors while killing": not kills.errors,
        "kills: current not a whole build after a kill": not kills.broken,
        "kills: the next build failed": bool(kills.after),
    }
    return [name for name, ok in checks.items() if not ok]


def _write(text: str) -> None:
    doc = DOC.read_text("utf-8")
    start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
    DOC.write_text(doc[:start] + "\n" + text + doc[end:], "utf-8")


def main() -> int:
    args = _args()
    seed = args.seed if args.seed is not None else time.time_ns() % 2**32
    load_before = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    root = Path(tempfile.mkdtemp(prefix="kg-soak-")) / "kg"
    start = time.monotonic()
    build(root)
    build_s = time.monotonic() - start
    server = Server(root)
    try:
        load = _robust.load(server.url, root, args.clients, args.seconds)
        run = _robust.runaway(server.url, server.proc.pid, RUNAWAY_TIMEOUT_S, samples=400)
        mem = _robust.memory(server.url, server.proc.pid)
        kills = _robust.kill_trials(server.url, root, args.kills, random.Random(seed))
        alive = server.proc.poll() is None
    finally:
        server.stop()
    failed = _failures(load, run, mem, kills) + ([] if alive else ["the server died"])
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    text = "\n".join([
        f"Last run: {when} UTC, `python bench/soak.py --clients {args.clients} --seconds "
        f"{args.seconds:g} --kills {args.kills} --seed {seed}` on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}); curated build "
        f"{Location(root).require_current().manifest()['triples']} triples, built in "
        f"{build_s:.1f} s; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} "
        f"after. Guarantees held: {'all' if not failed else ', '.join(failed)}.",
        "",
        _table("Clients while builds switch", _load_rows(load)),
        _table("A runaway query beside short ones", _runaway_rows(run)),
        _table("Memory", _memory_rows(mem)),
        _table("`kg build` killed at random points", _kill_rows(kills)),
    ])
    print(text)
    if not args.no_write:
        _write(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
