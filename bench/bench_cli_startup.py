"""`kg query` start to answer, as a script runs it (standard output to a pipe).

Each case runs ``kg query regions-overview`` in a fresh process, ``--runs`` times, with
bytecode cached (as an installed package has it), after one warm-up; with ``--before SRC``
(the ``src`` folder of another checkout, e.g. from ``git archive``) that tree runs too,
interleaved, and the outputs are checked equal (as sets of lines: tied rows may come in
another order) before any time is reported. Each tree runs in its checkout's folder (its
project: kg.toml, queries).

    python bench/bench_cli_startup.py --location bench/out/kg-curated --runs 21
    python bench/bench_cli_startup.py --location A --location B --before /tmp/old/src
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph

SRC = Path(__file__).resolve().parent.parent / "src"


def env(src: Path, cache: Path) -> dict[str, str]:
    out = dict(os.environ, PYTHONPATH=str(src), PYTHONPYCACHEPREFIX=str(cache / src.name))
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    return out


def once(src: Path, cache: Path, argv: list[str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kg", *argv], env=env(src, cache),
                         capture_output=True, check=False, cwd=src.parent)  # its project
    took = time.perf_counter() - start
    if run.returncode:
        raise SystemExit(f"{src}: {run.stderr.decode()}")
    return took, run.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--location", type=Path, action="append", required=True)
    ap.add_argument("--before", type=Path, default=None, help="another tree's src folder")
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--question", default="regions-overview")
    args = ap.parse_args()
    trees = {"after": SRC} | ({"before": args.before.resolve()} if args.before else {})
    print(f"{platform.node()} · {os.cpu_count()} cores · load {os.getloadavg()} · Python "
          f"{platform.python_version()} · pyoxigraph {pyoxigraph.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        for location in args.location:
            argv = ["query", args.question, "--location", str(location.resolve())]
            # the same lines (rows that tie may come in another order in another tree)
            outputs = {name: tuple(sorted(once(src, cache, argv)[1].splitlines()))
                       for name, src in trees.items()}
            if len(set(outputs.values())) != 1:
                raise SystemExit(f"{location}: the trees answer differently")
            times: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.runs):
                for name, src in trees.items():
                    times[name].append(once(src, cache, argv)[0])
            cells = [f"{name} median {statistics.median(t) * 1000:.0f} ms "
                     f"(min {min(t) * 1000:.0f})" for name, t in times.items()]
            ratio = (f" · after ÷ before {statistics.median(times['after']) / statistics.median(times['before']):.2f}"
                     if "before" in times else "")
            print(f"{location}: {' · '.join(cells)}{ratio}")
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
