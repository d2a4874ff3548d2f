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

import asyncio
import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyodo_rules.decision.classify import Classifier, EngineName, default_classifier
from kyodo_rules.model.errors import InputError, KyodoError
from kyodo_rules.model.records import Result
from kyodo_rules.rulebase.questions import TITLE, Question, WizardData, default_data
from kyodo_rules.web.store import Store, new_id
from kyodo_rules.web.words import WORDS, word
from kyodo_rules.wizard import session
from kyodo_rules.wizard.flow import Flow, State

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
LANGS = ("ja", "en")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

#: Screen-only additions to the report's CSS for the web result page.
_NAV_CSS = """
nav.web { border: 1px solid var(--rule); border-radius: 2mm; padding: 2mm 4mm; margin: 0 0 5mm;
  font-size: 9.5pt; }
nav.web a { margin-right: 4mm; }
nav.web p { margin: 1mm 0; }
.status { color: var(--muted); font-size: 9.5pt; }
@media print { nav.web { display: none; } }
"""


class _TooLarge(Exception):
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


def _error_json(status: int, message: str) -> JSONResponse:
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
                response = _error_json(401, "token: missing or wrong; give Authorization: Bearer")
            else:
                response = HTMLResponse(word("token", "ja") + " / " + word("token", "en"), 401)
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
                    raise _TooLarge(limit)
            return message

        # A body that passes the limit while it is read raises _TooLarge in the
        # handler, which the application answers with 413 (see _too_large_error).
        await self.app(scope, limited_receive, send_with_headers)

    @staticmethod
    async def _too_large(
        scope: Scope, receive: Receive, send: Send, is_api: bool, limit: int
    ) -> None:
        await _too_large_response(is_api, limit)(scope, receive, send)


def _too_large_response(is_api: bool, limit: int) -> Response:
    if is_api:
        return _error_json(413, f"body: request too large; at most {limit:,} bytes")
    text = f"{word('too_large', 'ja')} / {word('too_large', 'en')} ({limit:,} bytes)"
    return HTMLResponse(text, 413)


@dataclass
class Web:
    """What the handlers share: the data directory, the store, the rulebase, the templates."""

    data_dir: Path
    store: Store
    classifier: Classifier
    wizard: WizardData
    secret: bytes
    env: Environment
    engine: EngineName = "durable"

    async def save(self, interview: str, state: State) -> None:
        """Commit in a worker thread: the fsync must not hold up everyone else's pages."""
        await asyncio.to_thread(self.store.save, interview, state)

    async def create(self, browser: str, state: State) -> str:
        return await asyncio.to_thread(self.store.create, browser, state)

    @cached_property
    def flows(self) -> dict[str, Flow]:
        return {}

    def flow(self, profile: str) -> Flow:
        if profile not in self.flows:
            self.flows[profile] = Flow(self.classifier.bound(profile), self.wizard.order)
        return self.flows[profile]

    @property
    def uploads(self) -> Path:
        path = self.data_dir / "uploads"
        path.mkdir(exist_ok=True)
        return path

    def csrf(self, browser: str) -> str:
        return hmac.new(self.secret, browser.encode(), hashlib.sha256).hexdigest()

    def profiles(self, lang: str) -> list[tuple[str, str]]:
        out = []
        for pid, profile in sorted(self.classifier.rulebase.profiles.items()):
            out.append((pid, f"{profile.spec.name.get(lang)} ({pid})"))
        out.sort(key=lambda p: p[0] != "generic")
        return out

    @cached_property
    def rule_index(self) -> dict[str, Any]:
        """Every rule of the rulebase and of the profiles, by id, with who overrides whom."""
        base = self.classifier.rulebase
        rules = list(base.rules)
        for profile in base.profiles.values():
            rules.extend(profile.rules)
        overridden_by: dict[str, list[str]] = {}
        for rule in rules:
            for target in rule.overrides:
                overridden_by.setdefault(target, []).append(rule.id)
        return {"rules": rules, "by_id": {r.id: r for r in rules}, "overridden_by": overridden_by}

    @cached_property
    def cases_of_rule(self) -> dict[str, list[Any]]:
        """Library cases whose answer rests on each rule (computed once, on first use)."""
        from kyodo_rules.rulebase.case_library import load_cases

        out: dict[str, list[Any]] = {}
        for case in load_cases():
            result = self.classifier.classify(case.facts, profile=case.profile, what_if=False)
            for t in result.trace:
                if t.contributes:
                    out.setdefault(t.rule_id, []).append(case)
        return out


