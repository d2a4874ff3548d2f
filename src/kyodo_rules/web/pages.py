"""The inventory page (一括点検) and the rule pages: what a browser offers besides the interview."""

from __future__ import annotations

import re
import secrets
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import Lang, parse_lang
from kyodo_rules.web.core import (
    XLSX,
    Web,
    lenient_lang,
    page_lang,
    posted_form,
    render,
    save_upload,
    upload_name,
    web_of,
)


async def answer_inventory(web: Web, upload: Any, profile: str, lang: str) -> Response:
    from kyodo_rules.outputs import inventory as _batch

    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError("file: choose an inventory file to upload; allowed: .csv, .xlsx")
    shown = upload_name(upload)
    suffix = _batch.table_format(shown)
    checked = parse_lang(lang)
    web.classifier.bound(profile)
    source = await save_upload(web, upload, suffix)
    target = web.uploads / f"{secrets.token_hex(16)}.xlsx"
    try:
        try:
            report = _batch.answer_file(
                source, target, classifier=web.classifier, profile=profile, lang=checked
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
    web = web_of(request)
    lang = page_lang(request)
    return render(request, "batch.html", lang=lang, profiles=web.profiles(lang), error=None)


async def batch_upload(request: Request) -> Response:
    web = web_of(request)
    form = await posted_form(request)
    lang = str(form.get("lang") or "ja")
    profile = str(form.get("profile") or "generic")
    try:
        return await answer_inventory(web, form.get("inventory"), profile, lang)
    except InputError as exc:
        shown = lenient_lang(lang)
        return render(
            request,
            "batch.html",
            400,
            lang=shown,
            profiles=web.profiles(shown),
            error=str(exc),
        )
    finally:
        await form.close()


async def batch_template(request: Request) -> Response:
    from kyodo_rules.outputs import inventory as _batch

    web = web_of(request)
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


def _rule_view(web: Web, rule: Any, lang: Lang) -> dict[str, Any]:
    from kyodo_rules.outputs.derivation import conclusion_words, condition_words

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
    web = web_of(request)
    lang = page_lang(request)
    rules = web.rule_index["rules"]
    return render(request, "rules.html", lang=lang, rules=rules)


async def rule_page(request: Request) -> Response:
    web = web_of(request)
    lang = page_lang(request)
    rule = web.rule_index["by_id"].get(request.path_params["rule"])
    if rule is None:
        raise HTTPException(404, "not_found")
    return render(request, "rule.html", lang=lang, **_rule_view(web, rule, lang))


async def stylesheet(request: Request) -> Response:

    css = (resources.files("kyodo_rules.web") / "static" / "web.css").read_text("utf-8")
    return Response(css, media_type="text/css; charset=utf-8")
