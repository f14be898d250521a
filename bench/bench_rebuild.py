"""Rebuilds of the curated project, two versions of `kg` side by side (issue 16).

    python bench/bench_rebuild.py [--repeat 5] [--before /path/to/other/src]

Each round, for each version (the order alternates by round), in a fresh location on a
fresh copy of `data/`: a full build (which fills the caches), then `kg build` with nothing
changed, after one label changed in `data/regions.ttl` (`"Beijing"@en` → `"Peking"@en`,
an annotation) and after one fact added there (`region:china a fi:Region`), each a whole
`kg build` process timed by GNU time (wall; CPU = user + system, child processes included:
the writer, HermiT's JVM). The versions must build the same graphs (checked each round).
Prints a Markdown table of medians (and each phase's median wall time from `build.json`)
for docs/benchmarks.md, with the machine, its load and the versions.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_build import sitting  # noqa: E402

STEPS = ("full build", "nothing changed", "one label changed", "one fact changed")
PHASES = ("parse", "reason", "evidence", "validate", "record", "write")


def one_round(src: Path, tmp: Path) -> dict[str, tuple[float, float, dict[str, object]]]:
    """The four builds of one round with the `kg` of ``src``: (wall, CPU, manifest)."""
    data, loc = tmp / "data", tmp / "kg"
    shutil.copytree(ROOT / "data", data)
    cmd = [sys.executable, "-m", "kg", "build", "--location", str(loc), str(data)]
    env = {**os.environ, "PYTHONPATH": str(src)}
    regions = data / "regions.ttl"
    out = {}
    for step in STEPS:
        if step == "one label changed":
            regions.write_text(regions.read_text("utf-8").replace('"Beijing"@en', '"Peking"@en'),
                               "utf-8")
        elif step == "one fact changed":
            with regions.open("a", encoding="utf-8") as fh:
                fh.write("\nregion:china a fi:Region .\n")
        wall, cpu = timed(cmd, env)
        manifest = json.loads(((loc / "current").resolve() / "build.json").read_text())
        out[step] = (wall, cpu, manifest)
    return out


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, children included) of a command, by GNU time."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S", *cmd], env=env, cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    wall, user, system = re.findall(r"^([\d.]+) ([\d.]+) ([\d.]+)$", proc.stderr, re.M)[-1]
    return float(wall), float(user) + float(system)


def version(src: Path) -> str:
    head = subprocess.run(["git", "-C", str(src), "log", "-1", "--format=%h %cs"],
                          capture_output=True, text=True, check=False).stdout.strip()
    return f"{src} ({head or 'not a git checkout'})"


def same_graphs(a: dict[str, object], b: dict[str, object]) -> None:
    """Equal work: both versions built the same graphs, of the same sizes (the build's own
    record aside)."""
    ga, gb = (({k: v for k, v in m["graphs"].items() if not k.endswith("/build")})  # type: ignore[attr-defined]
              for m in (a, b))
    if ga != gb:
        raise SystemExit(f"the versions built different graphs:\n{ga}\n{gb}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--before", type=Path, default=ROOT / "src",
                    help="the src folder of the version to compare with (e.g. of a "
                         "`git worktree` of an older commit; default: this tree's own, "
                         "which shows the spread of two equal contenders)")
    args = ap.parse_args()
    versions = {"before": args.before.resolve(), "after": (ROOT / "src").resolve()}
    print(sitting())
    for name, src in versions.items():
        print(f"{name}: {version(src)}")
    runs: dict[tuple[str, str], list[tuple[float, float, dict[str, object]]]] = {}
    for n in range(args.repeat):
        order = list(versions.items())[:: 1 if n % 2 == 0 else -1]
        made = {}
        for name, src in order:
            with tempfile.TemporaryDirectory(prefix="kg-bench-rebuild-") as tmp:
                made[name] = one_round(src, Path(tmp))
            for step, value in made[name].items():
                runs.setdefault((name, step), []).append(value)
        same_graphs(made["before"]["one fact changed"][2], made["after"]["one fact changed"][2])
    print(table(runs))
    print(f"load after: {sitting()}")


def table(runs: dict[tuple[str, str], list[tuple[float, float, dict[str, object]]]]) -> str:
    head = ("| rebuild | before: wall s (CPU s) | after: wall s (CPU s) | after ÷ before (wall) "
            "| after: " + ", ".join(PHASES) + " (median wall s) | after: reused |")
    lines = [head, "|" + "---|" * 6]
    for step in STEPS:
        b, a = runs[("before", step)], runs[("after", step)]
        bw, bc = statistics.median(x[0] for x in b), statistics.median(x[1] for x in b)
        aw, ac = statistics.median(x[0] for x in a), statistics.median(x[1] for x in a)
        phases = ", ".join(
            f"{statistics.median(float(x[2].get('timings_s', {}).get(p, 0)) for x in a):.2f}"  # type: ignore[attr-defined]
            for p in PHASES)
        reused = ", ".join(a[-1][2].get("reused", [])) or "–"  # type: ignore[arg-type]
        if step == "nothing changed":
            phases, reused = "no build made", "everything"
        lines.append(f"| {step} | {bw:.2f} ({bc:.2f}) | **{aw:.2f}** ({ac:.2f}) | "
                     f"{aw / bw:.2f} | {phases} | {reused} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