# --------------------------------------------------------------------------- helpers


def _lang(request: Request, state: State | None = None) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return str(asked)
    return state.lang if state is not None else "ja"


def _browser(request: Request) -> tuple[str, bool]:
    """This browser's id (from its cookie), and whether the cookie is new."""
    value = request.cookies.get(BROWSER_COOKIE, "")
    if re.fullmatch(r"[A-Za-z0-9_-]{20,64}", value):
        return value, False
    return new_id(), True


def _remember(response: Response, browser: str, new: bool) -> Response:
    if new:
        response.set_cookie(
            BROWSER_COOKIE, browser, max_age=5 * 365 * 86400, httponly=True, samesite="lax"
        )
    return response


def _web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def _render(
    request: Request, name: str, status: int = 200, *, lang: str, **context: Any
) -> Response:
    web = _web(request)
    browser, new = _browser(request)

    def t(key: str, **values: Any) -> str:
        if key in WORDS:
            return word(key, lang)
        return web.wizard.t(key, lang, **values)

    def here(**params: str) -> str:
        query = {**request.query_params, **params}
        return request.url.path + "?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())

    page = web.env.get_template(name).render(
        lang=lang,
        t=t,
        csrf=web.csrf(browser),
        here=here,
        other_lang="en" if lang == "ja" else "ja",
        **context,
    )
    return _remember(HTMLResponse(page, status), browser, new)


async def _form(request: Request) -> FormData:
    """The posted form, after the CSRF check (a token bound to this browser's cookie)."""
    browser = request.cookies.get(BROWSER_COOKIE, "")
    try:
        form = await request.form(max_files=1, max_fields=100, max_part_size=MAX_UPLOAD)
    except _TooLarge:
        raise
    except Exception as exc:  # a malformed body is the sender's fault, never a 500
        raise HTTPException(400, f"form: cannot read the posted form: {exc}") from None
    given = form.get("csrf")
    origin = request.headers.get("origin")
    # The token is the protection; Origin is a second check where the browser
    # gives one ("null" comes from privacy settings, not from another site).
    same_origin = (
        origin in (None, "null") or origin == f"{request.url.scheme}://{request.url.netloc}"
    )
    if (
        not browser
        or not isinstance(given, str)
        or not hmac.compare_digest(given, _web(request).csrf(browser))
        or not same_origin
    ):
        await form.close()
        raise HTTPException(403, "csrf")
    return form


def _interview(request: Request) -> tuple[str, State]:
    interview = request.path_params["interview"]
    state = _web(request).store.get(interview)
    if state is None:
        raise HTTPException(404, "not_found")
    return interview, state


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


# --------------------------------------------------------------------------- interview


def _choices(web: Web, q: Question, lang: str, previous: Any) -> list[dict[str, Any]]:
    out = []
    for c in q.spec.choices:
        value = ("true" if c.value else "false") if isinstance(c.value, bool) else str(c.value)
        chosen = previous == c.value or (isinstance(previous, list) and c.value in previous)
        if isinstance(previous, bool) != isinstance(c.value, bool):
            chosen = isinstance(previous, list) and c.value in previous
        out.append(
            {
                "value": value,
                "label": c.label.get(lang),
                "example": c.example.get(lang) if c.example else None,
                "checked": chosen,
            }
        )
    return out


