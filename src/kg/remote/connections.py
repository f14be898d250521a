"""Kept-alive HTTP/1.1 connections to one SPARQL endpoint, shared by a server's threads.

``kg serve --backend`` forwards every query to one endpoint; this pool (the standard
library's :mod:`http.client`, a third to a half of httpx's cost per request:
docs/benchmarks.md) keeps
its connections open between requests. Each request has a connect/read timeout, an overall
deadline and a cap on the bytes read; every failure is a :class:`~kg.errors.RemoteError`
named like httpx's (``ConnectError``, ``ReadError``…), so messages do not depend on the
client. A request on a kept-alive connection the endpoint has closed meanwhile is sent
again once on a new one (queries are read-only: sending one twice is harmless).

>>> pool = Pool("http://127.0.0.1:9/sparql")
>>> pool.post(b"query=ASK%7B%7D", {}, timeout=2)
Traceback (most recent call last):
  ...
kg.errors.RemoteError: http://127.0.0.1:9/sparql: ConnectError: [Errno 111] Connection refused
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from kg import settings
from kg.errors import RemoteError
from kg.remote.auth import split_userinfo
from kg.remote.reading import read_within

READ_SIZE = 65536
QUICK_ACK: int | None = getattr(socket, "TCP_QUICKACK", None)  # Linux only


@dataclass(frozen=True)
class Answer:
    """An endpoint's answer: status, headers (lower-case names) and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Pool:
    """Up to ``size`` idle connections kept to the endpoint at ``url`` (http or https)."""

    def __init__(self, url: str, size: int = 8) -> None:
        bare, user, password = split_userinfo(url)
        parts = urlsplit(bare)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteError(f"not an http(s) endpoint: {url!r}")
        self.url, self.size = bare, size
        self._host, self._port = parts.hostname, parts.port
        self._https = parts.scheme == "https"
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._auth: dict[str, str] = {}  # a user:password@ in the URL is sent as Basic
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
            self._auth = {"Authorization": f"Basic {token}"}
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def post(self, body: bytes, headers: Mapping[str, str], timeout: float,
             max_bytes: int = settings.REMOTE_MAX_BYTES) -> Answer:
        """POST ``body`` to the endpoint; its answer (any status). RemoteError when no
        answer comes within ``timeout`` (connect, each read) or 4 × ``timeout`` in all, or
        when it is larger than ``max_bytes``."""
        overall = timeout * 4
        sent = {**headers, **self._auth, "Content-Length": str(len(body))}
        conn, reused = self._take(timeout)
        try:
            try:
                answer = self._exchange(conn, body, sent, overall, max_bytes)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if not reused:
                    raise
                conn.close()  # the endpoint closed it while idle: once more, anew
                conn = self._new(timeout)
                answer = self._exchange(conn, body, sent, overall, max_bytes)
        except TimeoutError:
            conn.close()
            raise RemoteError(f"{self.url}: no answer within {timeout:g} s") from None
        except RemoteError:
            conn.close()
            raise
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise RemoteError(f"{self.url}: {_kind(exc, conn)}: {exc}") from None
        self._give(conn)
        return answer

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _take(self, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            return self._new(timeout), False
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        conn.timeout = timeout
        return conn, True

    def _new(self, timeout: float) -> http.client.HTTPConnection:
        if self._https:
            return _Https(self._host, self._port, timeout=timeout,
                          context=ssl.create_default_context())
        return _Http(self._host, self._port, timeout=timeout)

    def _give(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if conn.sock is not None and len(self._idle) < self.size:
                self._idle.append(conn)
                return
        conn.close()

    def _exchange(self, conn: http.client.HTTPConnection, body: bytes,
                  headers: Mapping[str, str], overall: float, max_bytes: int) -> Answer:
        deadline = time.monotonic() + overall
        conn.request("POST", self._target, body, dict(headers))
        _quick_ack(conn)
        response = conn.getresponse()
        chunks = []
        reads = iter(lambda: response.read(READ_SIZE), b"")  # the response closes at its end
        for chunk in read_within(reads, f"{self.url}: answer", max_bytes, deadline, overall):
            chunks.append(chunk)
            _quick_ack(conn)
        if response.will_close or not response.isclosed():
            conn.close()
        found = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, found, b"".join(chunks))


class _Http(http.client.HTTPConnection):
    """A connection that sends at once (TCP_NODELAY): http.client writes a request's head
    and body separately, and the body would otherwise wait for the acknowledgement of the
    head, which an engine delays (40 ms a request on Virtuoso)."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Https(http.client.HTTPSConnection):
    """:class:`_Http` over TLS."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _quick_ack(conn: http.client.HTTPConnection) -> None:
    """Acknowledge what comes next at once (Linux's TCP_QUICKACK, which the kernel turns
    off again by itself): an engine that writes an answer's head and body separately
    with Nagle's algorithm on (Virtuoso) waits for the head's acknowledgement before the
    body, and a delayed one costs 40 ms a request."""
    if QUICK_ACK is not None and conn.sock is not None:
        conn.sock.setsockopt(socket.IPPROTO_TCP, QUICK_ACK, 1)


def _kind(exc: BaseException, conn: http.client.HTTPConnection) -> str:
    """httpx's name for a failure: ConnectError before the connection stood, else
    ReadError or RemoteProtocolError.

    >>> _kind(ConnectionRefusedError(), http.client.HTTPConnection("h"))
    'ConnectError'
    """
    if isinstance(exc, http.client.HTTPException):
        return "RemoteProtocolError"
    return "ConnectError" if conn.sock is None else "ReadError"
