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

**Fair under abuse.** Every job names its lane (:data:`kg.engine.job.Lane`). Ad-hoc
work (``/sparql``, Graph Store reads, dumps: its size is the client's choice) may hold
at most ``size - reserved`` of the pool's workers at once; the other
:data:`settings.RESERVED_WORKERS` are kept for packaged work (questions, entity pages,
the UI's data), which may use any worker. And a query that runs long (past
``NICE_AFTER_S``; ad-hoc ones past :data:`settings.ADHOC_LONG_AFTER_S`) leaves the pool:
a fresh worker takes its place at once (not when it ends) and its lane slot is free
again, while it goes on, reniced, in its own process to its time limit; up to
:data:`settings.MAX_LONG_QUERIES` at a time. Past that, an ad-hoc long query leaves the pool
too but keeps its lane slot (so the ad-hoc lane still has at most ``size - reserved``
queries in the pool or holding a slot, and at most ``MAX_LONG_QUERIES`` more), and a
packaged one keeps its worker (its lane has no share to bound how many could leave).
So runaway queries hold a pool worker at full priority for a fraction of a second each,
never the reserved ones, and however many there are the pool keeps its size for packaged
work.

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
from kg.engine.job import ADHOC, Job, Lane, Reply, cpu_seconds
from kg.errors import QueryTimeout, QueryTooBig

_PAGE = os.sysconf("SC_PAGE_SIZE")
# a worker process's main function: (pipe end, writer?, where it writes the CPU time at
# which its current job's query began: kg.engine.worker.run_job) -> None
Target = Callable[[Connection, bool, Any], None]
HELLO_TIMEOUT_S = 30.0  # for a new process's first word (whether it has a network)


class Worker:
    """One worker process and the parent's end of its pipe. Its first word on the pipe says
    whether it is cut off from the network (``isolated``: :mod:`kg.engine.worker`). In
    ``began`` (shared memory) it writes its CPU time when a job's store is open and the
    query begins; the parent sets it to -1 as it sends a job (see :class:`_LongWatch`)."""

    def __init__(self, ctx: Any, target: Target, writer: bool) -> None:
        parent, child = ctx.Pipe()
        self.began: Any = ctx.RawValue("d", -1.0)
        self.process = ctx.Process(target=target, args=(child, writer, self.began),
                                   daemon=True, name="kg-worker")
        self.process.start()
        child.close()
        self.conn: Connection = parent
        self.niced = False
        self.alive = True
        self.isolated = False
        with contextlib.suppress(EOFError, OSError):  # one that died is found out later
            if parent.poll(HELLO_TIMEOUT_S):
                self.isolated = parent.recv() is True

    def renice(self) -> None:
        """Lower the worker's CPU priority (a long query should yield to short ones):
        nice 19, and on Linux SCHED_IDLE, so it runs only on CPU time nobody else wants.
        On Linux both are per thread, and the query runs in a thread of its own (a deep
        stack: kg.engine.worker), so every thread of the process is lowered."""
        for tid in threads(self.process.pid):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, tid, settings.WORKER_NICENESS)
                self.niced = True
            if hasattr(os, "sched_setscheduler"):
                with contextlib.suppress(OSError):
                    os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))

    def kill(self, wait: float = 0.0) -> None:
        """Stop the process (SIGKILL); its query dies with it. Without ``wait`` this does
        not wait for it to be gone: a reniced worker (SCHED_IDLE) on a busy machine may
        take long to be scheduled and exit, and the event loop must not wait for that
        (its fork server reaps it)."""
        self.alive = False
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
            if wait:
                self.process.join(wait)
        with contextlib.suppress(OSError):
            self.conn.close()


class Share:
    """How many of the pool's workers one lane may hold at once (``room()``: it changes as
    workers leave and replacements arrive), and how many it holds now."""

    def __init__(self, room: Callable[[], int]) -> None:
        self._room = room
        self.running = 0
        self._changed = asyncio.Event()

    async def take(self) -> None:
        """Wait until the lane may hold one more worker, then count it."""
        while self.running >= self._room():
            self._changed.clear()
            await self._changed.wait()
        self.running += 1

    def give(self) -> None:
        self.running -= 1
        self.changed()

    def changed(self) -> None:
        """Wake the waiters to look again (a job ended, a worker joined the pool)."""
        self._changed.set()


class Slot:
    """A job's hold on its lane's share of the pool (None: packaged work, no limit), given
    back once: when the job ends, or earlier when its query leaves the pool."""

    def __init__(self, share: Share | None) -> None:
        self._share = share
        self._held = False

    @property
    def bounded(self) -> bool:
        """True when the job's lane has a share (how many it may hold is bounded)."""
        return self._share is not None

    async def take(self) -> None:
        if self._share is not None:
            await self._share.take()
            self._held = True

    def give_back(self) -> None:
        if self._held and self._share is not None:
            self._held = False
            self._share.give()


