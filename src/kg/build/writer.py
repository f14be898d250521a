"""The on-disk store of a build, written by a child process while the build goes on.

Writing Oxigraph's indexes to disk is the largest single cost of a big build,
and it needs nothing but the input files. So a build starts a writer at once:
it bulk-loads the sources into the new store while the parent parses,
reasons and validates in memory, then loads what the parent derived (the
inferred graph, the catalogue, the manifest). Loads run in the order they are
sent. The parent publishes the store only after :meth:`Writer.close` returned;
if the parent dies, the writer sees its input close and stops without
finishing, and the unpublished folder is pruned by the next build.

>>> import tempfile, pathlib
>>> from pyoxigraph import NamedNode, Store
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> data = folder / "a.nt"
>>> _ = data.write_text("<http://e/s> <http://e/p> <http://e/o> .\\n")
>>> with Writer(folder / "store") as writer:
...     writer.load(data, RdfFormat.N_TRIPLES, NamedNode("http://e/g"))
>>> len(Store.read_only(str(folder / "store")))
1
"""

from __future__ import annotations

import ctypes
import json
import mmap
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from pyoxigraph import NamedNode, RdfFormat, Store

from kg import settings
from kg.errors import KgError


class Writer:
    """A child process that bulk-loads files into one new on-disk store, in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.closed = False
        self._proc = subprocess.Popen(
            # Run as a script, so the child imports pyoxigraph only (not the build's imports);
            # -P: without this folder on sys.path, where load.py or rules.py could shadow.
            [sys.executable, "-P", __file__, str(path)],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def load(self, file: Path, fmt: RdfFormat, graph: NamedNode | None = None,
             remove: bool = False) -> None:
        """Queue a file (``remove``: delete it once loaded)."""
        job = {"path": str(file), "format": fmt.media_type, "remove": remove,
               "graph": graph.value if graph is not None else None}
        self._send(json.dumps(job))

    def optimize(self) -> None:
        """Queue a compaction of what was loaded so far (one sorted run per index:
        bulk loads leave several, and disk queries read each)."""
        self._send("optimize")

    def close(self) -> None:
        """Wait until everything queued is on disk; raise if the writer failed."""
        if self.closed:
            return
        self.closed = True
        self._send("end")
        _, err = self._proc.communicate(timeout=settings.WRITER_CLOSE_TIMEOUT_S)
        if self._proc.returncode != 0:
            raise KgError(f"writing {self.path} failed: {err.strip()[-2000:]}")

    def abort(self) -> None:
        """Stop the writer at once (the folder is then discarded)."""
        self.closed = True
        self._proc.kill()
        self._proc.communicate()

    def _send(self, line: str) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(line + "\n")
            self._proc.stdin.flush()
        except BrokenPipeError:  # the writer stopped: report its own error
            _, err = self._proc.communicate(timeout=settings.WRITER_CLOSE_TIMEOUT_S)
            raise KgError(f"writing {self.path} failed: {err.strip()[-2000:]}") from None

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        elif not self.closed:
            self.abort()


def run(path: str, jobs: Iterable[str]) -> None:
    """The child's work: load each job line until ``end``; flush only then."""
    store = Store(path)
    for line in jobs:
        if line.strip() == "end":
            store.flush()
            return
        if line.strip() == "optimize":
            store.optimize()
            release()
            continue
        job = json.loads(line)
        fmt = RdfFormat.from_media_type(job["format"])
        if fmt is None:
            raise SystemExit(f"unknown format {job['format']}")
        graph = NamedNode(job["graph"]) if job["graph"] else None
        for part in parts(Path(job["path"]), fmt, Path(path).parent, settings.WRITER_PART_BYTES):
            # lenient: the parent parses every file strictly and fails the build on errors
            store.bulk_load(path=str(part), format=fmt, to_graph=graph, lenient=True)
            if part != Path(job["path"]):
                part.unlink()
            release()
        if job["remove"]:
            Path(job["path"]).unlink()
    raise SystemExit("the build stopped before the store was complete")


def parts(file: Path, fmt: RdfFormat, folder: Path, size: int) -> Iterator[Path]:
    """The file itself, or, when it is line-based (N-Triples, N-Quads), larger than ``size``
    and without blank nodes, copies of its pieces of about ``size`` bytes cut at line ends,
    each yielded once written (and deleted by the caller once loaded): the bulk loader's
    memory grows with its input (1.7 GB for 3M triples at once, 0.4 GB in 64 MB pieces).
    A blank node label names one node in one document only, so such a file stays whole.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> nt = folder / "a.nt"
    >>> _ = nt.write_text("<http://e/a> <http://e/p> 1 .\\n<http://e/b> <http://e/p> 2 .\\n")
    >>> [p.read_text().count("\\n") for p in parts(nt, RdfFormat.N_TRIPLES, folder, size=10)]
    [1, 1]
    >>> _ = nt.write_text("_:x <http://e/p> 1 .\\n_:x <http://e/p> 2 .\\n")
    >>> list(parts(nt, RdfFormat.N_TRIPLES, folder, size=10)) == [nt]
    True
    """
    total = file.stat().st_size
    if fmt not in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS) or total <= size or _blank(file):
        yield file
        return
    with file.open("rb") as source:
        start, n = 0, 0
        while start < total:
            source.seek(min(start + size, total))
            source.readline()
            end = source.tell()
            n += 1
            part = folder / f"part-{n}{file.suffix}"
            with part.open("wb") as target:
                _copy(source, target, start, end)
            yield part
            start = end


def _blank(file: Path) -> bool:
    """Might the file hold a blank node? (``_:`` anywhere, literals included)"""
    with file.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b"_:") >= 0


def _copy(source: BinaryIO, target: BinaryIO, start: int, end: int) -> None:
    """Bytes ``start`` to ``end`` of one file into another (in the kernel where it can)."""
    offset = start
    while offset < end:
        try:
            copied = os.copy_file_range(source.fileno(), target.fileno(), end - offset, offset)
        except (AttributeError, OSError):
            source.seek(offset)
            copied = target.write(source.read(min(end - offset, 1 << 24)))
        if copied <= 0:
            raise OSError(f"could not copy {source.name} at byte {offset}")
        offset += copied


def release() -> None:
    """Give the memory a bulk load freed back to the system (glibc keeps it otherwise:
    ~360 of 430 MB after a million triples), so that it is not held while the build
    validates beside the writer; nothing where ``malloc_trim`` does not exist."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        return


if __name__ == "__main__":
    run(sys.argv[1], sys.stdin)
