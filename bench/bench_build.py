"""`kg build` next to raw `oxigraph load` on the same triples, in one sitting.

    python bench/bench_build.py [--sizes 100000 1000000] [--repeat 3] [--incremental-only]
    python bench/bench_build.py --sizes 1000000 3000000 10000000 --repeat 3 --repeat-big 1 \
        --data /tmp/bench-build --no-incremental     # the scaling runs of issue 18

First the rebuilds of the curated project (a copy of its data): a full build into a fresh
location beside, in one location, `kg build` with nothing changed, `kg build --force`
(HermiT's judgement reused) and `kg build` after one file changed, a label then a fact
(docs/benchmarks.md, issue 16).

For each size: generate a synthetic graph (bench/synth.py), then alternate
`kg build --location A synth.nt`, `oxigraph load --location B --file synth.nt`
(the default graph: three indexes) and `oxigraph load ... --graph IRI` (a named
graph, six indexes, as every graph of a build), timing wall clock, CPU time
(user + system, children included) with /usr/bin/time, and the peak resident memory of
the whole process tree (sampled). Before timing, the first round checks equal work: the
build's graph of the synthetic file holds as many triples as each oxigraph store. Also times
`kg build` of the curated graph. Prints a Markdown table for docs/benchmarks.md (with the
growth from the first size to each larger one, and the build's own steps from its manifest)
and writes bench/out/build.json. ``--data`` holds the synthetic files and the stores (a 10M
file is 1.6 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests._robust: the process-tree memory probe the tests use
from tests._robust import rss_tree  # noqa: E402

OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent


def timed(cmd: list[str], roles: dict[str, dict[str, float]] | None = None
          ) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds of a command, via GNU time.

    The peak is that of the whole process tree, sampled every 50 ms (GNU time's
    own figure is the largest single process: a build is two, beside HermiT's JVM).
    ``roles`` receives each process's peak RSS (MiB) and CPU seconds, by role.
    """
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%e %M %U %S", *cmd],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    seen: dict[int, tuple[str, float, float]] = {}
    while proc.poll() is None:
        peak = max(peak, rss_tree(proc.pid))
        if roles is not None:
            for pid, role, rss, cpu in processes(proc.pid):
                seen[pid] = (role, max(rss, seen.get(pid, ("", 0.0, 0.0))[1]), cpu)
        time.sleep(0.05)
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{err[-2000:]}")
    wall, rss, user, system = re.findall(r"^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$", err, re.M)[-1]
    if roles is not None:
        for role, rss_mib, cpu in seen.values():
            entry = roles.setdefault(role, {"peak_rss_mib": 0.0, "cpu_s": 0.0})
            entry["peak_rss_mib"] = max(entry["peak_rss_mib"], rss_mib)
            entry["cpu_s"] += cpu
    return float(wall), max(int(rss), peak // 1024), float(user) + float(system)


def processes(pid: int) -> list[tuple[int, str, float, float]]:
    """(pid, role, RSS MiB, CPU s so far) of each process under ``pid`` (Linux /proc):
    the build, its writer, HermiT's JVM."""
    out, todo = [], [pid]
    page, tick = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/cmdline", "rb") as fh:
                command = fh.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{current}/statm", "rb") as fh:
                rss = int(fh.read().split()[1]) * page / 2**20
            with open(f"/proc/{current}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError, IndexError):
            continue
        role = ("writer" if "writer.py" in command else "java" if "java" in command
                else "build" if " build " in command else "")
        if role:
            out.append((current, role, rss, (int(fields[11]) + int(fields[12])) / tick))
    return out


def synth(size: int, folder: Path = OUT) -> Path:
    path = folder / f"synth-{size}.nt"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "synth.py"), "--triples", str(size),
             "--output", str(path)],
            check=True,
        )
    return path


def one_round(data: Path | None, scratch: Path, check: bool = False,
              roles: dict[str, dict[str, float]] | None = None
              ) -> dict[str, tuple[float, int, float]]:
    kg_loc, ox_loc, oxg_loc = scratch / "kg", scratch / "ox", scratch / "oxg"
    for p in (kg_loc, ox_loc, oxg_loc):
        shutil.rmtree(p, ignore_errors=True)
    kg_cmd = ([str(BIN / "kg"), "build", "--force", "--location", str(kg_loc)]
              + ([str(data)] if data else []))
    out = {"kg build": timed(kg_cmd, roles)}
    if data is not None:
        ox_cmd = [str(BIN / "oxigraph"), "load", "--location", str(ox_loc), "--file", str(data)]
        out["oxigraph load"] = timed(ox_cmd)
        ox_cmd[3] = str(oxg_loc)
        out["oxigraph load --graph"] = timed([*ox_cmd, "--graph", "https://example.org/g"])
        if check:
            equal_work(data, kg_loc, [ox_loc, oxg_loc])
    for p in (ox_loc, oxg_loc):  # a 10M store is GBs: keep only the build's (for its steps)
        shutil.rmtree(p, ignore_errors=True)
    return out