class Pool:
    """Reader workers (queries) and one writer (updates), all replaceable; some readers
    kept for packaged work, long queries moved out (see the module's doc)."""

    def __init__(self, size: int, target: Target, preload: list[str],
                 query_memory: int = settings.QUERY_MEMORY_MB << 20,
                 reserved: int = settings.RESERVED_WORKERS,
                 long_queries: int = settings.MAX_LONG_QUERIES) -> None:
        self.size = max(1, size)
        self.target = target  # what each process runs: (pipe end, writer?) -> None
        self.query_memory = query_memory  # bytes a job may add to its worker
        self.reserved = max(0, min(reserved, self.size - 1))  # ad-hoc work may not hold them
        self.long_queries = max(0, long_queries)  # queries out of the pool at once, at most
        self.adhoc_limit = self.size - self.reserved  # pool workers ad-hoc work may hold
        # ... of those in the pool now: while a replacement starts, fewer
        self.adhoc = Share(lambda: min(self.adhoc_limit, len(self._live) - self.reserved))
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(preload)
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._live: set[Worker] = set()
        self._out: set[Worker] = set()  # running a long query outside the pool
        self._freed: set[Worker] = set()  # ... of those, the ones that gave their slot back
        self._writer: Worker | None = None
        self._write_lock = asyncio.Lock()
        self._closed = False
        self._latest: tuple[str, int] | None = None  # the last job's build: warms replacements
        self.replaced = 0  # workers killed or moved out and replaced so far (for /health)

    async def start(self) -> None:
        """Start the readers (the writer starts on the first write)."""
        workers = await asyncio.gather(*(self._spawn(False) for _ in range(self.size)))
        for worker in workers:
            self._add(worker)

    async def close(self) -> None:
        """Kill every worker."""
        self._closed = True
        for worker in [*self._live, *self._out, *([self._writer] if self._writer else [])]:
            worker.kill(wait=1.0)
        self._live.clear()
        self._out.clear()
        self._freed.clear()
        self._writer = None

    async def run(self, job: Job, timeout: float, lane: Lane = "packaged") -> Reply:
        """Run a read job in an idle worker its lane may use; :class:`QueryTimeout` when
        time is up (waiting included)."""
        deadline = asyncio.get_running_loop().time() + timeout
        self._latest = (job.build, job.revision)
        slot = Slot(self.adhoc if lane == ADHOC else None)
        try:
            try:
                async with asyncio.timeout_at(deadline):
                    await slot.take()
                    worker = await self._idle.get()
            except TimeoutError:
                raise QueryTimeout(_timeout_message(timeout, "waiting for a free worker")
                                   ) from None
            long_after = settings.ADHOC_LONG_AFTER_S if lane == ADHOC else settings.NICE_AFTER_S
            reply = await self._exchange(worker, job, deadline, timeout, slot, long_after)
        finally:
            slot.give_back()
        if worker in self._out or (worker.niced and worker.alive):
            self._retire(worker)
        elif worker.alive:
            self._idle.put_nowait(worker)
        return reply

    def status(self) -> dict[str, int]:
        """How the workers are shared now (for /health)."""
        return {"reserved": self.reserved, "adhoc_limit": self.adhoc_limit,
                "adhoc_running": self.adhoc.running, "long_queries": len(self._freed),
                "long_queries_limit": self.long_queries,
                "out_of_pool": len(self._out)}

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

    async def _exchange(self, worker: Worker, job: Job, deadline: float, timeout: float,
                        slot: Slot | None = None,
                        long_after: float = settings.NICE_AFTER_S) -> Reply:
        """Send a job and wait for its reply; past ``long_after`` it is a long one (readers
        pass their ``slot``; the writer none, and is never moved out)."""
        watch = _LongWatch(self, worker, slot, long_after)
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
            watch.cancel()

    def _long(self, worker: Worker, slot: Slot | None) -> None:
        """A long query: renice its worker and move it out of the pool, a replacement
        starting now (the query goes on to its time limit): while fewer than
        ``long_queries`` have, its lane slot is free again; past that an ad-hoc one keeps
        its slot (its lane's share bounds how many do) and a packaged one stays in the pool.
        Nothing moves with ``long_queries`` 0. Not the writer (no ``slot``): it serves every
        later write too, one at a time."""
        if slot is None:
            return
        worker.renice()
        if worker not in self._live or self._closed or not self.long_queries:
            return
        free = len(self._freed) < self.long_queries
        if not free and not slot.bounded:
            return
        self._live.discard(worker)
        self._out.add(worker)
        if free:
            self._freed.add(worker)
            slot.give_back()
        self.replaced += 1
        self._replace()

    def _retire(self, worker: Worker) -> None:
        """Kill a worker and start its replacement in the background (a worker moved out
        was replaced when it left). The writer is waited for: the next one opens the store
        read-write, which it cannot while a dying one still holds it."""
        worker.kill(wait=5.0 if worker is self._writer else 0.0)
        if worker in self._out:
            self._out.discard(worker)
            self._freed.discard(worker)
            return
        self.replaced += 1
        self._live.discard(worker)
        if self._closed or worker is self._writer:
            return
        self._replace()

    def _replace(self) -> None:
        task = asyncio.get_running_loop().create_task(self._warm())
        task.add_done_callback(lambda t: self._add(t.result()) if not t.cancelled() else None)

    async def _warm(self) -> Worker:
        """A replacement worker that has opened the latest build (a ``ping`` job) before it
        joins the pool, so no request waits for a cold worker's store; if the warm-up
        fails, a cold one."""
        worker = await self._spawn(False)
        if self._latest is None:
            return worker
        build, revision = self._latest
        try:
            worker.conn.send(Job("ping", build, revision, {}))
            async with asyncio.timeout(settings.WARM_UP_TIMEOUT_S):
                await _readable(worker.conn, lambda: False)
            worker.conn.recv()
            return worker
        except (TimeoutError, EOFError, OSError):
            worker.kill()
            return await self._spawn(False)

    def _add(self, worker: Worker) -> None:
        if self._closed:
            worker.kill()
            return
        self._live.add(worker)
        self._idle.put_nowait(worker)
        self.adhoc.changed()

    async def _spawn(self, writer: bool) -> Worker:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, Worker, self._ctx, self.target, writer)

    def network(self) -> str:
        """"none" when every worker said it has no network
        (:func:`kg.engine.worker.without_network`), else "shared"."""
        workers = [*self._live, *self._out, *([self._writer] if self._writer else [])]
        return "none" if workers and all(w.isolated for w in workers) else "shared"

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

    def poll() -> None:  # a timer, not asyncio.wait (its tasks and sets cost every request)
        if ready.done():
            return
        if too_big():
            ready.set_exception(QueryTooBig("over its memory allowance"))
            return
        timers[0] = loop.call_later(settings.WORKER_POLL_S, poll)  # the latest only

    loop.add_reader(fd, wake)
    timers = [loop.call_later(settings.WORKER_POLL_S, poll)]
    try:
        await ready
    finally:
        timers[0].cancel()
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # uvloop leaves the fd non-blocking; recv needs blocking


