"""The connection side of ``kg serve``: uvicorn's HTTP protocol with a deadline for request
heads.

uvicorn closes a kept-alive connection that stays idle (``timeout_keep_alive``), but a
connection that is slow to send a request's line and headers is never timed out: one byte
now and then holds it for ever, and a few hundred such connections (slowloris) hold every
slot. :class:`HeadDeadline` gives each request head :data:`kg.settings.HEADER_TIMEOUT_S`
from the moment the connection opens or the previous answer ends, however the bytes
trickle in, then answers 408 and closes (only closes, when nothing of a request came); a
head larger than :data:`kg.settings.MAX_HEADER_BYTES` gets 431 (httptools, unlike h11, has
no such limit).
The request body has its own deadline (:func:`kg.http.respond.read_body`).

>>> protocol(2.5, 1024).head_timeout, protocol(2.5, 1024).max_head_bytes
(2.5, 1024)
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg import settings


class HeadDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline and a size cap for request heads."""

    head_timeout: ClassVar[float] = settings.HEADER_TIMEOUT_S
    max_head_bytes: ClassVar[int] = settings.MAX_HEADER_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes: int | None = None  # bytes of the head being read; None: no head due
        self._in_message = False  # a request is being received (head or body)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_due()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_bytes is not None:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._head_bytes is not None and self._head_bytes > self.max_head_bytes:
            self._refuse(431, f"the request line and headers are larger than "
                              f"{self.max_head_bytes} bytes")

    def on_message_begin(self) -> None:
        self._in_message = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._head_done()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_message = False
        super().on_message_complete()
        self._next_head()  # when the answer went out before the body was all read (413)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._next_head()

    def _next_head(self) -> None:
        """Once a request has been received whole and answered, the next head is due (a
        kept-alive connection); not while a body still comes after an early answer."""
        if not self._in_message and self._idle() and not self.transport.is_closing():
            self._head_due()

    def _idle(self) -> bool:
        """No request is being answered (pipelined ones included)."""
        cycle = getattr(self, "cycle", None)
        return cycle is None or bool(cycle.response_complete)

    def _head_due(self) -> None:
        self._head_done()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_late)

    def _head_done(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._head_bytes = None

    def _head_late(self) -> None:
        self._head_timer = None
        if not self._idle():
            return
        if not self._head_bytes:  # nothing of a request came: close without a word (a 408
            self._head_done()     # here could be read as the answer to the client's next one)
            if not self.transport.is_closing():
                self.transport.close()
            return
        self._refuse(408, f"the request line and headers did not arrive within "
                          f"{self.head_timeout:g} s")

    def _refuse(self, status: int, message: str) -> None:
        """Answer a request that never got its whole head, and close the connection."""
        self._head_done()
        if self.transport.is_closing():
            return
        body = message.encode("utf-8") + b"\n"
        reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n"
            % (status, reason, len(body)) + body)
        self.transport.close()
        self.logger.info("%s: %d %s", _peer(self.client), status, message)


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "a client"


def protocol(head_timeout: float, max_head_bytes: int) -> type[HeadDeadline]:
    """The protocol class for uvicorn's ``http=`` with these limits."""

    class Configured(HeadDeadline):
        pass

    Configured.head_timeout = head_timeout
    Configured.max_head_bytes = max_head_bytes
    return Configured
