"""``kg init DIR``: a new, empty and buildable project.

The skeleton (``kg/gen/skeleton/``) holds a ``kg.toml``, a small ontology that imports
the future-industries ontology, one example source text and its registration, one data
file with a quoted fact and one question; the shapes are a copy of the builder's own.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     made = init(Path(tmp) / "my-plans")
...     sorted(p.relative_to(made).as_posix() for p in made.rglob("*") if p.is_file())
['.gitignore', 'data/example.ttl', 'data/source.ttl', 'kg.toml', 'ontology/project.ttl',
 'ontology/shapes.ttl', 'queries/example.rq', 'sources/example.zh.txt']
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from kg import settings
from kg.errors import UsageError

SKELETON = Path(__file__).resolve().parent / "skeleton"
NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def init(folder: Path, name: str | None = None) -> Path:
    """Write a new project into ``folder`` (absent or empty); return its path.

    ``name`` (default: the folder's name, lower-cased) goes into ``kg.toml`` and the
    example IRIs (``https://example.org/NAME/``).
    """
    folder = folder.resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder}: exists and is not an empty folder; "
                         "kg init makes a project in a new or empty folder")
    name = name or re.sub(r"[^a-z0-9-]+", "-", folder.name.lower()).strip("-") or "project"
    if not NAME.match(name):
        raise UsageError(f"project name {name!r}: lower-case letters, digits and hyphens")
    for src in sorted(SKELETON.rglob("*")):
        if src.is_file() and "__pycache__" not in src.parts:
            dest = folder / src.relative_to(SKELETON)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.suffix in {".txt"}:
                shutil.copyfile(src, dest)  # byte for byte: its checksum is registered
            else:
                dest.write_text(src.read_text("utf-8").replace("@NAME@", name), "utf-8")
    shapes = folder / "ontology" / "shapes.ttl"
    head = ("# The SHACL shapes of the project: a copy of the builder's own, made by kg init."
            "\n# Edit or extend them; `kg build` validates the data against this file.\n\n")
    shapes.write_text(head + (settings.builtin().ontology / "shapes.ttl").read_text("utf-8"),
                      "utf-8")
    (folder / ".gitignore").write_text("var/\n", "utf-8")
    return folder
