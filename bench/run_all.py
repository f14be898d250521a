"""Run every benchmark of bench/, with small sizes unless told otherwise (`make bench`).

    .venv/bin/python bench/run_all.py [--full] [--only NAME ...] [--list]

Each script runs in its own process with this Python (the virtualenv's: the benchmarks
import the project and its test helpers) and its output as it comes. By default each gets
the small sizes below, enough to see that it works and roughly how the figures stand
(minutes in all); ``--full`` runs each with its own defaults, the sizes docs/benchmarks.md
reports (an hour or more). A script that fails does not stop the others; the exit status
is 1 if any failed. What a script needs beyond the virtualenv (wrk for bench_answers,
Chromium for bench_ui) is installed by `make bench` (scripts/setup.sh).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# script → its small-size arguments (bench/synth.py is the data generator the others call)
SMALL: dict[str, list[str]] = {
    "bench_build.py": ["--sizes", "20000", "--repeat", "1"],
    "bench_diff.py": ["--triples", "20000", "--repeat", "1"],
    "bench_parse.py": ["--repeat", "3"],
    "bench_queries.py": ["--synthetic", "20000", "--repeat", "3"],
    "bench_export.py": ["--triples", "20000"],
    "bench_backend.py": ["--requests", "20"],
    "bench_ui.py": ["--repeat", "3"],
    "bench_answers.py": ["--seconds", "2", "--rounds", "1", "--connections", "4"],
    "bench_fairness.py": ["--seconds", "2", "--rounds", "1"],
    "soak.py": ["--clients", "10", "--seconds", "5", "--kills", "1", "--no-write"],
}


def scripts() -> list[str]:
    """Every benchmark script: those listed above, in their order, then any other
    ``bench_*.py`` (a new one runs with its defaults until it is given small sizes)."""
    found = {p.name for p in HERE.glob("bench_*.py")} | {"soak.py"}
    return [name for name in SMALL if name in found] + sorted(found - SMALL.keys())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--full", action="store_true", help="each script with its own defaults")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="these scripts only")
    ap.add_argument("--list", action="store_true", help="list the scripts and exit")
    args = ap.parse_args()
    chosen = scripts()
    if args.only:
        unknown = sorted(set(args.only) - set(chosen))
        if unknown:
            ap.error(f"unknown benchmark(s) {', '.join(unknown)}; one of {', '.join(chosen)}")
        chosen = [name for name in chosen if name in args.only]
    if args.list:
        print("\n".join(chosen))
        return 0
    failed = []
    for name in chosen:
        cmd = [sys.executable, str(HERE / name), *([] if args.full else SMALL.get(name, []))]
        print(f"\n== {' '.join(cmd[1:])}", flush=True)
        start = time.monotonic()
        code = subprocess.call(cmd, cwd=HERE.parent)
        print(f"== {name}: exit {code} after {time.monotonic() - start:.0f} s", flush=True)
        if code:
            failed.append(name)
    print(f"\n{len(chosen) - len(failed)} of {len(chosen)} benchmarks ran"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
