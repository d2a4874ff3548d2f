"""The ASGI application: the interview, the inventory, the rule pages and the JSON API.

Everything is rendered on the server (Jinja2, autoescaped) and works with
JavaScript turned off; there is no script at all, so the Content-Security-
Policy forbids every script. The interview is the terminal wizard's: the
questions of `wizard/*.yaml`, what to ask next from `wizard.flow.Flow`, the
session file of `wizard.session`; this module only turns pages into calls.

Handlers are `async` only to move bytes: each reads its request on the event
loop, then hands the work (classifying, the interview's logic, the page's
template, SQLite) to the bounded pools of `web.work`, under a time limit. The
durable-rules engine keeps a lock per rule set, so the pools' threads share it.
What goes wrong is said, never a traceback: bad input 400, a conflict with
another writer 409, a body too large or too slow 413/408, work over its time
limit 503, a full disk 507 (another storage failure 503), each in JSON on the
API and as a page elsewhere, and a storage failure logged with its cause first.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from kyodo_rules.decision.classify import Classifier, EngineName, default_classifier
from kyodo_rules.model.errors import InputError, KyodoError
from kyodo_rules.model.vocabulary import LANGS
from kyodo_rules.rulebase.questions import default_data
from kyodo_rules.web import api, documents, interview, pages
from kyodo_rules.web.core import Web, lenient_lang, page_lang, page_words, render, said, web_of
from kyodo_rules.web.guard import (
    MAX_BODY,
    MAX_UPLOAD,
    BodyRefused,
    Guard,
    body_refused_response,
    error_json,
)
from kyodo_rules.web.store import StorageError, Store
from kyodo_rules.web.work import TimeLimit
from kyodo_rules.wording import catalog

log = logging.getLogger("kyodo_rules.web")

__all__ = ["MAX_BODY", "MAX_UPLOAD", "app_from_environment", "create_app"]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        detail = exc.detail if exc.detail not in ("not_found", "csrf") else None
        message = detail or {404: "path: no such endpoint", 403: "csrf: missing or wrong"}.get(
            exc.status_code, str(exc.detail)
        )
        return error_json(exc.status_code, message)
    lang = page_lang(request)
    known = isinstance(exc.detail, str) and catalog.has("web", exc.detail)
    message = catalog.text("web", exc.detail, lang) if known else str(exc.detail)
    if exc.status_code == 404 and not known:
        message = catalog.text("web", "not_found", lang)
    return render(request, "error.html", exc.status_code, lang=lang, message=message)


async def _input_error(request: Request, exc: Exception) -> Response:
    message = str(exc).strip()
    if request.url.path.startswith("/api/"):
        return error_json(400, message)
    lang = page_lang(request)
    return render(request, "error.html", 400, lang=lang, message=said(message, lang))


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


async def _body_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyRefused)
    return body_refused_response(_is_api(request), exc)


async def _gone(request: Request, exc: Exception) -> Response:
    """The client went away in the middle of its body: no one to answer, nothing to log."""
    return Response(status_code=400, headers={"connection": "close"})


#: What each refusal is about, first in the API's message (as `body:`, `token:` are).
_SUBJECT = {"disk_full": "storage", "storage": "storage", "busy": "time_limit"}


def _said(request: Request, status: int, key: str, **headers: str) -> Response:
    """A refusal in both languages: JSON on the API, a page (that reads no storage) elsewhere."""
    both = " / ".join(catalog.text("web", key, lang) for lang in LANGS)
    if _is_api(request):
        return error_json(status, f"{_SUBJECT[key]}: {both}", headers)
    lang = lenient_lang(request.query_params.get("lang"))
    page = (
        web_of(request)
        .env.get_template("error.html")
        .render(
            lang=lang,
            t=page_words(lang),
            here=lambda **_: f"?lang={lang}",
            other_lang=next(other for other in LANGS if other != lang),
            message=catalog.text("web", key, lang),
            also=[catalog.text("web", key, other) for other in LANGS if other != lang],
        )
    )
    return HTMLResponse(page, status, headers=headers)


async def _storage_error(request: Request, exc: Exception) -> Response:
    """A full disk is 507, another storage failure 503; the log's line starts with the cause."""
    assert isinstance(exc, StorageError)
    kind = "storage full" if exc.full else "storage failed"
    log.error(
        "%s: %s (%s); nothing was saved: %s %s",
        kind,
        exc.cause,
        exc.path,
        request.method,
        request.url.path,
    )
    if exc.full:
        return _said(request, 507, "disk_full")
    return _said(request, 503, "storage", **{"retry-after": "30"})


