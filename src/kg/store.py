"""The on-disk layout of a location: immutable builds and a pointer to the current one.

A location is a folder::

    LOCATION/builds/<build-id>/       one Oxigraph store per build, never changed after
    LOCATION/builds/<build-id>/build.json   its manifest
    LOCATION/current                   symlink to the current build, swapped atomically
    LOCATION/releases/<version>.json   a release: a version name given to one build, for good

A build is written into a fresh folder and ``current`` is switched with one
``rename`` only when everything passed, so readers always see a whole build.

>>> import tempfile, pathlib
>>> loc = Location(pathlib.Path(tempfile.mkdtemp()))
>>> loc.current() is None
True
>>> loc.releases()
[]
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pyoxigraph import Store

from kg import settings
from kg.errors import KgError, NotFoundError, UsageError

MANIFEST = "build.json"
#: A release's version: letters, digits, dots, hyphens, underscores (1.0.0, 2026-q1, v2-rc1)
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")


@dataclass(frozen=True)
class Release:
    """A version name given to one build, with when and which release came before."""

    version: str
    build: str
    time: str
    previous: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "build": self.build, "time": self.time,
                "previous": self.previous}


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), read a megabyte at a time.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "f"
    >>> _ = path.write_bytes(b"abc")
    >>> file_sha256(path)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class SourceFile(NamedTuple):
    """An N-Triples file whose triples, and nothing else, make one graph of a build."""

    path: Path
    sha256: str  # the file as the build read it
    triples: int


@dataclass(frozen=True)
class Build:
    """One finished build: its folder and manifest."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    def manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / MANIFEST).read_text("utf-8"))
        return data

    @property
    def location(self) -> Location:
        """The location that holds this build."""
        return Location(self.path.parent.parent)

    def open(self) -> Store:
        """Open the build's store read-only (many readers may do so at once)."""
        return Store.read_only(str(self.path / "store"))

    def source_files(self) -> dict[str, SourceFile]:
        """The graphs that are one N-Triples file's triples as loaded (one source, as many
        triples in the graph as that source gave, an absolute path that still names a
        file): whoever reads such a file instead of the store checks its SHA-256 first.

        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> (folder / "a.nt").write_text("<a:s> <a:p> <a:o> .\\n")
        20
        >>> sources = [{"path": str(folder / "a.nt"), "graph": "g:a", "sha256": "…",
        ...             "triples": 1}, {"path": str(folder / "b.ttl"), "graph": "g:b",
        ...             "sha256": "…", "triples": 1}]
        >>> (folder / MANIFEST).write_text(json.dumps({"sources": sources, "graphs": {
        ...     "g:a": 1, "g:b": 1}})) > 0
        True
        >>> list(Build(folder).source_files())
        ['g:a']
        """
        data = self.manifest()
        by_graph: dict[str, list[dict[str, Any]]] = {}
        for source in data.get("sources", []):
            by_graph.setdefault(source["graph"], []).append(source)
        files = {}
        for graph, (source, *others) in by_graph.items():
            path = Path(source["path"])
            if (not others and path.suffix == ".nt" and path.is_absolute() and path.is_file()
                    and data.get("graphs", {}).get(graph) == source.get("triples")):
                files[graph] = SourceFile(path, source["sha256"], source["triples"])
        return files


