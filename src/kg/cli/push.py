"""``kg push``: the current build onto another SPARQL server (kg.remote.push), with
credentials (kg.remote.auth) and a progress bar on a terminal, plain lines otherwise.
No credential is ever printed: every message goes through ``Credentials.redact``.

>>> lines = Lines(sys.stdout)
>>> lines.staged("https://w3id.org/future-industries/graph/links", 1200)
staged https://w3id.org/future-industries/graph/links: 1,200 triples
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from kg import settings
from kg.cli.build import add_location, current
from kg.errors import KgError, UsageError
from kg.remote import auth
from kg.remote.push import push

_err = Console(stderr=True)


def register(sub: Any) -> None:
    """Add ``kg push`` to the ``kg`` parser."""
    p = sub.add_parser("push", help="make another SPARQL server hold exactly this build's "
                                    "graphs (Graph Store Protocol, then one update)")
    add_location(p)
    p.add_argument("url", help="Graph Store endpoint, e.g. http://127.0.0.1:7879/store "
                               "(Oxigraph, kg serve) or http://HOST:8890/sparql-graph-crud-auth "
                               "(Virtuoso)")
    p.add_argument("--query-url", help="its SPARQL query endpoint (default: beside the URL)")
    p.add_argument("--update-url", help="its SPARQL update endpoint (default: beside the URL)")
    p.add_argument("--user", help=f"user name (Basic or Digest, as the server asks; also "
                                  f"${auth.ENV_USER}, or ~/.netrc)")
    p.add_argument("--password-env", metavar="NAME",
                   help=f"environment variable holding the password (default "
                        f"${auth.ENV_PASSWORD}; else ~/.netrc, else asked on a terminal)")
    p.add_argument("--token", help=f"bearer token (better: ${auth.ENV_TOKEN}; "
                                   f"${auth.ENV_SERVER_TOKEN} is used too)")
    p.add_argument("--timeout", type=float, default=settings.REMOTE_TIMEOUT_S,
                   help="seconds per request (default %(default)s)")
    p.add_argument("--chunk-bytes", type=int, default=settings.PUSH_CHUNK_BYTES,
                   help="N-Triples per request (default %(default)s; halved on a 413)")
    p.set_defaults(func=cmd_push)


def credentials(args: argparse.Namespace) -> auth.Credentials:
    """The credentials the options, the URL, the environment or ~/.netrc give; a password
    asked for on a terminal when a user has none."""
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if password is None:
            raise UsageError(f"--password-env {args.password_env}: that variable is not set")
    try:
        return auth.find(args.url, user=args.user, password=password, token=args.token)
    except UsageError:
        user = args.user or auth.split_userinfo(args.url)[1] or os.environ.get(auth.ENV_USER)
        if user is None or not sys.stdin.isatty():
            raise
        asked = getpass.getpass(f"password for {user}: ")
        return auth.find(auth.split_userinfo(args.url)[0], user=user, password=asked)


def cmd_push(args: argparse.Namespace) -> int:
    creds = auth.Credentials(auth.split_userinfo(args.url)[0])
    try:
        creds = credentials(args)
        build = current(args)
        with _terminated_as_interrupt(), _progress() as progress:
            done = push(build.open(), creds.url, build_id=build.id, auth=creds.auth(),
                        query_url=args.query_url, update_url=args.update_url,
                        timeout=args.timeout, chunk_bytes=args.chunk_bytes,
                        progress=progress, files=build.source_files()
                        if settings.PUSH_SOURCE_FILES else None)
    except KgError as exc:
        raise type(exc)(creds.redact(str(exc))) from None
    who = f" (credentials from {creds.source})" if creds.source != "none" else ""
    _err.print(f"[green]pushed build {build.id}: {len(done.graphs)} graphs, "
               f"{sum(done.graphs.values()):,} triples to {creds.url}{who}", highlight=False,
               soft_wrap=True)
    for graph in done.removed:
        _err.print(f"removed {graph}", highlight=False, soft_wrap=True)
    return 0


@contextmanager
def _terminated_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt, so that a stopped push drops what it staged."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _progress() -> Iterator[Bar | Lines]:
    """A bar on a terminal, plain lines otherwise (both on standard error)."""
    if not _err.is_terminal:
        yield Lines()
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}/"
               "{task.total:,} triples"), TimeRemainingColumn())
    with Progress(*columns, console=_err, transient=True) as bar:
        yield Bar(bar)


class Lines:
    """Progress as one line per graph staged (standard error not a terminal)."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stderr

    def begin(self, graphs: Sequence[str], triples: int) -> None:
        print(f"pushing {len(graphs)} graphs, {triples:,} triples", file=self.out)

    def sent(self, graph: str, triples: int) -> None:
        pass

    def staged(self, graph: str, triples: int) -> None:
        print(f"staged {graph}: {triples:,} triples", file=self.out, flush=True)

    def switching(self, moves: int, drops: int) -> None:
        print(f"switching: {moves} graphs replaced, {drops} removed", file=self.out,
              flush=True)


class Bar:
    """Progress as a rich bar over every triple of the build."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: TaskID | None = None

    def begin(self, graphs: Sequence[str], triples: int) -> None:
        self.task = self.bar.add_task("push", total=triples)

    def sent(self, graph: str, triples: int) -> None:
        if self.task is not None:
            name = graph.rsplit("/graph/", 1)[-1]
            self.bar.update(self.task, advance=triples, description=name)

    def staged(self, graph: str, triples: int) -> None:
        pass

    def switching(self, moves: int, drops: int) -> None:
        if self.task is not None:
            self.bar.update(self.task, description="switching")
