"""The three items as downloads: from an interview's result page, and from the JSON API.

`/i/{interview}/documents/{document}.docx` drafts one item from the interview's
answers in force (its 「分からない」 become blanks), as the terminal's result menu
and `kyodo-rules documents` do; `POST /api/documents/{document}` does the same
from a JSON case (a field given as null counts as 「分からない」). `document` is the
vocabulary's code (`pre_confirmation_sheet`, `agreement_document`, `review_sheet`);
the file is named as the item is (`事前確認シート.docx`, RFC 6266's `filename*`).

The answer is classified as the result page classifies it, and the Word file
laid out, in the page pool (`web/work.py`) under its time limit: CPU work never
runs on the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from kyodo_rules.model.records import Result
from kyodo_rules.model.vocabulary import DOCUMENTS, Lang, parse_lang
from kyodo_rules.web.api import _body, _json
from kyodo_rules.web.core import Web, interview_of, page_lang, web_of
from kyodo_rules.wording import catalog


def _code(request: Request) -> str:
    code = str(request.path_params["document"])
    if code not in DOCUMENTS:
        if request.url.path.startswith("/api/"):
            raise HTTPException(
                404, f"document: unknown document {code!r}; allowed: {', '.join(DOCUMENTS)}"
            )
        raise HTTPException(404, "not_found")
    return code


def _docx(web: Web, result: Result, answers: Mapping[str, Any], code: str, lang: Lang) -> Response:
    from kyodo_rules.outputs.documents import DOCX, drafts_for, file_name, render_docx

    drafts = drafts_for(result, answers, classifier=web.classifier, lang=lang)
    draft = next(d for d in drafts if d.code == code)
    data = render_docx(draft)
    name = file_name(code)
    disposition = f"attachment; filename=\"{code}.docx\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=DOCX, headers={"content-disposition": disposition})


def links(interview: str, lang: Lang) -> list[dict[str, str]]:
    """The result page's three download links: id, address, the item's name."""
    return [
        {
            "id": f"doc-{code}",
            "href": f"/i/{interview}/documents/{code}.docx?lang={lang}",
            "label": catalog.label("value", code, lang),
        }
        for code in DOCUMENTS
    ]


async def interview_document(request: Request) -> Response:
    return await web_of(request).work.page(_interview_document, request)


def _interview_document(request: Request) -> Response:
    web = web_of(request)
    _interview, stored = interview_of(request)
    state = stored.state
    code = _code(request)
    lang = page_lang(request, state)
    flow = web.flow(state.profile)
    result = web.classifier.classify(
        flow.facts(state), profile=state.profile, lang=lang, engine=web.engine
    )
    answers = {f: state.answers.get(f) for f in state.asked}
    return _docx(web, result, answers, code, lang)


async def api_document(request: Request) -> Response:
    code = _code(request)
    body = await _body(request)
    return await web_of(request).work.page(_api_document, request, code, body)


def _api_document(request: Request, code: str, body: bytes) -> Response:
    web = web_of(request)
    answers = _json(body)
    lang = parse_lang(str(request.query_params.get("lang") or "ja"))
    profile = str(request.query_params.get("profile") or "generic")
    facts = {f: v for f, v in answers.items() if f != "title" and v is not None}
    result = web.classifier.classify(facts, profile=profile, lang=lang, engine=web.engine)
    # The body was checked whole by classify (a wrong field or code is a 400 naming it).
    return _docx(web, result, answers, code, lang)
