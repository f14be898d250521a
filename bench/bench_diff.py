"""`kg diff` of two builds next to a full `oxigraph dump` of one, in one sitting.

    .venv/bin/python bench/bench_diff.py [--triples 1000000] [--repeat 3]

A synthetic graph (bench/synth.py) is built twice into one location and each build
released: release ``a`` with an ``rdfs:comment`` on every 1000th subject, release ``b``
with those comments removed, comments on other subjects added and every 1000th English
label changed, so the diff has known counts (checked before any timing: equal work).
Then, alternating, `oxigraph dump --location STORE --file all.nq` of build b's store (the
PyPI `oxigraph` CLI beside this Python) and `kg diff a b --format trig --output FILE`,
wall and CPU time (user + system) of each whole process; the ratios of medians are the
figures of docs/benchmarks.md (goal: ≤ 2).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EVERY = 1000
COMMENT = "<http://www.w3.org/2000/01/rdf-schema#comment>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def variants(source: Path, a: Path, b: Path) -> dict[str, int]:
    """Write the two versions; return the changes expected from a to b."""
    subjects: list[str] = []
    expected = {"added": 0, "removed": 0, "changed": 0}
    with source.open() as src, a.open("w") as fa, b.open("w") as fb:
        labels = 0
        for n, line in enumerate(src):
            fa.write(line)
            subject, predicate = line.split(" ", 2)[:2]
            if predicate == LABEL and line.endswith('"@en .\n'):
                labels += 1
                if labels % EVERY == 0:
                    line = line[: -len('"@en .\n')] + ' (revised)"@en .\n'
                    expected["changed"] += 1
            fb.write(line)
            if n % EVERY == 0:
                subjects.append(subject)
        for i, subject in enumerate(dict.fromkeys(subjects)):
            comment = f'{subject} {COMMENT} "note {i}"@en .\n'
            if i % 2:
                fa.write(comment)
                expected["removed"] += 1
            else:
                fb.write(comment)
                expected["added"] += 1
    return expected


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], check=True,
                          capture_output=True, text=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{platform.node()}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
          f"Python {platform.python_version()}, pyoxigraph {version('pyoxigraph')}")
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        work = Path(tmp)
        synth = work / "synth.nt"
        subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), "--triples",
                        str(args.triples), "--output", str(synth)], check=True)
        expected = variants(synth, work / "a.nt", work / "b.nt")
        loc = work / "kg"
        for name in ("a", "b"):
            (work / name).mkdir()
            (work / f"{name}.nt").rename(work / name / "synth.nt")
            kg("build", "--location", str(loc), str(work / name / "synth.nt"))
            kg("release", name, "--location", str(loc))
        done = kg("diff", "a", "b", "--format", "md", "--location", str(loc))
        said = done.stderr.strip().splitlines()[-1]
        wanted = (f"{expected['added']} added, {expected['removed']} removed, "
                  f"{expected['changed']} changed")
        print(f"kg diff: {said}")
        if wanted not in said:
            print(f"expected {wanted}: not the same work, no timing", file=sys.stderr)
            return 1
        store = _store(loc, "b")
        dump_cmd = [str(BIN / "oxigraph"), "dump", "--location", str(store), "--file",
                    str(work / "all.nq")]
        diff_cmd = [sys.executable, "-m", "kg", "diff", "a", "b", "--format", "trig",
                    "--output", str(work / "patch.trig"), "--location", str(loc)]
        dumps, diffs = [], []
        for _ in range(args.repeat):
            dumps.append(run(dump_cmd))
            diffs.append(run(diff_cmd))
        quads = sum(1 for _ in (work / "all.nq").open("rb"))
        dump, diff = (statistics.median(w for w, _ in dumps),
                      statistics.median(w for w, _ in diffs))
        dump_cpu, diff_cpu = (statistics.median(c for _, c in dumps),
                              statistics.median(c for _, c in diffs))
        print("| build | oxigraph dump s (CPU s) | kg diff s (CPU s) | ÷ wall | ÷ CPU |")
        print(f"| {args.triples:,} triples ({quads:,} quads stored) | {dump:.2f} "
              f"({dump_cpu:.2f}) | {diff:.2f} ({diff_cpu:.2f}) | {diff / dump:.2f}× | "
              f"{diff_cpu / dump_cpu:.2f}× |")
        rounds = ", ".join(f"{b[0] / a[0]:.2f}" for a, b in zip(dumps, diffs, strict=True))
        print(f"load after: {os.getloadavg()[0]:.2f}; wall ratio per round: {rounds}")
    return 0


def _store(loc: Path, release: str) -> Path:
    build = json.loads((loc / "releases" / f"{release}.json").read_text())["build"]
    return loc / "builds" / build / "store"


if __name__ == "__main__":
    sys.exit(main())
