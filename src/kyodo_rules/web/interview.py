"""The interview's pages: the terminal wizard's questions, one page each, then the result.

What to ask next is `wizard.flow.Flow`'s, the answers are kept as the
terminal's session (`wizard.session`), so an interview started in a browser
can be resumed in a terminal and back; this module only turns pages into calls.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.records import Result
from kyodo_rules.model.vocabulary import Lang, parse_lang
from kyodo_rules.rulebase.questions import TITLE, Question
from kyodo_rules.web import documents
from kyodo_rules.web.core import (
    Web,
    browser_of,
    interview_of,
    known_browser,
    lenient_lang,
    page_lang,
    page_words,
    posted_form,
    remember,
    render,
    save_upload,
    see_other,
    upload_bytes,
    upload_name,
    web_of,
)
from kyodo_rules.web.store import Stored
from kyodo_rules.wizard import session
from kyodo_rules.wizard.answers import answer_words
from kyodo_rules.wizard.flow import State
from kyodo_rules.wording import catalog

#: An answer never given (unlike None, 「分からない」).
_UNSET = object()


def _choices(web: Web, q: Question, lang: Lang, previous: Any) -> list[dict[str, Any]]:
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


def _sections(q: Question, choices: list[dict[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    """The choices as the terminal's menus group them: one headed section per group
    (the terminal's sub-menus, in the same order, under the same headings), then the
    choices with no group (「その他」), which the terminal offers in every menu."""
    sections: list[dict[str, Any]] = []
    by_heading: dict[str, dict[str, Any]] = {}
    everywhere: list[dict[str, Any]] = []
    for spec, choice in zip(q.spec.choices, choices, strict=True):
        if spec.group is None:
            everywhere.append(choice)
            continue
        heading = spec.group.get(lang)
        if heading not in by_heading:
            by_heading[heading] = {"heading": heading, "choices": []}
            sections.append(by_heading[heading])
        by_heading[heading]["choices"].append(choice)
    if everywhere or not sections:
        sections.append({"heading": None, "choices": everywhere})
    return sections


def _parse_answer(web: Web, q: Question, form: FormData, lang: Lang) -> Any:
    """The posted value in the vocabulary's terms, or an InputError naming the question
    and the choices in the page's language (it is shown on the question's page)."""
    raw = [v for v in form.getlist("value") if isinstance(v, str)]
    name = catalog.field_label(q.field, lang) if q.field != TITLE else q.spec.text.get(lang)

    def refused(key: str, **values: Any) -> InputError:
        return InputError(f"{name}: {catalog.text('web', key, lang, **values)}")

    if q.kind == "text":
        text = (raw[0] if raw else "").strip()
        if len(text) > 500:
            raise refused("too_long", n=len(text))
        return text or None
    codes = {
        (("true" if c.value else "false") if isinstance(c.value, bool) else str(c.value)): c.value
        for c in q.spec.choices
    }
    allowed = catalog.join((c.label.get(lang) for c in q.spec.choices), lang)
    if q.kind == "codes":
        if "__none__" in raw:
            return []
        bad = [v for v in raw if v not in codes]
        if bad:
            raise refused("not_a_choice", value=bad[0][:40], allowed=allowed)
        if not raw:
            raise refused("choose")
        return [codes[v] for v in raw]
    if not raw:
        raise refused("choose")
    if len(raw) != 1 or raw[0] not in codes:
        raise refused("not_a_choice", value=raw[0][:40], allowed=allowed)
    return codes[raw[0]]


def state_lang(stored: Stored) -> Lang:
    return parse_lang(stored.state.lang)


def _status(web: Web, state: State) -> dict[str, Any]:
    """The running answer: the terminal's status line (`wizard.status`), and from the
    Result the rules presumed not to apply while the answer is not settled."""
    from kyodo_rules.wizard.status import status_line

    flow = web.flow(state.profile)
    lang = parse_lang(state.lang)
    # The plain-Python backend, as for the flow's own questions: the same rules and
    # the same answer (`kyodo-rules check` compares the two), cheaper on every page.
    result = web.classifier.classify(
        flow.facts(state), profile=state.profile, lang=lang, what_if=False, engine="python"
    )
    status = result.status
    shown = result.provisional if status == "provisional" and result.provisional else result
    line = status_line(flow, state, lang)  # the terminal's own line
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
    stored: Stored,
    name: str,
    *,
    action: str,
    error: str | None = None,
    status: int = 200,
    unknowns: bool = False,
) -> Response:
    """The page of one screen of the interview, as the terminal shows it: a question
    (its choices grouped as the terminal's menus), or a `together` group on one
    screen (ア・イ・ウ) while the flow offers it; numbered as the terminal numbers it.

    `action` is where the page posts: `…/answer` for the interview's next screen,
    `…/change/{field}` for a question asked again from the summary (`unknowns`: in
    the round of the questions answered 「分からない」).
    """
    web = web_of(request)
    state = stored.state
    lang = parse_lang(state.lang)
    q = web.wizard.question(name)
    flow = web.flow(state.profile)
    changing = not action.endswith("/answer")
    group = () if changing else flow.together(state, name)
    previous = state.answers.get(name)
    from kyodo_rules.model.vocabulary import FIELD_KINDS
    from kyodo_rules.outputs.text import label

    if group:
        spec = next(g for g in web.wizard.together if g.fields == group)
        kept = [state.answers.get(f, _UNSET) for f in group]
        why: dict[str, Any] = {}
        for f in group:
            for rule in flow.why(state, f):
                why.setdefault(rule.rule_id, rule)
        screen = {
            "text": spec.text.get(lang),
            "statements": [web.wizard.question(f).spec.text.get(lang) for f in group],
            "sections": [
                {
                    "heading": None,
                    "choices": [
                        {
                            "value": "all",
                            "label": spec.all.get(lang),
                            "example": None,
                            "checked": all(v is True for v in kept),
                        },
                        {
                            "value": "each",
                            "label": spec.each.get(lang),
                            "example": None,
                            "checked": False,
                        },
                    ],
                }
            ],
            "kind": "code",
            "help": spec.help,
            "why": list(why.values()),
        }
    else:
        screen = {
            "text": q.spec.text.get(lang),
            "statements": [],
            "sections": _sections(q, _choices(web, q, lang, previous), lang),
            "kind": q.kind,
            "help": q.spec.help,
            "why": [] if name == TITLE else list(flow.why(state, name)),
        }
    none_choice = not group and q.kind == "codes" and "none" not in FIELD_KINDS[name][1]
    unknown_kept = name in state.answers and previous is None and not group
    return render(
        request,
        "question.html",
        status,
        lang=lang,
        interview=interview,
        version=stored.version,
        state=state,
        q=q,
        group=",".join(group),
        number=flow.number(state, name),
        previous_text=previous if q.kind == "text" and isinstance(previous, str) else "",
        none_choice=none_choice,
        none_checked=previous == [],
        unknown_kept=unknown_kept,
        action=action,
        can_back=changing or bool(state.asked),
        unknowns=unknowns,
        error=error,
        running=_status(web, state) if name != TITLE else None,
        label=lambda kind, code: label(kind, code, lang),
        **screen,
    )


def _version(form: FormData) -> int:
    """The version of the interview the posted page was made from (0 when not said)."""
    raw = form.get("version")
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 16 else 0


def _rows(web: Web, state: State, lang: Lang) -> list[dict[str, Any]]:
    """The answers in force, as the summary shows them."""
    return [
        {
            "field": name,
            "label": catalog.field_label(name, lang),
            "value": "—"
            if name == TITLE and state.answers.get(name) is None
            else answer_words(web.wizard, name, state.answers.get(name), lang),
        }
        for name in state.asked
    ]


def _conflict(request: Request, interview: str, stored: Stored, field: str, value: Any) -> Response:
    """409: another writer changed what this page would change. Nothing is written; the
    page says so, shows the change that was not saved and the answers as they are now."""
    web = web_of(request)
    state = stored.state
    lang = parse_lang(state.lang)
    web.flow(state.profile).next_field(state)
    return render(
        request,
        "conflict.html",
        409,
        lang=lang,
        interview=interview,
        rows=_rows(web, state, lang),
        yours={
            "label": catalog.field_label(field, lang),
            "value": answer_words(web.wizard, field, value, lang),
        },
    )


#: Attempts of a write that another writer keeps beating (each attempt decides again).
_ATTEMPTS = 20


def _write(
    request: Request,
    interview: str,
    decide: Callable[[Stored], State | Response | None],
    where: Callable[[State], str] | None = None,
) -> Response:
    """Read the interview, `decide` (a new state to write, a page instead, or None for
    nothing to write) and write it only over the version read; again if another
    writer came first. What is acknowledged (303) is committed, and was decided on
    the state it replaced. `where`: the page to go to next, from the state as it is
    now (the interview's next screen by default)."""
    web = web_of(request)
    for _ in range(_ATTEMPTS):
        stored = web.store.load(interview)
        if stored is None:
            raise HTTPException(404, "not_found")
        outcome = decide(stored)
        if isinstance(outcome, Response):
            return outcome
        if outcome is None:
            return see_other(where(stored.state) if where else f"/i/{interview}")
        version = web.store.commit(interview, stored, outcome)
        if version is not None:
            response = see_other(where(outcome) if where else f"/i/{interview}")
            response.headers["x-kyodo-version"] = str(version)
            return response
    raise HTTPException(503, "busy")


async def home(request: Request) -> Response:
    return await web_of(request).work.page(_home, request)


def _home(request: Request) -> Response:
    web = web_of(request)
    lang = page_lang(request)
    browser, _ = browser_of(request)
    mine = [
        {
            "id": i,
            "updated": updated.replace("T", " ")[:16],
            "title": s.answers.get(TITLE) or catalog.text("web", "untitled", lang),
            "profile": s.profile,
        }
        for i, updated, s in web.store.of_browser(browser)
    ]
    profiles = web.profiles(lang)
    return render(
        request, "home.html", lang=lang, profiles=profiles, mine=mine, profile_names=dict(profiles)
    )


async def start(request: Request) -> Response:
    form = await posted_form(request)
    return await web_of(request).work.page(_start, request, form)


def _start(request: Request, form: FormData) -> Response:
    web = web_of(request)
    lang = lenient_lang(form.get("lang"))
    profile = form.get("profile")
    if not isinstance(profile, str) or profile not in web.classifier.rulebase.profiles:
        allowed = ", ".join(sorted(web.classifier.rulebase.profiles))
        raise InputError(f"profile: unknown profile {profile!r}; allowed: {allowed}")
    state = State(profile=profile, lang=lang)
    title = form.get("title")
    if isinstance(title, str) and title.strip():
        state.answers[TITLE] = title.strip()[:500]
        state.asked.append(TITLE)
        state.history.append(f"answer {TITLE}")
    interview = web.store.create(known_browser(request) or "", state)
    return see_other(f"/i/{interview}")


async def question(request: Request) -> Response:
    return await web_of(request).work.page(_question, request)


def _question(request: Request) -> Response:
    web = web_of(request)
    interview, stored = interview_of(request)
    wanted = page_lang(request, stored.state)
    if "lang" in request.query_params and wanted != stored.state.lang:

        def relabel(current: Stored) -> State:
            current.state.lang = wanted
            return current.state

        _write(request, interview, relabel)
        interview, stored = interview_of(request)
    state = stored.state
    name = web.flow(state.profile).next_field(state)
    if name is None:
        return see_other(f"/i/{interview}/summary")
    return _question_page(request, interview, stored, name, action=f"/i/{interview}/answer")


async def answer(request: Request) -> Response:
    form = await posted_form(request)
    return await web_of(request).work.page(_answer, request, form)


def _answer(request: Request, form: FormData) -> Response:
    """The answer to the question on the page, written over the state it was decided on.

    The page was made at version `seen`. If the interview still asks that question,
    the answer is taken, unless another writer changed that very answer since
    (a conflict). If the interview has moved on, the same answer already in force
    is a page sent twice (nothing to do); anything else is a conflict.
    """
    web = web_of(request)
    interview = request.path_params["interview"]
    seen = _version(form)
    posted = form.get("field")
    action = form.get("action")
    if not isinstance(posted, str) or posted not in web.wizard.order:
        raise InputError(f"field: {str(posted)[:40]!r} is not a question of this interview")
    named = form.get("together")
    together = tuple(named.split(",")) if isinstance(named, str) and named else ()
    if together and together not in web.wizard.groups:
        raise InputError(f"together: {str(named)[:60]!r} is not a group of questions")

    def decide(stored: Stored) -> State | Response | None:
        state = stored.state
        flow = web.flow(state.profile)
        expected = flow.next_field(state)
        if action == "back":
            if posted != expected:
                return None  # a stale page: nothing moves back, nothing is lost
            flow.back(state)
            return state
        if together:
            picked = form.get("value")
            return _answer_together(
                request, interview, stored, (posted, together), seen, action, picked
            )
        if action == "unknown":
            value = None
        else:
            try:
                value = _parse_answer(web, web.wizard.question(posted), form, state_lang(stored))
            except InputError as exc:
                return _question_page(
                    request,
                    interview,
                    stored,
                    posted,
                    action=f"/i/{interview}/answer",
                    error=str(exc),
                    status=400,
                )
            if posted == TITLE and value == "":
                value = None
        current = state.answers.get(posted, _UNSET)
        if posted != expected:
            if posted in state.asked and current == value:
                return None  # the same answer, sent twice (reload, the browser's back)
            return _conflict(request, interview, stored, posted, value)
        if stored.changed_since(seen, posted) and current != value:
            return _conflict(request, interview, stored, posted, value)
        flow.answer(state, posted, value)
        return state

    return _write(request, interview, decide)


def _answer_together(
    request: Request,
    interview: str,
    stored: Stored,
    screen: tuple[str, tuple[str, ...]],
    seen: int,
    form_action: Any,
    picked: Any,
) -> State | Response | None:
    """The answer to a `together` screen: 「はい、三つとも」 answers every question of
    the group, 「分からない」 leaves every one unknown, 「一つずつ答える」 asks them
    one by one (the terminal's choices). A page whose group is no longer on offer
    was sent twice (the same answers in force: nothing to do) or overtaken by
    another writer (a conflict)."""
    web = web_of(request)
    state = stored.state
    flow = web.flow(state.profile)
    posted, group = screen
    if form_action == "unknown":
        value: Any = None
    elif picked == "all":
        value = True
    elif picked == "each":
        if flow.next_field(state) == posted and flow.together(state, posted) == group:
            flow.split(state, group)
            return state
        return None
    else:
        raise InputError(f"value: {str(picked)[:40]!r} is not allowed; allowed: all, each")
    offered = flow.next_field(state) == posted and flow.together(state, posted) == group
    if not offered:
        if all(f in state.asked and state.answers.get(f, _UNSET) == value for f in group):
            return None  # the same answers, sent twice
        return _conflict(request, interview, stored, posted, value)
    if any(stored.changed_since(seen, f) and state.answers.get(f, _UNSET) != value for f in group):
        return _conflict(request, interview, stored, posted, value)
    flow.answer_together(state, group, value)
    return state


async def summary(request: Request) -> Response:
    return await web_of(request).work.page(_summary, request)


def _summary(request: Request) -> Response:
    web = web_of(request)
    interview, stored = interview_of(request)
    state = stored.state
    flow = web.flow(state.profile)
    done = flow.done(state)
    lang = parse_lang(state.lang)
    return render(
        request,
        "summary.html",
        lang=lang,
        interview=interview,
        version=stored.version,
        state=state,
        rows=_rows(web, state, lang),
        unknown=_unknown_fields(state),
        done=done,
        more=done and not state.details and flow.more(state),
        resume_url=str(request.url_for("question", interview=interview)),
    )


async def details(request: Request) -> Response:
    """Go on past the verdict, to the questions that shape the forms and the procedure."""
    await posted_form(request)
    return await web_of(request).work.page(_details, request)


def _details(request: Request) -> Response:
    def decide(stored: Stored) -> State | None:
        state = stored.state
        if state.details:
            return None
        state.details = True
        state.history.append("details")
        return state

    return _write(request, request.path_params["interview"], decide)


async def change_page(request: Request) -> Response:
    return await web_of(request).work.page(_change_page, request)


def _change_page(request: Request) -> Response:
    interview, stored = interview_of(request)
    name = request.path_params["field"]
    if name not in stored.state.asked:
        raise HTTPException(404, "not_found")
    return _question_page(
        request,
        interview,
        stored,
        name,
        action=f"/i/{interview}/change/{name}",
        unknowns=request.query_params.get("unknowns") == "1",
    )


async def change(request: Request) -> Response:
    form = await posted_form(request)
    return await web_of(request).work.page(_change, request, form)


def _unknown_fields(state: State) -> list[str]:
    """The questions in force answered 「分からない」, in the order they were asked."""
    return [f for f in state.asked if f != TITLE and state.answers.get(f) is None]


def _change(request: Request, form: FormData) -> Response:
    """One answer changed from the summary, then the interview derived again.

    Refused as a conflict when another writer changed this answer after the page
    was made, or took it out of the interview; other answers changed meanwhile
    stay as they are (the change is applied to the interview as it is now).
    「戻る」 goes to the question before this one, as it does anywhere. In the round
    of the questions answered 「分からない」 (`unknowns`), the next page is the next
    such question, and 「戻る」 the one before it (the summary before the first).
    """
    web = web_of(request)
    interview = request.path_params["interview"]
    name = request.path_params["field"]
    seen = _version(form)
    if name not in web.wizard.order:
        raise HTTPException(404, "not_found")
    round_ = form.get("unknowns") == "1"
    todo: list[str] = []

    def decide(stored: Stored) -> State | Response | None:
        state = stored.state
        todo[:] = _unknown_fields(state)
        if form.get("action") == "back":
            if round_ or name not in state.asked:
                return None
            flow = web.flow(state.profile)
            return state if flow.back_from(state, name) is not None else None
        if form.get("action") == "unknown":
            value = None
        else:
            try:
                value = _parse_answer(web, web.wizard.question(name), form, state_lang(stored))
            except InputError as exc:
                if name not in state.asked:
                    raise HTTPException(404, "not_found") from None
                return _question_page(
                    request,
                    interview,
                    stored,
                    name,
                    action=f"/i/{interview}/change/{name}",
                    error=str(exc),
                    status=400,
                    unknowns=round_,
                )
        current = state.answers.get(name, _UNSET)
        if name not in state.asked:
            if seen >= stored.version:
                raise HTTPException(404, "not_found")
            return _conflict(request, interview, stored, name, value)
        if stored.changed_since(seen, name) and current != value:
            return _conflict(request, interview, stored, name, value)
        if current == value and value is None:
            return None  # 分からない again: nothing to write
        web.flow(state.profile).change(state, name, value)
        return state

    def where(state: State) -> str:
        """The next page: in the round, the next question answered 分からない (or the
        one before it, after 戻る); else the interview's next screen."""
        if not round_:
            return f"/i/{interview}"
        at = todo.index(name) if name in todo else -1
        if form.get("action") == "back":
            before = [f for f in todo[:at] if f in _unknown_fields(state)] if at > 0 else []
            if not before:
                return f"/i/{interview}/summary"
            return f"/i/{interview}/change/{before[-1]}?unknowns=1"
        after = [f for f in todo[at + 1 :] if f in _unknown_fields(state)]
        if after:
            return f"/i/{interview}/change/{after[0]}?unknowns=1"
        return f"/i/{interview}"

    return _write(request, interview, decide, where)


async def back(request: Request) -> Response:
    """「戻る」 from a page that is not a question (the summary, the result): back to
    the last question answered, with every later answer kept."""
    form = await posted_form(request)
    return await web_of(request).work.page(_back, request, form)


def _back(request: Request, form: FormData) -> Response:
    web = web_of(request)
    interview = request.path_params["interview"]
    seen = _version(form)

    def decide(stored: Stored) -> State | None:
        if seen != stored.version:
            return None  # the page is stale: nothing moves back, nothing is lost
        state = stored.state
        return state if web.flow(state.profile).back(state) is not None else None

    return _write(request, interview, decide)


@cache
def _report_css() -> tuple[Markup, str]:
    """The report's style sheet and the web's navigation bar, inline, with their CSP hash."""
    from kyodo_rules.outputs import html as _export

    nav = (resources.files("kyodo_rules.web") / "static" / "nav.css").read_text("utf-8")
    css = _export.report_css() + nav
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return Markup(css), f"'sha256-{digest}'"


async def result_page(request: Request) -> Response:
    return await web_of(request).work.page(_result_page, request)


def _result_page(request: Request) -> Response:
    from kyodo_rules.outputs.html import report_context

    web = web_of(request)
    interview, stored = interview_of(request)
    state = stored.state
    flow = web.flow(state.profile)
    lang = page_lang(request, state)
    result: Result = web.classifier.classify(
        flow.facts(state), profile=state.profile, lang=lang, engine=web.engine
    )
    title = state.answers.get(TITLE)
    shown = title if isinstance(title, str) else None
    context = report_context(result, lang, shown, classifier=web.classifier)
    css, style_hash = _report_css()
    browser, new = browser_of(request)
    context.update(
        css=css,
        # The report's own policy (a file opened anywhere takes no form) allows the
        # page's one form, 「戻る」, to this server; the header says the same.
        csp=Markup(str(context["csp"]).replace("form-action 'none'", "form-action 'self'")),
        rule_href=lambda rule_id: f"/rules/{quote(rule_id)}?lang={lang}",
        interview=interview,
        version=stored.version,
        csrf=web.csrf(browser),
        can_back=bool(state.asked),
        done=flow.done(state),
        t=page_words(lang),
        resume_url=str(request.url_for("question", interview=interview)),
        documents=documents.links(interview, lang),
        offer=catalog.words("document_offer", lang),
    )
    page = web.env.get_template("result.html").render(context)
    # The page's one form is 「戻る」 (to this server); printed, the navigation is hidden.
    csp = (
        f"default-src 'none'; style-src {style_hash}; img-src data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response = HTMLResponse(page, headers={"content-security-policy": csp})
    return remember(response, request, browser, new)


async def session_file(request: Request) -> Response:
    return await web_of(request).work.page(_session_file, request)


def _session_file(request: Request) -> Response:
    web = web_of(request)
    interview, stored = interview_of(request)
    state = stored.state
    web.flow(state.profile).next_field(state)
    name = f"kyodo-wizard-{interview[:8]}.session.yaml"
    return Response(
        session.dump(state),
        media_type="application/x-yaml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def resume_upload(request: Request) -> Response:
    web = web_of(request)
    form = await posted_form(request)
    try:
        upload = form.get("session")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("session: choose a session file (.session.yaml) to upload")
        shown = upload_name(upload)
        data = await upload_bytes(upload)
    finally:
        await form.close()
    state = await web.work.upload(_read_session, web, data, shown)
    return await web.work.page(_resumed, request, state)


def _read_session(web: Web, data: bytes, shown: str) -> State:
    """The uploaded session file, read as `wizard --resume` reads it; errors name the upload."""
    path = save_upload(web, data, ".session.yaml")
    try:
        state = session.load_state(path, None, None)
    except InputError as exc:
        raise InputError(str(exc).replace(str(path), shown)) from None
    finally:
        path.unlink(missing_ok=True)
    web.flow(state.profile)  # an unknown profile fails here, with the allowed ones
    return state


def _resumed(request: Request, state: State) -> Response:
    interview = web_of(request).store.create(known_browser(request) or "", state)
    return see_other(f"/i/{interview}")
