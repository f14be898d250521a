"""The wheel ships the ontology, the curated data and the queries."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_resources(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)]
    proc = subprocess.run([*cmd, str(ROOT)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"kg/_resources/ontology/{p.name}" for p in (ROOT / "ontology").glob("*.ttl")}
    expected |= {f"kg/_resources/data/{p.name}" for p in (ROOT / "data").glob("*.ttl")}
    expected |= {f"kg/_resources/queries/{p.name}" for p in (ROOT / "queries").glob("*.rq")}
    assert expected and expected <= names
    assert "kg/py.typed" in names and "kg/cli/__init__.py" in names
