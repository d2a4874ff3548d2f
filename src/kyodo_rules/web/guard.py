"""What stands in front of every route: security headers, body limits and deadlines, the token.

The limits are enforced while a body is read, not only from Content-Length, so
that a chunked upload cannot pass them; a body over the limit is answered 413
by the application (`TooLarge`), a body still unfinished at its deadline 408
(`SlowBody`: a client that sends half a body and waits holds a connection, and
would hold it for ever), a missing token 401, all of them in JSON on the API
paths. The guard reads headers as the bytes they are: a token is compared as
UTF-8 bytes (`--token 合言葉` works from the link, the cookie and
`Authorization: Bearer`), and a header no decoding fits is a refusal, never an
exception.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from urllib.parse import unquote_to_bytes

from starlette.formparsers import MultiPartParser
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyodo_rules.model.vocabulary import LANGS
from kyodo_rules.wording import catalog

#: Bodies of ordinary forms and API calls.
MAX_BODY = 256 * 1024
#: An uploaded file (session file, inventory): the CLI's limit for a data file.
MAX_UPLOAD = 1_000_000
#: What a browser wraps around an uploaded file (boundaries, part headers, the
#: other fields): a file of exactly MAX_UPLOAD bytes must fit in the request.
UPLOAD_ENVELOPE = 32 * 1024
#: The body of an upload. Kept at or under the multipart parser's in-memory
#: spool so that no upload is ever written to a temporary file outside `--data`.
MAX_UPLOAD_BODY = MAX_UPLOAD + UPLOAD_ENVELOPE
UPLOAD_PATHS = ("/resume", "/batch", "/api/batch")
assert MultiPartParser.spool_max_size >= MAX_UPLOAD_BODY

#: Seconds a client has to send a whole body, from its first byte asked for: far
#: more than a form or a 1 MB file needs on an office network.
BODY_SECONDS = 20.0
UPLOAD_SECONDS = 60.0

BROWSER_COOKIE = "kyodo_browser"
TOKEN_COOKIE = "kyodo_token"
_PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
#: Added to every response that does not set its own.
SECURITY_HEADERS: dict[bytes, bytes] = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"same-origin",
    b"cross-origin-opener-policy": b"same-origin",
    b"content-security-policy": _PAGE_CSP.encode(),
    b"cache-control": b"no-store",
}


class BodyRefused(Exception):
    """Raised while a body is read; answered by the application with `status`."""

    status = 400

    def message(self) -> str:
        raise NotImplementedError


class TooLarge(BodyRefused):
    """The body passed its limit: 413."""

    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit

    def message(self) -> str:
        return f"body: request too large; at most {self.limit:,} bytes"


class SlowBody(BodyRefused):
    """The body was not complete within its deadline: 408."""

    status = 408

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def message(self) -> str:
        return f"body: not received within {self.seconds:g} s; send the request again"


def _field_of(message: str) -> str | None:
    """The field an error message names (`actors[0]: …`, `unknown field 'x'; …`)."""
    match = re.match(r"(?:[^:]*: )*?unknown field '([^']+)'", message)
    if match:
        return match.group(1)
    match = re.match(r"([a-z_]+)(?:\[\d+\])?: ", message)
    return match.group(1) if match else None


def error_json(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": message, "field": _field_of(message)}, status_code=status, headers=headers
    )


def token_cookie(secret: bytes, token: bytes) -> bytes:
    """What the token cookie holds: a MAC of the token, never the token itself
    (which may be any text, and would then sit in every browser's cookie store)."""
    return hmac.new(secret, b"kyodo-token\0" + token, hashlib.sha256).hexdigest().encode()


def _cookie_values(value: bytes, name: bytes) -> list[bytes]:
    out = []
    for part in value.split(b";"):
        key, sep, found = part.strip().partition(b"=")
        if sep and key == name:
            out.append(found.strip())
    return out


class Guard:
    """Security headers, request-size limits and deadlines, and the optional token."""

    def __init__(self, app: ASGIApp, token: str | None, secret: bytes) -> None:
        self.app = app
        # The bytes typed: a command line that is not UTF-8 comes back as it was.
        self.token = token.encode("utf-8", "surrogateescape") if token else None
        self.cookie = token_cookie(secret, self.token) if self.token else b""

    def _authorised(self, scope: Scope) -> tuple[bool, bool]:
        """(allowed, set the cookie): `Authorization: Bearer`, the cookie, or `?token=`.

        Everything is compared as bytes: a header is whatever bytes the client
        sent (browsers and curl send UTF-8), the query is percent-decoded.
        """
        if not self.token:
            return True, False
        for key, value in scope["headers"]:
            name = key.lower()
            if name == b"authorization":
                scheme, _, given = value.strip().partition(b" ")
                if scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self.token):
                    return True, False
            elif name == b"cookie":
                for found in _cookie_values(value, TOKEN_COOKIE.encode()):
                    if hmac.compare_digest(found, self.cookie):
                        return True, False
        for part in scope.get("query_string", b"").split(b"&"):
            name, _, given = part.partition(b"=")
            if name == b"token" and hmac.compare_digest(
                unquote_to_bytes(given.replace(b"+", b" ")), self.token
            ):
                return True, True
        return False, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        is_api = path.startswith("/api/") or path == "/openapi.json"
        set_cookie = False

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS.items() if k not in names]
                if set_cookie:
                    cookie = TOKEN_COOKIE.encode() + b"=" + self.cookie
                    headers.append((b"set-cookie", cookie + b"; Path=/; HttpOnly; SameSite=Strict"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            allowed, set_cookie = self._authorised(scope)
            declared = _declared_length(scope)
        except Exception:  # a header no one could read: the sender's fault, never a 500
            await _refusal(is_api, 400, "header: malformed request header")(
                scope, receive, send_with_headers
            )
            return
        if not allowed:
            response: Response
            if is_api:
                response = error_json(401, "token: missing or wrong; give Authorization: Bearer")
            else:
                response = HTMLResponse(_both("token"), 401)
            await response(scope, receive, send_with_headers)
            return

        upload = path in UPLOAD_PATHS
        limit = MAX_UPLOAD_BODY if upload else MAX_BODY
        if declared is not None and declared > limit:
            await body_refused_response(is_api, TooLarge(limit))(scope, receive, send_with_headers)
            return
        seconds = UPLOAD_SECONDS if upload else BODY_SECONDS
        received = 0
        finished = False
        deadline: float | None = None

        async def limited_receive() -> Message:
            nonlocal received, finished, deadline
            if finished:  # after the body: waiting for a disconnect has no deadline
                return await receive()
            loop = asyncio.get_running_loop()
            if deadline is None:
                deadline = loop.time() + seconds
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise SlowBody(seconds) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
                finished = not message.get("more_body", False)
            return message

        # A body that passes its limit or its deadline while it is read raises in the
        # handler, which the application answers (see `body_refused_response`).
        await self.app(scope, limited_receive, send_with_headers)


def _declared_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key.lower() == b"content-length":
            if not value.strip().isdigit():
                raise ValueError("content-length")
            return int(value)
    return None


def _refusal(is_api: bool, status: int, message: str) -> Response:
    if is_api:
        return error_json(status, message, {"connection": "close"})
    return HTMLResponse(message, status, headers={"connection": "close"})


def body_refused_response(is_api: bool, exc: BodyRefused) -> Response:
    """413 or 408: JSON on the API; a page in both languages (its language is not known yet).
    The connection is closed after it: the rest of the body is not waited for."""
    headers = {"connection": "close"}
    if is_api:
        return error_json(exc.status, exc.message(), headers)
    if isinstance(exc, TooLarge):
        text = f"{_both('too_large')} ({exc.limit:,} bytes)"
    else:
        text = _both("slow_body")
    return HTMLResponse(text, exc.status, headers=headers)


def _both(key: str) -> str:
    """A page word in both languages: said before any page (or its language) is known."""
    return " / ".join(catalog.text("web", key, lang) for lang in LANGS)
