"""A pool of worker processes that run queries and can be killed mid-query.

pyoxigraph cannot cancel a running query, so every query runs in a worker
process. When a request's time is up, its worker is killed (SIGKILL) and a
fresh one takes its place; the other workers go on serving. A query that runs
longer than :data:`settings.NICE_AFTER_S` has its worker's CPU priority lowered, so
that one runaway query does not slow the short ones down; such a worker is
retired when it finishes. A query that makes its worker grow by more than its
memory allowance (sorting a cartesian product, say) is stopped the same way,
so memory stays bounded: the worker's size is read every :data:`settings.WORKER_POLL_S`.
Writes go to one separate writer process, one at a time.

Workers are forked from a clean fork server (never from the threaded server
process) with :mod:`kg.engine.tasks` preloaded, so a replacement starts in
milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from kg import settings
from kg.engine.job import Job, Reply
from kg.errors import QueryTimeout, QueryTooBig

_PAGE = os.sysconf("SC_PAGE_SIZE")
Target = Callable[[Connection, bool], None]  # a worker process's main function


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: Any, target: Target, writer: bool) -> None:
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=target, args=(child, writer), daemon=True,
                                   name="kg-worker")
        self.process.start()
        child.close()
        self.conn: Connection = parent
        self.niced = False
        self.alive = True

    def renice(self) -> None:
        """Lower the worker's CPU priority (a long query should yield to short ones):
        nice 19, and on Linux SCHED_IDLE, so it runs only on CPU time nobody else wants."""
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.process.pid, settings.WORKER_NICENESS)
            self.niced = True
        if hasattr(os, "sched_setscheduler"):
            with contextlib.suppress(OSError):
                os.sched_setscheduler(self.process.pid, os.SCHED_IDLE, os.sched_param(0))

    def kill(self) -> None:
        """Stop the process at once; its query dies with it."""
        self.alive = False
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(OSError):
            self.conn.close()


class Pool:
    """Reader workers (queries) and one writer (updates), all replaceable."""

    def __init__(self, size: int, target: Target, preload: list[str],
                 query_memory: int = settings.QUERY_MEMORY_MB << 20) -> None:
        self.size = max(1, size)
        self.target = target  # what each process runs: (pipe end, writer?) -> None
        self.query_memory = query_memory  # bytes a job may add to its worker
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(preload)
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._live: set[Worker] = set()
        self._writer: Worker | None = None
        self._write_lock = asyncio.Lock()
        self._closed = False
        self.replaced = 0  # workers killed and replaced so far (for /health)

    async def start(self) -> None:
        """Start the readers (the writer starts on the first write)."""
        workers = await asyncio.gather(*(self._spawn(False) for _ in range(self.size)))
        for worker in workers:
            self._add(worker)

    async def close(self) -> None:
        """Kill every worker."""
        self._closed = True
        for worker in [*self._live, *([self._writer] if self._writer else [])]:
            worker.kill()
        self._live.clear()
        self._writer = None

    async def run(self, job: Job, timeout: float) -> Reply:
        """Run a read job in an idle worker; :class:`QueryTimeout` when time is up."""
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                worker = await self._idle.get()
        except TimeoutError:
            raise QueryTimeout(_timeout_message(timeout, "waiting for a free worker")) from None
        reply = await self._exchange(worker, job, deadline, timeout)
        if worker.niced and worker.alive:
            self._retire(worker)
        elif worker.alive:
            self._idle.put_nowait(worker)
        return reply

    async def write(self, job: Job, timeout: float) -> Reply:
        """Run a write job in the single writer process, one write at a time."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._write_lock:
            if self._writer is None:
                self._writer = await self._spawn(True)
            worker = self._writer
            try:
                return await self._exchange(worker, job, deadline, timeout)
            except BaseException:
                self._writer = None
                raise

    async def _exchange(self, worker: Worker, job: Job, deadline: float, timeout: float) -> Reply:
        loop = asyncio.get_running_loop()
        nice = loop.call_later(settings.NICE_AFTER_S, worker.renice)
        try:
            limit = rss(worker.process.pid) + self.query_memory
            worker.conn.send(job)
            async with asyncio.timeout_at(deadline):
                await _readable(worker.conn, lambda: rss(worker.process.pid) > limit)
            reply: Reply = worker.conn.recv()
            return reply
        except TimeoutError:
            self._retire(worker)
            raise QueryTimeout(_timeout_message(timeout, "running the query")) from None
        except QueryTooBig:
            self._retire(worker)
            raise QueryTooBig(f"query stopped: it needed more than {self.query_memory >> 20} MB "
                              "of memory (sorting or grouping a huge intermediate result?)"
                              ) from None
        except (EOFError, OSError):
            self._retire(worker)
            return Reply(status=500, message="the worker process died while running the query")
        except BaseException:
            self._retire(worker)
            raise
        finally:
            nice.cancel()

    def _retire(self, worker: Worker) -> None:
        """Kill a worker and start its replacement in the background."""
        self.replaced += 1
        self._live.discard(worker)
        worker.kill()
        if self._closed or worker is self._writer:
            return
        task = asyncio.get_running_loop().create_task(self._spawn(False))
        task.add_done_callback(lambda t: self._add(t.result()) if not t.cancelled() else None)

    def _add(self, worker: Worker) -> None:
        if self._closed:
            worker.kill()
            return
        self._live.add(worker)
        self._idle.put_nowait(worker)

    async def _spawn(self, writer: bool) -> Worker:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, Worker, self._ctx, self.target, writer)

    def pids(self) -> list[int]:
        """The reader processes' ids (tests use them to watch replacement)."""
        return sorted(w.process.pid for w in self._live if w.process.pid)

    def __iter__(self) -> Iterator[Worker]:
        return iter(list(self._live))


async def _readable(conn: Connection, too_big: Callable[[], bool]) -> None:
    """Wait, without blocking the event loop, until the pipe has data (or EOF);
    :class:`QueryTooBig` as soon as ``too_big()`` (checked every :data:`settings.WORKER_POLL_S`)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = conn.fileno()
    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        while not ready.done():
            await asyncio.wait({ready}, timeout=settings.WORKER_POLL_S)
            if not ready.done() and too_big():
                raise QueryTooBig("over its memory allowance")
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # uvloop leaves the fd non-blocking; recv needs blocking


def rss(pid: int | None) -> int:
    """A process's resident memory in bytes (0 when it cannot be read).

    >>> rss(os.getpid()) > 1 << 20, rss(None)
    (True, 0)
    """
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _timeout_message(timeout: float, doing: str) -> str:
    return f"query stopped at its {timeout:g} s time limit ({doing})"