class Location:
    """A folder holding builds and the ``current`` pointer."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.builds = self.root / "builds"
        self.pointer = self.root / "current"
        self.release_dir = self.root / "releases"

    def current(self) -> Build | None:
        """The build ``current`` points to, or None before the first build."""
        try:
            target = os.readlink(self.pointer)
        except (FileNotFoundError, OSError):
            return None
        build = Build(self.builds / Path(target).name)
        return build if (build.path / MANIFEST).is_file() else None

    def require_current(self) -> Build:
        """Like :meth:`current`, but a missing build is a :class:`NotFoundError`."""
        build = self.current()
        if build is None:
            raise NotFoundError(f"no graph built at {self.root}: run `kg build` first")
        return build

    def build(self, build_id: str) -> Build:
        """A finished build by its id; :class:`NotFoundError` otherwise."""
        build = Build(self.builds / build_id)
        if "/" in build_id or build_id.startswith(".") or not (build.path / MANIFEST).is_file():
            raise NotFoundError(f"no build {build_id!r} at {self.root}")
        return build

    def releases(self) -> list[Release]:
        """Every release, oldest first."""
        if not self.release_dir.is_dir():
            return []
        found = [Release(**json.loads(p.read_text("utf-8")))
                 for p in self.release_dir.glob("*.json")]
        return sorted(found, key=lambda r: (r.time, r.version))

    def release(self, version: str, build: Build, time: str) -> Release:
        """Give ``build`` the name ``version`` for good: a version that exists is refused
        (a release never changes), and the build is kept from then on (:meth:`prune`).

        >>> import tempfile, pathlib
        >>> loc = Location(pathlib.Path(tempfile.mkdtemp()))
        >>> loc.release("1 0", Build(loc.builds / "b"), "t")
        Traceback (most recent call last):
          ...
        kg.errors.UsageError: release version '1 0': use letters, digits and . - _ (e.g. 1.0.0)
        """
        if not VERSION.fullmatch(version):
            raise UsageError(f"release version {version!r}: use letters, digits and . - _ "
                             "(e.g. 1.0.0)")
        self.release_dir.mkdir(parents=True, exist_ok=True)
        before = self.releases()
        made = Release(version, build.id, time, before[-1].version if before else None)
        tmp = self.release_dir / f".{version}.tmp"
        tmp.write_text(json.dumps(made.as_json(), indent=2), "utf-8")
        try:
            os.link(tmp, self.release_dir / f"{version}.json")  # fails if it exists
        except FileExistsError as exc:
            raise UsageError(f"release {version} exists (build "
                             f"{self.resolve(version).id}); a release never changes: "
                             "choose another version") from exc
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(self.release_dir)
        return made

    def resolve(self, ref: str) -> Build:
        """A release version or a build id, as the build it names; NotFoundError listing
        the releases otherwise."""
        path = self.release_dir / f"{ref}.json"
        if VERSION.fullmatch(ref) and path.is_file():
            return self.build(json.loads(path.read_text("utf-8"))["build"])
        try:
            return self.build(ref)
        except NotFoundError:
            names = ", ".join(r.version for r in self.releases()) or "none yet"
            raise NotFoundError(f"{ref!r} is neither a release nor a build at {self.root} "
                                f"(releases: {names})") from None

    def new_build_dir(self, build_id: str) -> Path:
        """A fresh, empty folder for a build in progress."""
        path = self.builds / build_id
        path.mkdir(parents=True, exist_ok=False)
        return path

    def publish(self, build_dir: Path) -> Build:
        """Point ``current`` at a finished build with one atomic rename."""
        tmp = self.root / f".current-{build_dir.name}"
        tmp.unlink(missing_ok=True)
        os.symlink(Path("builds") / build_dir.name, tmp)
        os.replace(tmp, self.pointer)
        _fsync_dir(self.root)
        return Build(build_dir)

    def prune(self) -> list[str]:
        """Delete unfinished builds and all but the newest finished ones.

        A build's manifest goes first, so a prune that is killed half-way leaves an
        unfinished folder (removed next time), never one that looks finished; builds are
        ordered by their manifest's time, which deleting other files does not change.
        """
        current = self.current()
        keep = {current.id} if current else set()
        keep.update(r.build for r in self.releases())  # a release's build is kept for good
        finished = sorted(
            (p for p in self._build_dirs() if (p / MANIFEST).is_file()),
            key=lambda p: (p / MANIFEST).stat().st_mtime,
            reverse=True,
        )
        keep.update(p.name for p in finished[:settings.KEEP_BUILDS])
        removed = [p.name for p in self._build_dirs() if p.name not in keep]
        for name in removed:
            (self.builds / name / MANIFEST).unlink(missing_ok=True)
            shutil.rmtree(self.builds / name, ignore_errors=True)
        for stale in self.root.glob(".current-*"):  # a build killed while publishing
            stale.unlink(missing_ok=True)
        return removed

    def _build_dirs(self) -> list[Path]:
        return [p for p in self.builds.iterdir() if p.is_dir()] if self.builds.is_dir() else []

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the location's build lock: one build at a time."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise KgError(f"another build is running in {self.root}") from exc
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