def threads(pid: int | None) -> list[int]:
    """The ids of a process's threads (Linux: /proc/PID/task), else the process's own.

    >>> os.getpid() in threads(os.getpid()), threads(None)
    (True, [])
    """
    if pid is None:
        return []
    try:
        return [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
    except (OSError, ValueError):
        return [pid]


class _LongWatch:
    """When a job becomes a long one: once its worker has spent ``after`` seconds of CPU on
    its query, not of wall time. On a machine whose cores other work keeps busy, a short
    query may wait past ``after`` for a core; taken for a long one, it was lowered to
    SCHED_IDLE and then got no CPU at all until its time limit (seen: a plain ASK answered
    503 at 30 s beside two CPU-bound loops). Opening the job's store (a new build or
    revision: a small one is copied into memory) is not the query's: the count starts when
    the worker says the query began (``Worker.began``). Where CPU time cannot be read, wall
    time decides."""

    def __init__(self, pool: Pool, worker: Worker, slot: Slot | None, after: float) -> None:
        self.pool, self.worker, self.slot, self.after = pool, worker, slot, after
        worker.began.value = -1.0  # not begun: the worker sets it (kg.engine.worker.run_job)
        self.readable = cpu_seconds(worker.process.pid) is not None
        self.loop = asyncio.get_running_loop()
        self.handle = self.loop.call_later(after, self._check)

    def _check(self) -> None:
        if not self.readable:
            self.pool._long(self.worker, self.slot)
            return
        began, now = self.worker.began.value, cpu_seconds(self.worker.process.pid)
        used = 0.0 if began < 0 or now is None else now - began
        if used >= self.after:
            self.pool._long(self.worker, self.slot)
            return
        wait = max(self.after - used, settings.WORKER_POLL_S)
        self.handle = self.loop.call_later(wait, self._check)

    def cancel(self) -> None:
        self.handle.cancel()


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