def equal_work(data: Path, kg_loc: Path, others: list[Path]) -> None:
    """The build stored the synthetic file's triples in their graph, as many as each
    oxigraph store holds."""
    from pyoxigraph import Store

    from kg.build.sources import graph_name

    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    build = Store.read_only(str((kg_loc / "current").resolve() / "store"))
    ours = _count(build, query.replace("?g", str(graph_name(data))))
    theirs = [len(Store.read_only(str(p))) for p in others]
    if any(n != ours for n in theirs):
        raise SystemExit(f"not equal work: the build stored {ours} triples of {data}, "
                         f"oxigraph {theirs}")


def _count(store: object, query: str) -> int:
    rows = store.query(query)  # type: ignore[attr-defined]
    return int(next(iter(rows))["n"].value)


def measure(data: Path | None, repeat: int, folder: Path | None = None) -> dict[str, Any]:
    runs: dict[str, list[tuple[float, int, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-", dir=folder) as tmp:
        for n in range(repeat):
            roles: dict[str, dict[str, float]] = {}
            for name, value in one_round(data, Path(tmp), n == 0, roles).items():
                runs.setdefault(name, []).append(value)
        steps = _steps(Path(tmp) / "kg")
    out: dict[str, Any] = {
        name: {
            "median_s": statistics.median(w for w, _, _ in values),
            "median_cpu_s": statistics.median(c for _, _, c in values),
            "peak_rss_mib": max(r for _, r, _ in values) / 1024,
            "runs": values,
        }
        for name, values in runs.items()
    }
    return out | {"steps": steps, "processes": roles}  # the last build's processes


def _steps(loc: Path) -> dict[str, float]:
    """The last build's own timings (wall seconds per step, from its manifest)."""
    manifest = json.loads(((loc / "current").resolve() / "build.json").read_text())
    return dict(manifest["timings_s"])


def incremental(repeat: int) -> dict[str, dict[str, float]]:
    """Rebuilds of a copy of the curated project (its data folder): a full build into a
    fresh location (what every rebuild cost before builds reused anything), then in one
    location `kg build` with nothing changed, `kg build --force` (HermiT's judgement
    reused) and `kg build` after one file changed: a label in data/regions.ttl (an
    annotation: HermiT's judgement reused), then a fact in it (the rules judge the data,
    HermiT's judgement of the ontology reused: kg.build.entailment)."""
    from kg import settings

    runs: dict[str, list[tuple[float, int, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-inc-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(settings.resources().data, data)
        regions = data / "regions.ttl"
        for n in range(repeat):
            loc = Path(tmp) / f"kg-{n}"
            cmd = [str(BIN / "kg"), "build", "--location", str(loc), str(data)]
            runs.setdefault("full build (fresh location)", []).append(timed(cmd))
            runs.setdefault("nothing changed", []).append(timed(cmd))
            runs.setdefault("--force (HermiT reused)", []).append(timed([*cmd, "--force"]))
            text = regions.read_text("utf-8")
            old, new = ('"Beijing"@en', '"Peking"@en') if n % 2 == 0 else \
                ('"Peking"@en', '"Beijing"@en')
            regions.write_text(text.replace(old, new), "utf-8")
            runs.setdefault("one label changed", []).append(timed(cmd))
            assert "hermit" in _reused(loc)  # an annotation: HermiT's judgement holds
            fact = "\nregion:china a fi:Region .\n"
            text = regions.read_text("utf-8")
            regions.write_text(text.replace(fact, "") if fact in text else text + fact, "utf-8")
            runs.setdefault("one fact changed", []).append(timed(cmd))
            assert "hermit" in _reused(loc)  # the rules judge the data, HermiT the ontology
    return {name: {"median_s": statistics.median(w for w, _, _ in values),
                   "median_cpu_s": statistics.median(c for _, _, c in values)}
            for name, values in runs.items()}


def _reused(loc: Path) -> list[str]:
    manifest = json.loads(((loc / "current").resolve() / "build.json").read_text())
    return list(manifest["reused"])


def incremental_table(results: dict[str, dict[str, float]]) -> str:
    full = results["full build (fresh location)"]["median_s"]
    lines = ["| curated project rebuild | wall s (CPU s) | ÷ full build |", "|---|---|---|"]
    lines += [f"| {name} | {r['median_s']:.2f} ({r['median_cpu_s']:.2f}) | "
              f"{r['median_s'] / full:.2f} |" for name, r in results.items()]
    return "\n".join(lines)


def sitting() -> str:
    """The machine, its load and the versions, printed with every result."""
    import os
    import platform
    from importlib.metadata import version

    return (f"{platform.node()}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
            f"Python {platform.python_version()}, pyoxigraph {version('pyoxigraph')}, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--repeat-big", type=int, default=None,
                    help="rounds for sizes of 10M triples and more (default: --repeat)")
    ap.add_argument("--incremental-only", action="store_true",
                    help="only the rebuilds of the curated project")
    ap.add_argument("--no-incremental", action="store_true",
                    help="skip the rebuilds of the curated project")
    ap.add_argument("--data", type=Path, default=OUT,
                    help="folder for the synthetic files and the stores")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    args.data.mkdir(parents=True, exist_ok=True)
    print(sitting())
    if not args.no_incremental:
        print(incremental_table(incremental(args.repeat)))
    if args.incremental_only:
        print(f"load after: {sitting()}")
        return
    results = {"curated": measure(None, args.repeat)}
    for size in args.sizes:
        rounds = args.repeat if size < 10_000_000 else (args.repeat_big or args.repeat)
        results[str(size)] = measure(synth(size, args.data), rounds, args.data)
        print(f"{size}: {json.dumps(results[str(size)])}  [{sitting()}]", flush=True)
    (OUT / "build.json").write_text(json.dumps(results, indent=2))
    print(table(results))
    print(growth(results))
    print(steps(results))
    print(f"load after: {sitting()}")


def growth(results: dict[str, Any]) -> str:
    """Markdown: each contender's time at each size ÷ its time at the first size."""
    sizes = [k for k in results if k != "curated"]
    names = ["kg build", "oxigraph load", "oxigraph load --graph"]
    lines = ["| growth | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for size in sizes[1:]:
        cells = [results[size][n]["median_s"] / results[sizes[0]][n]["median_s"] for n in names]
        lines.append(f"| {int(sizes[0]):,} → {int(size):,} | "
                     + " | ".join(f"{c:.2f}×" for c in cells) + " |")
    return "\n".join(lines)


def steps(results: dict[str, Any]) -> str:
    """Markdown: the last build's steps at each size (wall seconds, from its manifest)."""
    names = list(next(iter(results.values()))["steps"])
    roles = ["build", "writer", "java"]
    lines = ["| graph | " + " | ".join(names) + " | " + " | ".join(
        f"{r} CPU s / peak MiB" for r in roles) + " | CPU ÷ wall |",
        "|---" * (len(names) + len(roles) + 2) + "|"]
    for size, r in results.items():
        procs = r.get("processes", {})
        cells = [f"{procs[n]['cpu_s']:.1f} / {procs[n]['peak_rss_mib']:.0f}" if n in procs
                 else "–" for n in roles]
        kg = r["kg build"]
        lines.append(f"| {size} | " + " | ".join(f"{r['steps'].get(n, 0):.1f}" for n in names)
                     + " | " + " | ".join(cells)
                     + f" | {kg['median_cpu_s'] / kg['median_s']:.2f} |")
    return "\n".join(lines)


def table(results: dict[str, Any]) -> str:
    """Markdown: wall (CPU) seconds, the ratios to both raw loads, peak RSS."""
    lines = ["| graph | kg build s (CPU s) | oxigraph load s | load --graph s | ÷ load | "
             "÷ load --graph | peak RSS MiB kg / load / load --graph | RSS ÷ load |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        kg, ox, oxg = r["kg build"], r.get("oxigraph load"), r.get("oxigraph load --graph")
        if ox is None or oxg is None:
            lines.append(f"| {name} | {kg['median_s']:.2f} ({kg['median_cpu_s']:.1f}) | – | – "
                         f"| – | – | {kg['peak_rss_mib']:.0f} / – / – | – |")
            continue
        lines.append(
            f"| {name} | {kg['median_s']:.2f} ({kg['median_cpu_s']:.1f}) | {ox['median_s']:.2f} "
            f"| {oxg['median_s']:.2f} | {kg['median_s'] / ox['median_s']:.2f}× "
            f"| {kg['median_s'] / oxg['median_s']:.2f}× "
            f"| {kg['peak_rss_mib']:.0f} / {ox['peak_rss_mib']:.0f} / {oxg['peak_rss_mib']:.0f} "
            f"| {kg['peak_rss_mib'] / ox['peak_rss_mib']:.2f}× |")
    return "\n".join(lines)

if __name__ == "__main__":
    main()