def _parse_answer(web: Web, q: Question, form: FormData) -> Any:
    """The posted value in the vocabulary's terms, or an InputError naming the field."""
    raw = [v for v in form.getlist("value") if isinstance(v, str)]
    if q.kind == "text":
        text = (raw[0] if raw else "").strip()
        if len(text) > 500:
            raise InputError(f"{q.field}: too long ({len(text)} characters; at most 500)")
        return text or None
    codes = {
        (("true" if c.value else "false") if isinstance(c.value, bool) else str(c.value)): c.value
        for c in q.spec.choices
    }
    allowed = ", ".join(codes)
    if q.kind == "codes":
        if "__none__" in raw:
            return []
        bad = [v for v in raw if v not in codes]
        if bad:
            raise InputError(f"{q.field}: {bad[0]!r} is not allowed; allowed: {allowed}")
        if not raw:
            raise InputError(f"{q.field}: choose at least one; allowed: {allowed}")
        return [codes[v] for v in raw]
    if len(raw) != 1 or raw[0] not in codes:
        shown = raw[0] if raw else ""
        raise InputError(f"{q.field}: {shown!r} is not allowed; allowed: {allowed}")
    return codes[raw[0]]


def _status(web: Web, state: State) -> dict[str, Any]:
    """The running answer, as the terminal's status line words it, from the Result.

    「いまの見込み: 協働ではない（暫定）・確認すべき点 2」: the strict verdict when it
    is settled, else the provisional one (open rules presumed not to apply),
    the rules so presumed, and how many open questions can still change it.
    """
    from kyodo_rules.outputs.text import label, verdict_phrase

    flow = web.flow(state.profile)
    lang = state.lang
    # The plain-Python backend, as for the flow's own questions: the same rules and
    # the same answer (`kyodo-rules check` compares the two), cheaper on every page.
    result = web.classifier.classify(
        flow.facts(state), profile=state.profile, lang=lang, what_if=False, engine="python"
    )
    status = result.status
    shown = result.provisional if status == "provisional" and result.provisional else result
    deciding = sum(1 for q in result.open_questions if "verdict" in q.affects)
    line = web.wizard.t(
        "status_line",
        lang,
        verdict=verdict_phrase(shown.verdict, None, lang),
        status=label("status", status, lang),
        points=deciding,
    )
    presumptions = (
        result.provisional.presumptions if status != "settled" and result.provisional else ()
    )
    return {
        "line": line,
        "status": status,
        "verdict": shown.verdict,
        "category": shown.category,
        "presumptions": presumptions,
    }


