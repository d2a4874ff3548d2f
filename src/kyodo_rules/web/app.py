"""The ASGI application: the interview, the inventory, the rule pages and the JSON API.

Everything is rendered on the server (Jinja2, autoescaped) and works with
JavaScript turned off; there is no script at all, so the Content-Security-
Policy forbids every script. The interview is the terminal wizard's: the
questions of `wizard/*.yaml`, what to ask next from `wizard.flow.Flow`, the
session file of `wizard.session`; this module only turns pages into calls.

Handlers are `async` and call the library directly: a classification takes
well under a millisecond, the durable-rules engine is not meant to be entered
from several threads at once, and SQLite commits are short. The event loop
therefore serialises them, which is what one office's load needs.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from kyodo_rules.decision.classify import Classifier, EngineName, default_classifier
from kyodo_rules.model.errors import InputError, KyodoError
from kyodo_rules.rulebase.questions import default_data
from kyodo_rules.web import api, documents, interview, pages
from kyodo_rules.web.core import Web, page_lang, render
from kyodo_rules.web.guard import (
    MAX_BODY,
    MAX_UPLOAD,
    Guard,
    TooLarge,
    error_json,
    too_large_response,
)
from kyodo_rules.web.store import Store
from kyodo_rules.wording import catalog

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
    return render(request, "error.html", 400, lang=page_lang(request), message=message)


async def _too_large_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TooLarge)
    path = request.url.path
    return too_large_response(path.startswith("/api/"), exc.limit)


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
        TooLarge: _too_large_error,
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
    web = Web(
        data_dir=root,
        store=Store(root),
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
    return Guard(app, token)


def app_from_environment() -> ASGIApp:
    """The application of one worker process of `kyodo-rules serve --workers N`."""
    import os

    engine = os.environ.get("KYODO_WEB_ENGINE", "durable")
    return create_app(
        os.environ["KYODO_WEB_DATA"],
        token=os.environ.get("KYODO_WEB_TOKEN") or None,
        engine="python" if engine == "python" else "durable",
    )
