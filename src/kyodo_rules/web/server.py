"""How `kyodo-rules serve` runs the application: uvicorn, its HTTP protocol, the log.

uvicorn answers a request it cannot parse (an unknown method, a broken request
line or header) itself, before any application sees it, with a plain-text
line and none of the security headers; and it waits for ever for the headers
of a request that a client starts and never finishes (or never starts, on a
connection it opened). `HttpProtocol` is uvicorn's own (httptools) with those
two things changed: a request it cannot parse is refused like any refusal of
the API (JSON, with the headers every other answer has), and a request whose
headers are not all there `HEADER_SECONDS` after the connection opened (or
after its first byte, on a kept-alive connection) is answered 408 and the
connection closed. (The body has its own deadline, in `web.guard`.) The log
says what went wrong in one line that starts with the cause
(`storage full: database or disk is full …`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kyodo_rules.web.guard import SECURITY_HEADERS

#: Seconds a client has to send a request's headers: a browser sends them at once.
HEADER_SECONDS = 20.0


def _refusal(status: bytes, message: str) -> bytes:
    body = json.dumps({"error": message, "field": None}).encode()
    head = [
        b"HTTP/1.1 " + status + b"\r\n",
        b"content-type: application/json\r\n",
        b"content-length: " + str(len(body)).encode() + b"\r\n",
        b"connection: close\r\n",
    ]
    head += [name + b": " + value + b"\r\n" for name, value in SECURITY_HEADERS.items()]
    return b"".join(head) + b"\r\n" + body


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1, refusing in JSON what it cannot parse, and headers that never end."""

    _headers_due: asyncio.TimerHandle | None = None

    def send_400_response(self, msg: str) -> None:
        self._disarm()
        self.transport.write(
            _refusal(
                b"400 Bad Request",
                "request: not a request this server reads (unknown method, or a malformed "
                "request line or header)",
            )
        )
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._headers_due is None:  # the next request of a kept-alive connection
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._headers_due = self.loop.call_later(HEADER_SECONDS, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None

    def _headers_too_slow(self) -> None:
        self._headers_due = None
        if not self.transport.is_closing():
            message = f"request: headers not received within {HEADER_SECONDS:g} s"
            self.transport.write(_refusal(b"408 Request Timeout", message))
            self.transport.close()


def log_to_stderr() -> None:
    """The web's own log lines on standard error, beside uvicorn's (once per process)."""
    logger = logging.getLogger("kyodo_rules.web")
    if logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("kyodo-rules: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