def _question_page(
    request: Request,
    interview: str,
    state: State,
    name: str,
    *,
    action: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    web = _web(request)
    lang = state.lang
    q = web.wizard.question(name)
    flow = web.flow(state.profile)
    previous = state.answers.get(name)
    why = [] if name == TITLE else list(flow.why(state, name))
    from kyodo_rules.model.vocabulary import FIELD_KINDS
    from kyodo_rules.outputs.text import label

    none_choice = q.kind == "codes" and "none" not in FIELD_KINDS[name][1]
    return _render(
        request,
        "question.html",
        status,
        lang=lang,
        interview=interview,
        state=state,
        q=q,
        number=len(state.asked) + (0 if name in state.asked else 1),
        text=q.spec.text.get(lang),
        choices=_choices(web, q, lang, previous),
        previous_text=previous if q.kind == "text" and isinstance(previous, str) else "",
        none_choice=none_choice,
        none_checked=previous == [],
        help=q.spec.help,
        why=why,
        action=action,
        can_back=bool(state.asked) and action.endswith("/answer"),
        error=error,
        running=_status(web, state) if name != TITLE else None,
        label=lambda kind, code: label(kind, code, lang),
    )


async def home(request: Request) -> Response:
    web = _web(request)
    lang = _lang(request)
    browser, _ = _browser(request)
    mine = [
        {
            "id": i,
            "updated": updated.replace("T", " ")[:16],
            "title": s.answers.get(TITLE) or word("untitled", lang),
            "profile": s.profile,
        }
        for i, updated, s in web.store.of_browser(browser)
    ]
    return _render(request, "home.html", lang=lang, profiles=web.profiles(lang), mine=mine)


async def start(request: Request) -> Response:
    web = _web(request)
    form = await _form(request)
    lang = form.get("lang")
    lang = lang if lang in LANGS else "ja"
    profile = form.get("profile")
    if not isinstance(profile, str) or profile not in web.classifier.rulebase.profiles:
        allowed = ", ".join(sorted(web.classifier.rulebase.profiles))
        raise InputError(f"profile: unknown profile {profile!r}; allowed: {allowed}")
    state = State(profile=profile, lang=str(lang))
    title = form.get("title")
    if isinstance(title, str) and title.strip():
        state.answers[TITLE] = title.strip()[:500]
        state.asked.append(TITLE)
        state.history.append(f"answer {TITLE}")
    browser = request.cookies.get(BROWSER_COOKIE, "")
    interview = await web.create(browser, state)
    return _see_other(f"/i/{interview}")


async def question(request: Request) -> Response:
    web = _web(request)
    interview, state = _interview(request)
    if "lang" in request.query_params and _lang(request) != state.lang:
        state.lang = _lang(request)
        await web.save(interview, state)
    name = web.flow(state.profile).next_field(state)
    if name is None:
        return _see_other(f"/i/{interview}/summary")
    return _question_page(request, interview, state, name, action=f"/i/{interview}/answer")


async def answer(request: Request) -> Response:
    web = _web(request)
    interview, state = _interview(request)
    form = await _form(request)
    flow = web.flow(state.profile)
    expected = flow.next_field(state)
    if form.get("field") != expected or expected is None:
        # A page answered twice (reload, the browser's own back button): nothing changes.
        return _see_other(f"/i/{interview}")
    action = form.get("action")
    if action == "back":
        flow.back(state)
    elif action == "unknown":
        flow.answer(state, expected, None)
    else:
        q = web.wizard.question(expected)
        try:
            value = _parse_answer(web, q, form)
        except InputError as exc:
            return _question_page(
                request,
                interview,
                state,
                expected,
                action=f"/i/{interview}/answer",
                error=str(exc),
                status=400,
            )
        flow.answer(state, expected, value)
    await web.save(interview, state)
    return _see_other(f"/i/{interview}")


async def summary(request: Request) -> Response:
    web = _web(request)
    interview, state = _interview(request)
    flow = web.flow(state.profile)
    done = flow.done(state)
    lang = state.lang
    rows = [
        {
            "field": name,
            "label": web.wizard.field_label(name, lang),
            "value": "—"
            if name == TITLE and state.answers.get(name) is None
            else web.wizard.value_label(name, state.answers.get(name), lang),
        }
        for name in state.asked
    ]
    return _render(
        request,
        "summary.html",
        lang=lang,
        interview=interview,
        state=state,
        rows=rows,
        done=done,
        more=done and not state.details and flow.more(state),
        resume_url=str(request.url_for("question", interview=interview)),
    )


async def details(request: Request) -> Response:
    """Go on past the verdict, to the questions that shape the forms and the procedure."""
    web = _web(request)
    interview, state = _interview(request)
    await _form(request)
    if not state.details:
        state.details = True
        state.history.append("details")
        await web.save(interview, state)
    return _see_other(f"/i/{interview}")


async def change_page(request: Request) -> Response:
    interview, state = _interview(request)
    name = request.path_params["field"]
    if name not in state.asked:
        raise HTTPException(404, "not_found")
    return _question_page(request, interview, state, name, action=f"/i/{interview}/change/{name}")


async def change(request: Request) -> Response:
    web = _web(request)
    interview, state = _interview(request)
    name = request.path_params["field"]
    if name not in state.asked:
        raise HTTPException(404, "not_found")
    form = await _form(request)
    action = form.get("action")
    if action == "unknown":
        value = None
    else:
        try:
            value = _parse_answer(web, web.wizard.question(name), form)
        except InputError as exc:
            return _question_page(
                request,
                interview,
                state,
                name,
                action=f"/i/{interview}/change/{name}",
                error=str(exc),
                status=400,
            )
    web.flow(state.profile).change(state, name, value)
    await web.save(interview, state)
    return _see_other(f"/i/{interview}")


def _report_css() -> tuple[Markup, str]:
    from kyodo_rules.outputs import html as _export

    css = _export._CSS + _NAV_CSS
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return Markup(css), f"'sha256-{digest}'"


async def result_page(request: Request) -> Response:
    from kyodo_rules.outputs.html import report_context

    web = _web(request)
    interview, state = _interview(request)
    flow = web.flow(state.profile)
    lang = _lang(request, state)
    result: Result = web.classifier.classify(
        flow.facts(state), profile=state.profile, lang=lang, engine=web.engine
    )
    title = state.answers.get(TITLE)
    context = report_context(result, lang, title if isinstance(title, str) else None)
    css, style_hash = _report_css()
    context.update(
        css=css,
        rule_href=lambda rule_id: f"/rules/{quote(rule_id)}?lang={lang}",
        interview=interview,
        done=flow.done(state),
        t=lambda key: word(key, lang) if key in WORDS else web.wizard.t(key, lang),
        resume_url=str(request.url_for("question", interview=interview)),
    )
    page = web.env.get_template("result.html").render(context)
    csp = (
        f"default-src 'none'; style-src {style_hash}; img-src data:; form-action 'none'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return HTMLResponse(page, headers={"content-security-policy": csp})


async def session_file(request: Request) -> Response:
    web = _web(request)
    interview, state = _interview(request)
    web.flow(state.profile).next_field(state)
    name = f"kyodo-wizard-{interview[:8]}.session.yaml"
    return Response(
        session.dump(state),
        media_type="application/x-yaml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _upload_name(upload: UploadFile) -> str:
    """The uploaded file's own name, for messages only (never a path on this machine)."""
    name = Path(upload.filename or "upload").name
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:120] or "upload"


async def _save_upload(web: Web, upload: UploadFile, suffix: str) -> Path:
    """Write an upload under `--data/uploads` with a random name of our own."""
    path = web.uploads / f"{secrets.token_hex(16)}{suffix}"
    data = await upload.read()
    path.write_bytes(data)
    return path


async def resume_upload(request: Request) -> Response:
    web = _web(request)
    form = await _form(request)
    try:
        upload = form.get("session")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("session: choose a session file (.session.yaml) to upload")
        shown = _upload_name(upload)
        path = await _save_upload(web, upload, ".session.yaml")
    finally:
        await form.close()
    try:
        state = session.load_state(path, None, None)
    except InputError as exc:
        raise InputError(str(exc).replace(str(path), shown)) from None
    finally:
        path.unlink(missing_ok=True)
    web.flow(state.profile)  # an unknown profile fails here, with the allowed ones
    interview = await web.create(request.cookies.get(BROWSER_COOKIE, ""), state)
    return _see_other(f"/i/{interview}")


# --------------------------------------------------------------------------- inventory


async def _answer_inventory(web: Web, upload: Any, profile: str, lang: str) -> Response:
    from kyodo_rules.outputs import inventory as _batch

    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError("file: choose an inventory file to upload; allowed: .csv, .xlsx")
    shown = _upload_name(upload)
    suffix = _batch.table_format(shown)
    if lang not in LANGS:
        raise InputError(f"lang: unknown language {lang!r}; allowed: ja, en")
    web.classifier.bound(profile)
    source = await _save_upload(web, upload, suffix)
    target = web.uploads / f"{secrets.token_hex(16)}.xlsx"
    try:
        try:
            report = _batch.answer_file(
                source, target, classifier=web.classifier, profile=profile, lang=lang
            )
        except InputError as exc:
            raise InputError(str(exc).replace(str(source), shown)) from None
        data = target.read_bytes()
    finally:
        source.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
    stem = re.sub(r"[^\w.-]", "_", Path(shown).stem, flags=re.ASCII)[:60] or "inventory"
    return Response(
        data,
        media_type=XLSX,
        headers={
            "content-disposition": f'attachment; filename="{stem}-answered.xlsx"',
            "x-kyodo-rows": str(report.read),
            "x-kyodo-rows-with-errors": str(report.bad),
        },
    )


async def batch_page(request: Request) -> Response:
    web = _web(request)
    lang = _lang(request)
    return _render(request, "batch.html", lang=lang, profiles=web.profiles(lang), error=None)


async def batch_upload(request: Request) -> Response:
    web = _web(request)
    form = await _form(request)
    lang = str(form.get("lang") or "ja")
    profile = str(form.get("profile") or "generic")
    try:
        return await _answer_inventory(web, form.get("inventory"), profile, lang)
    except InputError as exc:
        lang = lang if lang in LANGS else "ja"
        return _render(
            request,
            "batch.html",
            400,
            lang=lang,
            profiles=web.profiles(lang),
            error=str(exc),
        )
    finally:
        await form.close()


async def batch_template(request: Request) -> Response:
    from kyodo_rules.outputs import inventory as _batch

    web = _web(request)
    target = web.uploads / f"{secrets.token_hex(16)}.xlsx"
    try:
        _batch.write_template(target)
        data = target.read_bytes()
    finally:
        target.unlink(missing_ok=True)
    return Response(
        data,
        media_type=XLSX,
        headers={"content-disposition": 'attachment; filename="kyodo-inventory-template.xlsx"'},
    )


# --------------------------------------------------------------------------- rules


def _rule_view(web: Web, rule: Any, lang: str) -> dict[str, Any]:
    from kyodo_rules.analysis.explain import conclusion_words, condition_words

    index = web.rule_index
    return {
        "rule": rule,
        "title": rule.title.get(lang),
        "condition": condition_words(rule.condition, lang),
        "conclusion": conclusion_words(rule.then, lang),
        "overrides": [index["by_id"].get(r) for r in rule.overrides],
        "overridden_by": [index["by_id"][r] for r in index["overridden_by"].get(rule.id, [])],
        "cases": web.cases_of_rule.get(rule.id, []),
    }


async def rules_page(request: Request) -> Response:
    web = _web(request)
    lang = _lang(request)
    rules = web.rule_index["rules"]
    return _render(request, "rules.html", lang=lang, rules=rules)


async def rule_page(request: Request) -> Response:
    web = _web(request)
    lang = _lang(request)
    rule = web.rule_index["by_id"].get(request.path_params["rule"])
    if rule is None:
        raise HTTPException(404, "not_found")
    return _render(request, "rule.html", lang=lang, **_rule_view(web, rule, lang))


async def stylesheet(request: Request) -> Response:
    from importlib import resources

    css = (resources.files("kyodo_rules.web") / "static" / "web.css").read_text("utf-8")
    return Response(css, media_type="text/css; charset=utf-8")


# --------------------------------------------------------------------------- API


async def _json_body(request: Request) -> dict[str, Any]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise HTTPException(415, "content-type: expected application/json")
    body = await request.body()
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"body: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"body: expected a JSON object of field: value, got {type(data).__name__}")
    return data


def _query(request: Request, name: str, default: str) -> str:
    return str(request.query_params.get(name) or default)


async def api_classify(request: Request) -> Response:
    web = _web(request)
    facts = await _json_body(request)
    what_if = _query(request, "what_if", "true").lower() not in ("false", "0", "no")
    result = web.classifier.classify(
        facts,
        profile=_query(request, "profile", "generic"),
        lang=_query(request, "lang", "ja"),
        what_if=what_if,
        engine=web.engine,
    )
    # pydantic's own serialiser: the same JSON as model_dump(mode="json"), several
    # times faster than building dicts and encoding them again.
    return Response(result.model_dump_json(), media_type="application/json")


async def api_npo(request: Request) -> Response:
    from kyodo_rules.npo.eligibility import npo_eligibility

    group = await _json_body(request)
    result = npo_eligibility(group, lang=_query(request, "lang", "ja"))
    return JSONResponse(result.model_dump(mode="json"))


async def api_batch(request: Request) -> Response:
    web = _web(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        raise HTTPException(415, "content-type: expected multipart/form-data with a 'file' part")
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=MAX_UPLOAD)
    except _TooLarge:
        raise
    except Exception as exc:
        raise InputError(f"body: cannot read the multipart form: {exc}") from None
    try:
        return await _answer_inventory(
            web,
            form.get("file"),
            _query(request, "profile", "generic"),
            _query(request, "lang", "ja"),
        )
    finally:
        await form.close()


async def api_rules(request: Request) -> Response:
    web = _web(request)
    lang = _query(request, "lang", "ja")
    if lang not in LANGS:
        raise InputError(f"lang: unknown language {lang!r}; allowed: ja, en")
    ruleset = web.classifier.rulebase.ruleset(_query(request, "profile", "generic"))
    rows = [
        {
            "id": r.id,
            "title": r.title.get(lang),
            "source": r.source,
            "quote": r.quote,
            "see_also": [c.source for c in r.see_also],
            "profile": r.profile,
            "overrides": list(r.overrides),
            "url": f"/rules/{r.id}",
        }
        for r in ruleset.rules
    ]
    return JSONResponse(rows)


async def openapi(request: Request) -> Response:
    from kyodo_rules.web.openapi import document

    return JSONResponse(document(sorted(_web(request).classifier.rulebase.profiles)))


# --------------------------------------------------------------------------- errors


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        detail = exc.detail if exc.detail not in ("not_found", "csrf") else None
        message = detail or {404: "path: no such endpoint", 403: "csrf: missing or wrong"}.get(
            exc.status_code, str(exc.detail)
        )
        return _error_json(exc.status_code, message)
    lang = _lang(request)
    message = word(exc.detail, lang) if exc.detail in WORDS else str(exc.detail)
    if exc.status_code == 404 and exc.detail not in WORDS:
        message = word("not_found", lang)
    return _render(request, "error.html", exc.status_code, lang=lang, message=message)


async def _input_error(request: Request, exc: Exception) -> Response:
    message = str(exc).strip()
    if request.url.path.startswith("/api/"):
        return _error_json(400, message)
    return _render(request, "error.html", 400, lang=_lang(request), message=message)


async def _too_large_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, _TooLarge)
    path = request.url.path
    return _too_large_response(path.startswith("/api/"), exc.limit)


async def _server_error(request: Request, exc: Exception) -> Response:
    """A defect of ours: said so plainly (JSON for the API), never a traceback to the user."""
    message = "internal error: the server could not answer; the log has the details"
    if request.url.path.startswith("/api/"):
        return _error_json(500, message)
    return HTMLResponse(message, 500)


def _handlers() -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    return {
        HTTPException: _http_error,
        KyodoError: _input_error,
        _TooLarge: _too_large_error,
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
        Route("/", home, methods=["GET"]),
        Route("/start", start, methods=["POST"]),
        Route("/resume", resume_upload, methods=["POST"]),
        Route("/i/{interview}", question, methods=["GET"], name="question"),
        Route("/i/{interview}/answer", answer, methods=["POST"]),
        Route("/i/{interview}/summary", summary, methods=["GET"]),
        Route("/i/{interview}/details", details, methods=["POST"]),
        Route("/i/{interview}/change/{field}", change_page, methods=["GET"]),
        Route("/i/{interview}/change/{field}", change, methods=["POST"]),
        Route("/i/{interview}/result", result_page, methods=["GET"]),
        Route("/i/{interview}/session.yaml", session_file, methods=["GET"]),
        Route("/batch", batch_page, methods=["GET"]),
        Route("/batch", batch_upload, methods=["POST"]),
        Route("/batch/template.xlsx", batch_template, methods=["GET"]),
        Route("/rules", rules_page, methods=["GET"]),
        Route("/rules/{rule}", rule_page, methods=["GET"]),
        Route("/static/web.css", stylesheet, methods=["GET"]),
        Route("/api/classify", api_classify, methods=["POST"]),
        Route("/api/npo", api_npo, methods=["POST"]),
        Route("/api/batch", api_batch, methods=["POST"]),
        Route("/api/rules", api_rules, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
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
