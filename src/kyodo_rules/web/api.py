"""The JSON API (`/api/…`, described by `/openapi.json`): the library's calls over HTTP.

Bad input is a 400 with `{"error": …, "field": …}`, the same one-line message
the CLI prints; results are the vocabulary's JSON, exactly `classify --json`'s.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import parse_lang
from kyodo_rules.web.core import web_of
from kyodo_rules.web.guard import MAX_UPLOAD, BodyRefused
from kyodo_rules.web.pages import InventoryOptions, answer_inventory, flag, read_map


async def _body(request: Request) -> bytes:
    """The JSON body's bytes (read on the event loop; parsed in the pool by `_json`)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise HTTPException(415, "content-type: expected application/json")
    return await request.body()


def _json(body: bytes) -> dict[str, Any]:
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
    body = await _body(request)
    return await web_of(request).work.page(_classify, request, body)


def _classify(request: Request, body: bytes) -> Response:
    web = web_of(request)
    what_if = _query(request, "what_if", "true").lower() not in ("false", "0", "no")
    result = web.classifier.classify(
        _json(body),
        profile=_query(request, "profile", "generic"),
        lang=parse_lang(_query(request, "lang", "ja")),
        what_if=what_if,
        engine=web.engine,
    )
    # pydantic's own serialiser: the same JSON as model_dump(mode="json"), several
    # times faster than building dicts and encoding them again.
    return Response(result.model_dump_json(), media_type="application/json")


async def api_npo(request: Request) -> Response:
    body = await _body(request)
    return await web_of(request).work.page(_npo, request, body)


def _npo(request: Request, body: bytes) -> Response:
    from kyodo_rules.npo.eligibility import npo_eligibility

    result = npo_eligibility(_json(body), lang=parse_lang(_query(request, "lang", "ja")))
    return JSONResponse(result.model_dump(mode="json"))


async def api_batch(request: Request) -> Response:
    web = web_of(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        raise HTTPException(415, "content-type: expected multipart/form-data with a 'file' part")
    try:
        form = await request.form(max_files=2, max_fields=10, max_part_size=MAX_UPLOAD)
    except (BodyRefused, ClientDisconnect):
        raise
    except Exception as exc:
        raise InputError(f"body: cannot read the multipart form: {exc}") from None
    try:
        options = InventoryOptions(
            profile=_query(request, "profile", "generic"),
            lang=_query(request, "lang", "ja"),
            sheet=request.query_params.get("sheet") or None,
            mapping=await read_map(web, form.get("map")),
            guess=flag(request.query_params.get("guess")),
            format=_query(request, "format", "xlsx"),
        )
        return await answer_inventory(web, form.get("file"), options)
    finally:
        await form.close()


async def api_rules(request: Request) -> Response:
    return await web_of(request).work.page(_rules, request)


def _rules(request: Request) -> Response:
    web = web_of(request)
    lang = parse_lang(_query(request, "lang", "ja"))
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
    return await web_of(request).work.page(_openapi, request)


def _openapi(request: Request) -> Response:
    from kyodo_rules.web.openapi import document

    return JSONResponse(document(sorted(web_of(request).classifier.rulebase.profiles)))
