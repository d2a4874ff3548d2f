"""What the handlers share: the `Web` state, pages rendered from templates, forms, uploads.

Pages are Jinja2 templates (web/templates, and the report's own from
outputs/templates), autoescaped; their words are the wording catalog's `web`
section, then its `wizard` section (the interface words the terminal shows too).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kyodo_rules.decision.classify import Classifier, EngineName
from kyodo_rules.model.vocabulary import LANGS, Lang, parse_lang
from kyodo_rules.outputs.citation import cite
from kyodo_rules.rulebase.questions import WizardData
from kyodo_rules.web.guard import BROWSER_COOKIE, MAX_UPLOAD, BodyRefused, TooLarge
from kyodo_rules.web.store import Store, Stored, new_id, storage_error
from kyodo_rules.web.work import Work
from kyodo_rules.wizard.flow import Flow, State
from kyodo_rules.wording import catalog

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    work: Work = field(default_factory=Work)

    @cached_property
    def flows(self) -> dict[str, Flow]:
        return {}

    def flow(self, profile: str) -> Flow:
        if profile not in self.flows:
            self.flows[profile] = Flow(
                self.classifier.bound(profile), self.wizard.order, self.wizard.groups
            )
        return self.flows[profile]

    @property
    def uploads(self) -> Path:
        path = self.data_dir / "uploads"
        path.mkdir(exist_ok=True)
        return path

    def _mac(self, purpose: bytes, value: str) -> bytes:
        return hmac.new(self.secret, purpose + b"\0" + value.encode(), hashlib.sha256).digest()

    def csrf(self, browser: str) -> str:
        """The form token of one browser: only a page of this server gives it out."""
        return self._mac(b"csrf", browser).hex()

    def signed(self, browser: str) -> str:
        """The browser cookie's value: the id this server issued, and its signature."""
        mac = base64.urlsafe_b64encode(self._mac(b"browser", browser)[:16]).decode().rstrip("=")
        return f"{browser}.{mac}"

    def profiles(self, lang: Lang) -> list[tuple[str, str]]:
        out = []
        for pid, profile in sorted(self.classifier.rulebase.profiles.items()):
            out.append((pid, profile.spec.name.get(lang)))
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


def page_lang(request: Request, state: State | None = None) -> Lang:
    """The page's language: `?lang=` if it is one, else the interview's, else Japanese.

    A page is lenient (an odd `?lang=` shows the page in its usual language); the
    API is not (`parse_lang` names the parameter and the allowed values).
    """
    asked = request.query_params.get("lang")
    if asked is not None:
        return lenient_lang(asked, parse_lang(state.lang) if state is not None else "ja")
    return parse_lang(state.lang) if state is not None else "ja"


def lenient_lang(value: object, default: Lang = "ja") -> Lang:
    """`value` if it is a language, else `default`: what a page (not the API) does."""
    for lang in LANGS:
        if value == lang:
            return lang
    return default


def page_words(lang: Lang) -> Callable[..., str]:
    """`t(key)` in a template: the web's own words, else the wizard's interface texts."""

    def t(key: str, **values: Any) -> str:
        if catalog.has("web", key):
            return catalog.text("web", key, lang, **values)
        return catalog.text("wizard", key, lang, **values)

    return t


_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{20,64}")


def known_browser(request: Request) -> str | None:
    """This browser's id if its cookie carries one this server signed, else None.

    The server issues every id itself: an id a client makes up (or one planted
    from another site of the same host) is never adopted, so its form token is
    never handed out. An unsigned id that already owns interviews was issued
    before ids were signed; it is kept (and signed on the next page).
    """
    value = request.cookies.get(BROWSER_COOKIE, "")
    browser, _, _mac = value.partition(".")
    if not _BROWSER_ID.fullmatch(browser):
        return None
    expected = web_of(request).signed(browser).encode()
    if hmac.compare_digest(value.encode("utf-8", "surrogatepass"), expected):
        return browser
    return None


def browser_of(request: Request) -> tuple[str, bool]:
    """This browser's id, and whether its cookie must be (re)issued."""
    browser = known_browser(request)
    if browser is not None:
        return browser, False
    value = request.cookies.get(BROWSER_COOKIE, "")
    legacy = "." not in value and _BROWSER_ID.fullmatch(value)
    if legacy and web_of(request).store.has_browser(value):
        return value, True
    return new_id(), True


def remember(response: Response, request: Request, browser: str, new: bool) -> Response:
    if new:
        response.set_cookie(
            BROWSER_COOKIE,
            web_of(request).signed(browser),
            max_age=5 * 365 * 86400,
            httponly=True,
            samesite="lax",
        )
    return response


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def said(message: str, lang: Lang) -> str:
    """A refusal as a page in `lang` says it: the project's messages say the Japanese and
    the English separated by " / "; a page shows its own language's half. A message
    in one language only (a field's check) is shown as it is."""
    if " / " not in message:
        return message
    head, _, tail = message.partition(" / ")
    # "file.csv: 日本語 / English": the file's name belongs to both halves.
    name, colon, first = head.rpartition(": ")
    halves = (head, f"{name}{colon}{tail}" if colon and not first.isascii() else tail)
    return halves[LANGS.index(lang)]


def render(
    request: Request, name: str, status: int = 200, *, lang: Lang, **context: Any
) -> Response:
    web = web_of(request)
    browser, new = browser_of(request)

    def here(**params: str) -> str:
        """This page again with other parameters: a reference relative to this page (a
        path such as `//other.example/x` must not become a link to another site); the
        token, once in a cookie, is not copied."""
        query = {k: v for k, v in request.query_params.items() if k != "token"}
        return "?" + urlencode({**query, **params})

    page = web.env.get_template(name).render(
        lang=lang,
        t=page_words(lang),
        csrf=web.csrf(browser),
        here=here,
        other_lang=next(other for other in LANGS if other != lang),
        cite=lambda source: cite(source, lang, web.classifier),  # a guide as people know it
        **context,
    )
    return remember(HTMLResponse(page, status), request, browser, new)


async def posted_form(request: Request) -> FormData:
    """The posted form, after the CSRF check (a token bound to this browser's signed cookie)."""
    browser = known_browser(request)
    try:
        form = await request.form(max_files=2, max_fields=100, max_part_size=MAX_UPLOAD)
    except (BodyRefused, ClientDisconnect):
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
        or not hmac.compare_digest(
            given.encode("utf-8", "surrogatepass"), web_of(request).csrf(browser).encode()
        )
        or not same_origin
    ):
        await form.close()
        raise HTTPException(403, "csrf")
    return form


def interview_of(request: Request) -> tuple[str, Stored]:
    interview = request.path_params["interview"]
    stored = web_of(request).store.load(interview)
    if stored is None:
        raise HTTPException(404, "not_found")
    return interview, stored


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def upload_name(upload: UploadFile) -> str:
    """The uploaded file's own name, for messages only (never a path on this machine)."""
    name = Path(upload.filename or "upload").name
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:120] or "upload"


async def upload_bytes(upload: UploadFile) -> bytes:
    """The uploaded file, at most MAX_UPLOAD bytes (the CLI's limit for the same file)."""
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise TooLarge(MAX_UPLOAD)
    return data


def save_upload(web: Web, data: bytes, suffix: str) -> Path:
    """Write an upload under `--data/uploads` with a random name of our own."""
    try:
        path = web.uploads / f"{secrets.token_hex(16)}{suffix}"
        try:
            path.write_bytes(data)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise storage_error(exc, web.data_dir / "uploads") from exc
    return path
