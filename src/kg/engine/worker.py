"""A worker process: open the right build, run one task, reply.

Each reader keeps one store open (copied into memory when small) and re-opens
it when a job names another build or a newer revision of it. The writer opens
the store read-write for each write and closes it before replying: RocksDB
read-only opens are only safe while no writer holds the store. The tasks are
those of :mod:`kg.engine.tasks`, run on a :class:`~kg.engine.backend.LocalBackend`.

**No network.** Where the operating system allows it, a worker's first act is to move into
a network namespace of its own (:func:`without_network`): no interface is up there, not even
the loopback one, so nothing a query makes pyoxigraph do (SERVICE, LOAD) can connect
anywhere, whatever the guard (:mod:`kg.sparql`) missed. Federated questions have their
SERVICE blocks answered by the server process first (:mod:`kg.engine.local`); a worker only
sees their answers, as VALUES.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from kg import settings
from kg.catalogue import Catalogue
from kg.engine.backend import LocalBackend
from kg.engine.job import Job, Reply, cpu_seconds
from kg.engine.tasks import handle
from kg.store import MANIFEST


class WorkerState:
    """One worker's open store and lazily loaded catalogue."""

    def __init__(self, queries: Path | None, writer: bool) -> None:
        self.queries = queries
        self.writer = writer
        self.key: tuple[str, int] | None = None
        self.store: Store | None = None
        self._catalogue: Catalogue | None = None

    def store_for(self, job: Job) -> Store:
        key = (job.build, job.revision)
        if key != self.key or self.store is None:
            self.close()  # release the old store before opening the new one
            self.store = self._open(Path(job.build))
            self.key = key
        return self.store

    def _open(self, build: Path) -> Store:
        """Open a build's store; a reader retries while a write is being closed."""
        path = str(build / "store")
        deadline = time.monotonic() + settings.STORE_OPEN_WAIT_S
        pause = 0.02
        while True:
            try:
                if self.writer:
                    return Store(path)
                return in_memory(Store.read_only(path), _size(build))
            except (OSError, RuntimeError):
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def close(self) -> None:
        """Drop the open store (the writer does so after every write, see module doc)."""
        self.store, self.key = None, None

    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = Catalogue.load(self.queries)
        return self._catalogue


def in_memory(store: Store, size: int) -> Store:
    """A small build copied into memory (2-3x faster queries); a large one as it is.

    >>> disk = Store()
    >>> disk.update("INSERT DATA { <http://e/a> <http://e/p> 1 }")
    >>> len(in_memory(disk, 1)), in_memory(disk, 10**9) is disk
    (1, True)
    """
    if size > settings.IN_MEMORY_MAX_QUADS:
        return store
    copy = Store()
    copy.bulk_extend(store)
    return copy


def _size(build: Path) -> int:
    """Quads in a build, from its manifest (no scan of the store)."""
    try:
        return int(json.loads((build / MANIFEST).read_text("utf-8")).get("triples", 0))
    except (OSError, ValueError):
        return settings.IN_MEMORY_MAX_QUADS + 1


CLONE_NEWUSER = 0x10000000  # Linux's unshare(2) flags
CLONE_NEWNET = 0x40000000


def namespaces(euid: int) -> list[int]:
    """The unshare(2) flags to try, in order: as root a network namespace alone (root keeps
    reading files whoever owns them), else (or if that is refused: a container without
    CAP_SYS_ADMIN) a user namespace with it, which unprivileged processes may create where
    the system allows them.

    >>> [hex(f) for f in namespaces(0)], [hex(f) for f in namespaces(1000)]
    (['0x40000000', '0x50000000'], ['0x50000000'])
    """
    both = CLONE_NEWUSER | CLONE_NEWNET
    return [CLONE_NEWNET, both] if euid == 0 else [both]


def without_network() -> bool:
    """Move this process into a new network namespace, where no interface is up: it can
    no longer connect to anything, on this host or another. Linux only; it must run while
    the process has a single thread (a user namespace demands it). True when it worked."""
    if not sys.platform.startswith("linux"):
        return False
    unshare = getattr(os, "unshare", None)  # Python 3.12+; else libc's
    if unshare is None:
        libc = ctypes.CDLL(None, use_errno=True)
        def unshare(flags: int) -> None:
            if libc.unshare(flags) != 0:
                raise OSError(ctypes.get_errno(), "unshare")
    for flags in namespaces(os.geteuid()):
        try:
            unshare(flags)
            return True
        except OSError:
            continue
    return False


def serve(conn: Connection, writer: bool, began: Any = None, queries: Path | None = None,
          isolate: bool = settings.ISOLATE_WORKERS) -> None:
    """A worker's main loop, on a thread with a deep stack (see
    :data:`kg.settings.STACK_BYTES`); first, with ``isolate``, out of the network
    (:func:`without_network`: while the process has one thread, and it says whether it
    worked)."""
    conn.send(isolate and without_network())  # the first word: kg.engine.pool.Worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    threading.stack_size(settings.STACK_BYTES)
    state = WorkerState(queries, writer)
    if not writer:  # the catalogue now, not in the first question's time (a replaced worker);
        with contextlib.suppress(Exception):  # a failure is the first question's to report
            state.catalogue()
    loop = threading.Thread(target=_loop, args=(conn, state, began), name="kg-worker")
    loop.start()
    loop.join()


def _loop(conn: Connection, state: WorkerState, began: Any) -> None:
    """Receive a job, send its reply, until the pipe closes."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_job(state, job, began))


def run_job(state: WorkerState, job: Job, began: Any = None) -> Reply:
    """Run one job on its build; every failure becomes an error reply. Once the build's
    store is open, the worker's CPU time goes into ``began`` (shared with the server,
    :class:`kg.engine.pool.Worker`): a query is long by the CPU it uses after that."""
    try:
        store = state.store_for(job)
    except (OSError, RuntimeError) as exc:
        return Reply(status=503, message=f"build not available, retry: {exc}")
    if began is not None:
        began.value = cpu_seconds(os.getpid()) or 0.0
    try:
        return handle(job.task, LocalBackend(store), job.args, state)
    finally:
        if state.writer:
            state.close()  # readers may only open a build's store while no writer holds it


