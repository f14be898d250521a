"""A build killed with SIGKILL at any step leaves the previous build queryable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import build
from kg.store import Location

STEPS = ["parse", "reason", "validate", "record", "write"]


def _kill_at(location: Path, step: str) -> None:
    cmd = [sys.executable, "-m", "kg", "build", "--force", "--location", str(location)]
    proc = subprocess.Popen(
        cmd, stderr=subprocess.PIPE, text=True, env=os.environ | {"PYTHONUNBUFFERED": "1"}
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.strip() == f"kg: {step}":
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, f"build finished before reaching {step}"


@pytest.mark.slow
def test_sigkill_at_each_step_keeps_previous(tmp_path: Path) -> None:
    good = build(tmp_path)
    for step in STEPS:
        _kill_at(tmp_path, step)
        current = Location(tmp_path).require_current()
        assert current.id == good.build_id
        assert bool(current.open().query("ASK { ?s ?p ?o }", use_default_graph_as_union=True))
    after = build(tmp_path)
    assert Location(tmp_path).require_current().id == after.build_id
    leftovers = {p.name for p in (tmp_path / "builds").iterdir()}
    assert leftovers <= {good.build_id, after.build_id}
