"""How `kyodo-rules serve` runs the application: uvicorn, its HTTP protocol, the log.

uvicorn answers a request it cannot parse (an unknown method, a broken request
line or header) itself, before any application sees it, with a plain-text
line and none of the security headers. `HttpProtocol` is uvicorn's own
(httptools) with that one answer replaced by the API's refusal: JSON, with
the headers every other answer has. The log says what went wrong in one line
that starts with the cause (`storage full: database or disk is full …`).
"""

from __future__ import annotations

import json
import logging
import sys

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kyodo_rules.web.guard import SECURITY_HEADERS

_NOT_HTTP = json.dumps(
    {
        "error": "request: not a request this server reads (unknown method, or a malformed "
        "request line or header)",
        "field": None,
    }
).encode()


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1, refusing what it cannot parse in JSON with the security headers."""

    def send_400_response(self, msg: str) -> None:
        head = [
            b"HTTP/1.1 400 Bad Request\r\n",
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(_NOT_HTTP)).encode() + b"\r\n",
            b"connection: close\r\n",
        ]
        head += [name + b": " + value + b"\r\n" for name, value in SECURITY_HEADERS.items()]
        self.transport.write(b"".join(head) + b"\r\n" + _NOT_HTTP)
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