async def _time_limit(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TimeLimit)
    log.warning("time limit: %s %s took over %g s", request.method, request.url.path, exc.seconds)
    return _said(request, 503, "busy", **{"retry-after": "10"})


async def _server_error(request: Request, exc: Exception) -> Response:
    """A defect of ours: said so plainly (JSON for the API), never a traceback to the user."""
    message = "internal error: the server could not answer; the log has the details"
    if request.url.path.startswith("/api/"):
        return error_json(500, message)
    return HTMLResponse(message, 500)


def _handlers() -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    return {
        HTTPException: _http_error,
        KyodoError: _input_error,
        BodyRefused: _body_error,
        ClientDisconnect: _gone,
        StorageError: _storage_error,
        TimeLimit: _time_limit,
        Exception: _server_error,
    }


def _secret(data_dir: Path) -> bytes:
    """The CSRF key, kept under `--data` so that open forms survive a restart."""
    path = data_dir / "secret.key"
    with suppress(FileNotFoundError):
        value = path.read_bytes()
        if len(value) >= 32:
            return value
    value = secrets.token_bytes(32)
    path.write_bytes(value)
    with suppress(OSError):
        path.chmod(0o600)
    return value


def create_app(
    data_dir: Path | str,
    *,
    token: str | None = None,
    classifier: Classifier | None = None,
    engine: EngineName = "durable",
) -> ASGIApp:
    """The whole application, storing under `data_dir` (created if absent)."""
    root = Path(data_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--data {root}: cannot create the directory: {exc.strerror}") from None
    if not root.is_dir():
        raise InputError(f"--data {root}: not a directory")
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("kyodo_rules.web", "templates"),
                PackageLoader("kyodo_rules.outputs", "templates"),
            ]
        ),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    try:
        store = Store(root)
    except sqlite3.Error as exc:
        raise InputError(f"--data {root}: cannot use the interviews' database: {exc}") from None
    web = Web(
        data_dir=root,
        store=store,
        classifier=classifier or default_classifier(),
        wizard=default_data(),
        secret=_secret(root),
        env=env,
        engine=engine,
    )
    routes = [
        Route("/", interview.home, methods=["GET"]),
        Route("/start", interview.start, methods=["POST"]),
        Route("/resume", interview.resume_upload, methods=["POST"]),
        Route("/i/{interview}", interview.question, methods=["GET"], name="question"),
        Route("/i/{interview}/answer", interview.answer, methods=["POST"]),
        Route("/i/{interview}/summary", interview.summary, methods=["GET"]),
        Route("/i/{interview}/details", interview.details, methods=["POST"]),
        Route("/i/{interview}/change/{field}", interview.change_page, methods=["GET"]),
        Route("/i/{interview}/change/{field}", interview.change, methods=["POST"]),
        Route("/i/{interview}/back", interview.back, methods=["POST"]),
        Route("/i/{interview}/result", interview.result_page, methods=["GET"]),
        Route("/i/{interview}/session.yaml", interview.session_file, methods=["GET"]),
        Route("/i/{interview}/documents/{document}.docx", documents.interview_document),
        Route("/batch", pages.batch_page, methods=["GET"]),
        Route("/batch", pages.batch_upload, methods=["POST"]),
        Route("/batch/template.xlsx", pages.batch_template, methods=["GET"]),
        Route("/rules", pages.rules_page, methods=["GET"]),
        Route("/rules/{rule}", pages.rule_page, methods=["GET"]),
        Route("/static/web.css", pages.stylesheet, methods=["GET"]),
        Route("/api/classify", api.api_classify, methods=["POST"]),
        Route("/api/npo", api.api_npo, methods=["POST"]),
        Route("/api/batch", api.api_batch, methods=["POST"]),
        Route("/api/rules", api.api_rules, methods=["GET"]),
        Route("/api/documents/{document}", documents.api_document, methods=["POST"]),
        Route("/openapi.json", api.openapi, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers=_handlers())
    app.state.web = web
    return Guard(app, token, web.secret)


def app_from_environment() -> ASGIApp:
    """The application of one worker process of `kyodo-rules serve --workers N`."""
    import os

    from kyodo_rules.web.server import log_to_stderr

    log_to_stderr()
    engine = os.environ.get("KYODO_WEB_ENGINE", "durable")
    return create_app(
        os.environ["KYODO_WEB_DATA"],
        token=os.environ.get("KYODO_WEB_TOKEN") or None,
        engine="python" if engine == "python" else "durable",
    )
