"""What a build can take from earlier ones instead of doing again.

**Nothing changed**: a build's inputs have one fingerprint (:func:`fingerprint`: the kg
version, the options, and the SHA-256 of every source file, the shapes, the packaged
questions and every other file of the project's folders, ``settings.INPUT_FOLDERS``).
``kg build`` computes it first, with none of the pipeline loaded, and when it is the
current build's the build is not made again: the current build *is* that build
(``kg build`` says ``unchanged: build ID is current``; ``--force`` builds anyway).

**The judgement of HermiT**: what HermiT inferred from exactly the same input (the
files it reads, the ontology and curated data, named by graph and SHA-256: the key) is
kept in ``LOCATION/cache/hermit/`` and reused, so a change that HermiT does not read (a
packaged question, an external dataset, a forced rebuild) skips the JVM. The manifest
lists what was reused.

>>> import tempfile
>>> cache = Path(tempfile.mkdtemp())
>>> remembered(cache, b"x") is None
True
>>> remember(cache, b"x", [("http://e/a", "http://e/p", "http://e/b")])
>>> remembered(cache, b"x")
[('http://e/a', 'http://e/p', 'http://e/b')]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from kg import __version__, settings
from kg.store import Location

Triple = tuple[str, str, str]


def fingerprint(paths: Iterable[Path], options: dict[str, object]) -> str:
    """One digest of everything a build reads: the given files (sources), the files of the
    project's input folders, the kg version and the options (``--pyshacl``…).

    >>> a = fingerprint([], {"reference": False})
    >>> a == fingerprint([], {"reference": False}), a == fingerprint([], {"reference": True})
    (True, False)
    """
    root = settings.resources().root
    files = {f.resolve() for p in paths
             for f in (sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p])}
    for folder in settings.INPUT_FOLDERS:
        base = root / folder
        if base.is_dir():
            files.update(p.resolve() for p in base.rglob("*")
                         if p.is_file() and not p.name.startswith("."))
    for name in settings.INPUT_FILES:
        if (root / name).is_file():
            files.add((root / name).resolve())
    digest = hashlib.sha256(json.dumps([__version__, sorted(options.items())],
                                       default=str).encode())
    for path in sorted(files):
        digest.update(f"\n{path}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def options(paths: list[Path] | None, reference: bool) -> dict[str, object]:
    """The options a build's fingerprint covers: which sources were named, ``--pyshacl``."""
    return {"paths": sorted(str(p.resolve()) for p in paths or []), "reference": reference}


def unchanged(location: Path, paths: list[Path] | None, reference: bool) -> str | None:
    """The id of the current build at ``location`` when its inputs are the same as now's,
    else None (no build, other inputs, or a build made before fingerprints)."""
    current = Location(location).current()
    if current is None:
        return None
    try:
        recorded = current.manifest().get("inputs")
    except (OSError, ValueError):
        return None
    return current.id if recorded == fingerprint(paths or [], options(paths, reference)) \
        else None


def _entry(cache: Path, key: bytes) -> Path:
    return cache / f"{hashlib.sha256(key).hexdigest()}.json"


def remembered(cache: Path, key: bytes) -> list[Triple] | None:
    """What HermiT inferred from the input ``key`` names, before, or None."""
    try:
        found = json.loads(_entry(cache, key).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return [(s, p, o) for s, p, o in found]


def remember(cache: Path, key: bytes, inferred: list[Triple]) -> None:
    """Keep what HermiT inferred from the input ``key`` names (written whole or not at
    all); the oldest entries go past ``settings.HERMIT_CACHE_ENTRIES``."""
    cache.mkdir(parents=True, exist_ok=True)
    entry = _entry(cache, key)
    tmp = entry.with_suffix(".tmp")
    tmp.write_text(json.dumps(inferred), "utf-8")
    tmp.replace(entry)
    entries = sorted(cache.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[settings.HERMIT_CACHE_ENTRIES:]:
        old.unlink(missing_ok=True)
