"""What stands in front of every route: security headers, body limits, the optional token.

The limits are enforced while a body is read, not only from Content-Length, so
that a chunked upload cannot pass them; a body over the limit is answered 413
by the application (`TooLarge`), a missing token 401, and both in JSON on the
API paths.
"""

from __future__ import annotations

import hmac
import re

from starlette.formparsers import MultiPartParser
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyodo_rules.model.vocabulary import LANGS
from kyodo_rules.wording import catalog

#: Bodies of ordinary forms and API calls.
MAX_BODY = 256 * 1024
#: Uploads (session files, inventories): the CLI's limit for a data file. Kept at
#: or under the multipart parser's in-memory spool so that no upload is ever
#: written to a temporary file outside `--data`.
MAX_UPLOAD = 1_000_000
UPLOAD_PATHS = ("/resume", "/batch", "/api/batch")
assert MultiPartParser.spool_max_size >= MAX_UPLOAD

BROWSER_COOKIE = "kyodo_browser"
TOKEN_COOKIE = "kyodo_token"
_PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


class TooLarge(Exception):
    """Raised while a body is read, when it passes the limit; answered with 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def _field_of(message: str) -> str | None:
    """The field an error message names (`actors[0]: …`, `unknown field 'x'; …`)."""
    match = re.match(r"(?:[^:]*: )*?unknown field '([^']+)'", message)
    if match:
        return match.group(1)
    match = re.match(r"([a-z_]+)(?:\[\d+\])?: ", message)
    return match.group(1) if match else None


def error_json(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "field": _field_of(message)}, status_code=status)


class Guard:
    """Security headers, request-size limits and the optional token, around everything."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    def _authorised(self, scope: Scope) -> tuple[bool, bool]:
        """(allowed, set the cookie): header, cookie, or `?token=` on a page."""
        if not self.token:
            return True, False
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:], self.token):
            return True, False
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == TOKEN_COOKIE and hmac.compare_digest(value, self.token):
                return True, False
        query = scope.get("query_string", b"").decode("latin-1")
        for part in query.split("&"):
            name, _, value = part.partition("=")
            if name == "token" and hmac.compare_digest(value, self.token):
                return True, True
        return False, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        is_api = path.startswith("/api/") or path == "/openapi.json"
        allowed, set_cookie = self._authorised(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"same-origin",
                    b"cross-origin-opener-policy": b"same-origin",
                    b"content-security-policy": _PAGE_CSP.encode(),
                    b"cache-control": b"no-store",
                }
                headers += [(k, v) for k, v in extra.items() if k not in names]
                if set_cookie and self.token:
                    cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        if not allowed:
            response: Response
            if is_api:
                response = error_json(401, "token: missing or wrong; give Authorization: Bearer")
            else:
                response = HTMLResponse(_both("token"), 401)
            await response(scope, receive, send_with_headers)
            return

        limit = MAX_UPLOAD if path in UPLOAD_PATHS else MAX_BODY
        for key, value in scope["headers"]:
            if key.lower() == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    await self._too_large(scope, receive, send_with_headers, is_api, limit)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        # A body that passes the limit while it is read raises TooLarge in the
        # handler, which the application answers with 413 (see _too_large_error).
        await self.app(scope, limited_receive, send_with_headers)

    @staticmethod
    async def _too_large(
        scope: Scope, receive: Receive, send: Send, is_api: bool, limit: int
    ) -> None:
        await too_large_response(is_api, limit)(scope, receive, send)


def too_large_response(is_api: bool, limit: int) -> Response:
    if is_api:
        return error_json(413, f"body: request too large; at most {limit:,} bytes")
    text = f"{_both('too_large')} ({limit:,} bytes)"
    return HTMLResponse(text, 413)


def _both(key: str) -> str:
    """A page word in both languages: said before any page (or its language) is known."""
    return " / ".join(catalog.text("web", key, lang) for lang in LANGS)
