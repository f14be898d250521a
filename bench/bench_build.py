"""`kg build` next to raw `oxigraph load` on the same triples, in one sitting.

    python bench/bench_build.py [--sizes 100000 1000000] [--repeat 3] [--incremental-only]

First the rebuilds of the curated project (a copy of its data): a full build into a fresh
location beside, in one location, `kg build` with nothing changed, `kg build --force`
(HermiT's judgement reused) and `kg build` after one file changed, a label then a fact
(docs/benchmarks.md, issue 16).

For each size: generate a synthetic graph (bench/synth.py), then alternate
`kg build --location A synth.nt`, `oxigraph load --location B --file synth.nt`
(the default graph: three indexes) and `oxigraph load ... --graph IRI` (a named
graph, six indexes, as every graph of a build), timing wall clock, CPU time
(user + system, children included) with /usr/bin/time, and the peak resident memory of
the whole process tree (sampled). Also times
`kg build` of the curated graph. Prints a Markdown table for docs/benchmarks.md
and writes bench/out/build.json.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests._robust: the process-tree memory probe the tests use
from tests._robust import rss_tree  # noqa: E402

OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds of a command, via GNU time.

    The peak is that of the whole process tree, sampled every 50 ms (GNU time's
    own figure is the largest single process: a build is two, beside HermiT's JVM).
    """
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%e %M %U %S", *cmd],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, rss_tree(proc.pid))
        time.sleep(0.05)
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{err[-2000:]}")
    wall, rss, user, system = re.findall(r"^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$", err, re.M)[-1]
    return float(wall), max(int(rss), peak // 1024), float(user) + float(system)


def synth(size: int) -> Path:
    path = OUT / f"synth-{size}.nt"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "synth.py"), "--triples", str(size),
             "--output", str(path)],
            check=True,
        )
    return path


def one_round(data: Path | None, scratch: Path) -> dict[str, tuple[float, int, float]]:
    kg_loc, ox_loc, oxg_loc = scratch / "kg", scratch / "ox", scratch / "oxg"
    for p in (kg_loc, ox_loc, oxg_loc):
        shutil.rmtree(p, ignore_errors=True)
    kg_cmd = ([str(BIN / "kg"), "build", "--force", "--location", str(kg_loc)]
              + ([str(data)] if data else []))
    out = {"kg build": timed(kg_cmd)}
    if data is not None:
        ox_cmd = [str(BIN / "oxigraph"), "load", "--location", str(ox_loc), "--file", str(data)]
        out["oxigraph load"] = timed(ox_cmd)
        ox_cmd[3] = str(oxg_loc)
        out["oxigraph load --graph"] = timed([*ox_cmd, "--graph", "https://example.org/g"])
    return out


def measure(data: Path | None, repeat: int) -> dict[str, dict[str, float]]:
    runs: dict[str, list[tuple[float, int, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for _ in range(repeat):
            for name, value in one_round(data, Path(tmp)).items():
                runs.setdefault(name, []).append(value)
    return {
        name: {
            "median_s": statistics.median(w for w, _, _ in values),
            "median_cpu_s": statistics.median(c for _, _, c in values),
            "peak_rss_mib": max(r for _, r, _ in values) / 1024,
        }
        for name, values in runs.items()
    }


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
    ap.add_argument("--incremental-only", action="store_true",
                    help="only the rebuilds of the curated project")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(sitting())
    print(incremental_table(incremental(args.repeat)))
    if args.incremental_only:
        print(f"load after: {sitting()}")
        return
    results = {"curated": measure(None, args.repeat)}
    for size in args.sizes:
        results[str(size)] = measure(synth(size), args.repeat)
    (OUT / "build.json").write_text(json.dumps(results, indent=2))
    print(table(results))
    print(f"load after: {sitting()}")


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    """Markdown: wall (CPU) seconds, the ratios to both raw loads, peak RSS."""
    lines = ["| graph | kg build s (CPU s) | oxigraph load s | load --graph s | ÷ load | "
             "÷ load --graph | kg / load --graph peak RSS (MiB) |", "|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        kg, ox, oxg = r["kg build"], r.get("oxigraph load"), r.get("oxigraph load --graph")
        if ox is None or oxg is None:
            lines.append(f"| {name} | {kg['median_s']:.2f} ({kg['median_cpu_s']:.1f}) | – | – "
                         f"| – | – | {kg['peak_rss_mib']:.0f} / – |")
            continue
        lines.append(
            f"| {name} | {kg['median_s']:.2f} ({kg['median_cpu_s']:.1f}) | {ox['median_s']:.2f} "
            f"| {oxg['median_s']:.2f} | {kg['median_s'] / ox['median_s']:.2f}× "
            f"| {kg['median_s'] / oxg['median_s']:.2f}× "
            f"| {kg['peak_rss_mib']:.0f} / {oxg['peak_rss_mib']:.0f} |")
    return "\n".join(lines)

if __name__ == "__main__":
    main()
