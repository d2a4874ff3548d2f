"""What the handlers share: the `Web` state, pages rendered from templates, forms, uploads.

Pages are Jinja2 templates (web/templates, and the report's own from
outputs/templates), autoescaped; their words are the wording catalog's `web`
section, then its `wizard` section (the interface words the terminal shows too).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kyodo_rules.decision.classify import Classifier, EngineName
from kyodo_rules.model.vocabulary import LANGS, Lang, parse_lang
from kyodo_rules.rulebase.questions import WizardData
from kyodo_rules.web.guard import BROWSER_COOKIE, MAX_UPLOAD, TooLarge
from kyodo_rules.web.store import Store, new_id
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

    def profiles(self, lang: Lang) -> list[tuple[str, str]]:
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


def browser_of(request: Request) -> tuple[str, bool]:
    """This browser's id (from its cookie), and whether the cookie is new."""
    value = request.cookies.get(BROWSER_COOKIE, "")
    if re.fullmatch(r"[A-Za-z0-9_-]{20,64}", value):
        return value, False
    return new_id(), True


def remember(response: Response, browser: str, new: bool) -> Response:
    if new:
        response.set_cookie(
            BROWSER_COOKIE, browser, max_age=5 * 365 * 86400, httponly=True, samesite="lax"
        )
    return response


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def render(
    request: Request, name: str, status: int = 200, *, lang: Lang, **context: Any
) -> Response:
    web = web_of(request)
    browser, new = browser_of(request)

    def here(**params: str) -> str:
        query = {**request.query_params, **params}
        return request.url.path + "?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())

    page = web.env.get_template(name).render(
        lang=lang,
        t=page_words(lang),
        csrf=web.csrf(browser),
        here=here,
        other_lang=next(other for other in LANGS if other != lang),
        **context,
    )
    return remember(HTMLResponse(page, status), browser, new)


async def posted_form(request: Request) -> FormData:
    """The posted form, after the CSRF check (a token bound to this browser's cookie)."""
    browser = request.cookies.get(BROWSER_COOKIE, "")
    try:
        form = await request.form(max_files=2, max_fields=100, max_part_size=MAX_UPLOAD)
    except TooLarge:
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
        or not hmac.compare_digest(given, web_of(request).csrf(browser))
        or not same_origin
    ):
        await form.close()
        raise HTTPException(403, "csrf")
    return form


def interview_of(request: Request) -> tuple[str, State]:
    interview = request.path_params["interview"]
    state = web_of(request).store.get(interview)
    if state is None:
        raise HTTPException(404, "not_found")
    return interview, state


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def upload_name(upload: UploadFile) -> str:
    """The uploaded file's own name, for messages only (never a path on this machine)."""
    name = Path(upload.filename or "upload").name
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:120] or "upload"


async def save_upload(web: Web, upload: UploadFile, suffix: str) -> Path:
    """Write an upload under `--data/uploads` with a random name of our own."""
    path = web.uploads / f"{secrets.token_hex(16)}{suffix}"
    data = await upload.read()
    path.write_bytes(data)
    return path
