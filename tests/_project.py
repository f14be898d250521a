"""Projects in tests: a copy of this project's files in another folder, and the real `kg`
command run in a folder (tests/test_project.py, test_evidence.py, test_curating.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from kg import settings

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PROJECT_PARTS = ("kg.toml", "ontology", "data", "queries", "sources")


def kg(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real `kg` command in a folder, with no project or store named by the environment."""
    clean = {k: v for k, v in os.environ.items()
             if k not in (settings.ENV_LOCATION, settings.ENV_PROJECT)}
    clean["PYTHONPATH"] = str(SRC)
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd,
                          env={**clean, **(env or {})},
                          capture_output=True, text=True, timeout=600)


def copy_project(dest: Path) -> Path:
    """This project's files (not its store) in another folder."""
    dest.mkdir(parents=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.is_file():
            shutil.copy2(src, dest / part)
    return dest
