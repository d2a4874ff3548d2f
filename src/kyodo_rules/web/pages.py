"""The inventory page (一括点検) and the rule pages: what a browser offers besides the interview."""

from __future__ import annotations

import re
import secrets
from functools import cache
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
    upload_bytes,
    upload_name,
    web_of,
)
from kyodo_rules.web.store import storage_error
from kyodo_rules.web.work import HEAVY_SECONDS, Deadline


async def answer_inventory(web: Web, upload: Any, profile: str, lang: str) -> Response:
    """The uploaded inventory answered, in the upload pool under its time limit."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError("file: choose an inventory file to upload; allowed: .csv, .xlsx")
    shown = upload_name(upload)
    data = await upload_bytes(upload)
    answered, read, bad = await web.work.upload(
        _answer_inventory, web, data, shown, profile, parse_lang(lang), Deadline(HEAVY_SECONDS)
    )
    stem = re.sub(r"[^\w.-]", "_", Path(shown).stem, flags=re.ASCII)[:60] or "inventory"
    return Response(
        answered,
        media_type=XLSX,
        headers={
            "content-disposition": f'attachment; filename="{stem}-answered.xlsx"',
            "x-kyodo-rows": str(read),
            "x-kyodo-rows-with-errors": str(bad),
        },
    )


def _answer_inventory(
    web: Web, data: bytes, shown: str, profile: str, lang: Lang, deadline: Deadline
) -> tuple[bytes, int, int]:
    """(the answered workbook, rows read, rows refused); files only under `--data/uploads`,
    deleted after. Stops at `deadline` between rows."""
    from kyodo_rules.outputs import inventory as _batch

    suffix = _batch.table_format(shown)
    web.classifier.bound(profile)
    source = save_upload(web, data, suffix)
    target = web.uploads / f"{secrets.token_hex(16)}.xlsx"
    try:
        try:
            report = _batch.answer_file(
                source,
                target,
                classifier=web.classifier,
                profile=profile,
                lang=lang,
                progress=deadline.check,
            )
        except InputError as exc:
            raise InputError(str(exc).replace(str(source), shown)) from None
        except OSError as exc:
            raise storage_error(exc, web.uploads) from exc
        return target.read_bytes(), report.read, report.bad
    finally:
        source.unlink(missing_ok=True)
        target.unlink(missing_ok=True)


async def batch_page(request: Request) -> Response:
    return await web_of(request).work.page(_batch_page, request)


def _batch_page(request: Request) -> Response:
    web = web_of(request)
    lang = page_lang(request)
    return render(request, "batch.html", lang=lang, profiles=web.profiles(lang), error=None)


async def batch_upload(request: Request) -> Response:
    web = web_of(request)
    form = await posted_form(request)
    lang = str(form.get("lang") or "ja")
    profile = str(form.get("profile") or "generic")
    try:
        return await answer_inventory(web, form.get("inventory"), profile, lenient_lang(lang))
    except InputError as exc:
        shown = lenient_lang(lang)
        return await web.work.page(
            render,
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
    return await web_of(request).work.page(_batch_template, request)


def _batch_template(request: Request) -> Response:
    from kyodo_rules.outputs import inventory as _batch

    web = web_of(request)
    target = web.uploads / f"{secrets.token_hex(16)}.xlsx"
    try:
        _batch.write_template(target)
        data = target.read_bytes()
    except OSError as exc:
        raise storage_error(exc, web.uploads) from exc
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
    return await web_of(request).work.page(_rules_page, request)


def _rules_page(request: Request) -> Response:
    web = web_of(request)
    lang = page_lang(request)
    rules = web.rule_index["rules"]
    return render(request, "rules.html", lang=lang, rules=rules)


async def rule_page(request: Request) -> Response:
    return await web_of(request).work.page(_rule_page, request)


def _rule_page(request: Request) -> Response:
    web = web_of(request)
    lang = page_lang(request)
    rule = web.rule_index["by_id"].get(request.path_params["rule"])
    if rule is None:
        raise HTTPException(404, "not_found")
    return render(request, "rule.html", lang=lang, **_rule_view(web, rule, lang))


@cache
def _stylesheet() -> str:
    return (resources.files("kyodo_rules.web") / "static" / "web.css").read_text("utf-8")


async def stylesheet(request: Request) -> Response:
    return Response(_stylesheet(), media_type="text/css; charset=utf-8")
