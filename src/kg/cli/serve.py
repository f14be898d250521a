"""``kg serve``: the SPARQL endpoint and linked-data server on the current build."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from typing import Any

from kg import settings
from kg.cli.build import add_location, location
from kg.engine.config import ServerConfig, default_workers, token_from_env
from kg.errors import ExitCode, UsageError


def register(sub: Any) -> None:
    """Add ``kg serve`` to the parser."""
    p = sub.add_parser("serve", help="serve the current build over HTTP (SPARQL, linked data)")
    add_location(p)
    p.add_argument("--bind", default=settings.DEFAULT_BIND, help="HOST:PORT to listen on")
    p.add_argument("--workers", type=int, default=default_workers(),
                   help="query worker processes (at least 2)")
    p.add_argument("--reserved-workers", type=int, default=settings.RESERVED_WORKERS,
                   metavar="N", help="workers kept for packaged questions, entity pages and "
                                     "the UI: /sparql never holds them (at most workers - 1)")
    p.add_argument("--long-queries", type=int, default=settings.MAX_LONG_QUERIES, metavar="N",
                   help="queries past 1 s moved out of the pool at once, a fresh worker "
                        "taking each one's place")
    p.add_argument("--timeout", type=float, default=settings.DEFAULT_TIMEOUT_S,
                   help="per-query time limit in seconds (requests may ask for less)")
    p.add_argument("--update-token", default=None,
                   help="allow SPARQL Update / Graph Store writes with this bearer token "
                        "(or set $KG_UPDATE_TOKEN); read-only without one")
    p.add_argument("--cors-origin", action="append", default=[],
                   help="allow cross-origin requests from this origin (repeatable)")
    p.add_argument("--row-cap", type=int, default=settings.DEFAULT_ROW_CAP,
                   help="most rows (or triples) in one answer; more sets X-KG-Truncated")
    p.add_argument("--query-memory", type=int, default=settings.QUERY_MEMORY_MB, metavar="MB",
                   help="memory one query may add to its worker before it is stopped (503)")
    p.add_argument("--no-cache", action="store_true", help="disable the response cache")
    p.add_argument("--backend", default=None, metavar="URL",
                   help="answer from this SPARQL endpoint (its query URL) instead of a local "
                        "build; read-only (docs/scaling.md)")
    p.add_argument("--backend-ttl", type=float, default=settings.REMOTE_TTL_S, metavar="S",
                   help="seconds an answer from elsewhere (--backend, SERVICE) may be reused "
                        "(ETags, cache); 0: never")
    p.add_argument("--allow-service", action="append", default=[], metavar="IRI",
                   help="federated questions: also allow SERVICE to this endpoint (repeatable)")
    p.add_argument("--worker-network", action="store_true",
                   help="let query workers use the network (by default they have none where "
                        "the OS allows: docs/server.md, \"Never a relay\")")
    p.add_argument("--header-timeout", type=float, default=settings.HEADER_TIMEOUT_S,
                   metavar="S", help="seconds a client has to send a request's line and "
                                     "headers (slow ones get 408 and are closed)")
    p.add_argument("--body-timeout", type=float, default=settings.BODY_TIMEOUT_S, metavar="S",
                   help="seconds a client has to send a request's body (else 408)")
    p.add_argument("--max-connections", type=int, default=settings.MAX_CONNECTIONS, metavar="N",
                   help="open connections at most; past it new requests get 503 at once")
    p.add_argument("--log-level", default="warning", help="uvicorn log level")
    p.set_defaults(func=cmd_serve)


def parse_bind(text: str) -> tuple[str, int]:
    """HOST:PORT as a pair.

    >>> parse_bind("127.0.0.1:7878")
    ('127.0.0.1', 7878)
    >>> parse_bind("7878")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: --bind must be HOST:PORT, got '7878'
    """
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--bind must be HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def config(args: argparse.Namespace) -> ServerConfig:
    """The server configuration from the command line."""
    if (args.workers < 1 or args.timeout <= 0 or args.row_cap < 1 or args.backend_ttl < 0
            or args.query_memory < 1 or args.header_timeout <= 0 or args.body_timeout <= 0
            or args.max_connections < 1 or args.reserved_workers < 0 or args.long_queries < 0):
        raise UsageError("--workers, --row-cap, --query-memory and --max-connections must be "
                         "at least 1, --timeout, --header-timeout and --body-timeout positive, "
                         "--backend-ttl, --reserved-workers and --long-queries not negative")
    token = token_from_env(args.update_token)
    if args.backend:
        check_backend(args.backend, token)
    return ServerConfig(
        location=location(args),
        timeout_s=args.timeout,
        workers=args.workers,
        update_token=token,
        cors_origins=tuple(args.cors_origin),
        row_cap=args.row_cap,
        query_memory_mb=args.query_memory,
        body_timeout_s=args.body_timeout,
        reserved_workers=args.reserved_workers,
        long_queries=args.long_queries,
        cache_entries=0 if args.no_cache else ServerConfig.cache_entries,
        backend=args.backend,
        remote_ttl_s=args.backend_ttl,
        allowed_services=settings.ALLOWED_SERVICES | frozenset(args.allow_service),
        isolate_workers=settings.ISOLATE_WORKERS and not args.worker_network,
    )


def check_backend(url: str, token: str | None) -> None:
    """A backend is an http(s) query URL, and the server in front of it is read-only.

    >>> check_backend("http://127.0.0.1:7879/query", None)
    >>> check_backend("127.0.0.1:7879", None)
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: --backend must be an http(s) SPARQL query URL, got '127.0.0.1:7879'
    """
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--backend must be an http(s) SPARQL query URL, got {url!r}")
    if token:
        raise UsageError("--backend serves read-only: drop --update-token (and "
                         "$KG_UPDATE_TOKEN); write to the backend itself (kg push)")


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve with uvicorn, its limits on connections from kg.settings (docs/server.md,
    "Connections"): a deadline for request heads (kg.http.server), idle kept-alive
    connections closed, heads capped in size, open connections capped.

    Once the socket listens, ``kg: listening on http://HOST:PORT/`` goes to standard
    error; Ctrl-C (SIGINT) stops the server gracefully and exits with 130 (INTERRUPTED).
    """
    import uvicorn

    from kg.http import create_app
    from kg.http.server import protocol

    host, port = parse_bind(args.bind)
    app = create_app(config(args))
    server = _server_class()(uvicorn.Config(
        app, host=host, port=port, log_level=args.log_level, access_log=False,
        timeout_graceful_shutdown=5,
        http=protocol(args.header_timeout, settings.MAX_HEADER_BYTES),
        timeout_keep_alive=settings.KEEP_ALIVE_S,
        h11_max_incomplete_event_size=settings.MAX_HEADER_BYTES,  # h11 only: the
        # protocol above (httptools) caps heads itself (kg.http.server)
        limit_concurrency=args.max_connections))
    server.run()  # uvicorn raises a caught SIGINT again once stopped: KeyboardInterrupt
    return ExitCode.INTERRUPTED if signal.SIGINT in server.signals else ExitCode.OK


def listening_url(host: str, port: int) -> str:
    """The URL a server listening on HOST:PORT answers at.

    >>> listening_url("127.0.0.1", 7878), listening_url("::1", 80)
    ('http://127.0.0.1:7878/', 'http://[::1]:80/')
    """
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _server_class() -> Any:
    """uvicorn's Server that says where it listens and remembers the signals it caught."""
    import uvicorn

    class Server(uvicorn.Server):
        def __init__(self, config: uvicorn.Config) -> None:
            super().__init__(config)
            self.signals: list[int] = []

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                where = self.servers[0].sockets[0].getsockname() if self.servers else None
                port = where[1] if where else self.config.port
                print(f"kg: listening on {listening_url(self.config.host, port)}",
                      file=sys.stderr, flush=True)

        def handle_exit(self, sig: int, frame: Any) -> None:
            self.signals.append(sig)
            super().handle_exit(sig, frame)

    return Server
