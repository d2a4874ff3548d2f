"""The inventory page (一括点検) and the rule pages: what a browser offers besides the interview."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
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
    said,
    save_upload,
    upload_bytes,
    upload_name,
    web_of,
)
from kyodo_rules.web.store import storage_error
from kyodo_rules.web.work import HEAVY_SECONDS, Deadline

#: What an answered inventory is downloaded as: the workbook, or the page to print.
FORMATS = ("xlsx", "html")


@dataclass(frozen=True)
class InventoryOptions:
    """How to read the list: the sheet, the map file, presumptions; and what to send back."""

    profile: str = "generic"
    lang: str = "ja"
    sheet: str | None = None
    mapping: Any = None
    guess: bool = True
    format: str = "xlsx"


async def answer_inventory(web: Web, upload: Any, options: InventoryOptions) -> Response:
    """Answer an uploaded list as `kyodo-rules batch` does, in the upload pool under its
    time limit (never on the event loop)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError("file: choose an inventory file to upload; allowed: .csv, .xlsx")
    if options.format not in FORMATS:
        raise InputError(f"format: {options.format!r}; allowed: {', '.join(FORMATS)}")
    shown = upload_name(upload)
    lang = parse_lang(options.lang)
    data = await upload_bytes(upload)
    body, report = await web.work.upload(
        _answer_inventory, web, data, shown, options, lang, Deadline(HEAVY_SECONDS)
    )
    stem = re.sub(r"[^\w.-]", "_", Path(shown).stem, flags=re.ASCII)[:60] or "inventory"
    media = XLSX if options.format == "xlsx" else "text/html; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={
            "content-disposition": f'attachment; filename="{stem}-answered.{options.format}"',
            "x-kyodo-rows": str(report.read),
            "x-kyodo-rows-with-errors": str(report.bad),
            "x-kyodo-rows-answered": str(report.answered),
            "x-kyodo-rows-skipped": str(report.skipped),
        },
    )


def _answer_inventory(
    web: Web, data: bytes, shown: str, options: InventoryOptions, lang: Lang, deadline: Deadline
) -> tuple[bytes, Any]:
    """(the answered workbook or page, the batch's report); files only under
    `--data/uploads`, deleted after. Stops at `deadline` between rows."""
    from kyodo_rules.outputs import inventory as _batch

    suffix = _batch.table_format(shown)
    web.classifier.bound(options.profile)
    source = save_upload(web, data, suffix)
    target = web.uploads / f"{secrets.token_hex(16)}.xlsx"
    page = web.uploads / f"{secrets.token_hex(16)}.html"
    try:
        try:
            report = _batch.answer_file(
                source,
                target,
                classifier=web.classifier,
                profile=options.profile,
                lang=lang,
                sheet=options.sheet,
                mapping=options.mapping,
                guess=options.guess,
                report=page if options.format == "html" else None,
                shown_name=shown,
                progress=deadline.check,
            )
        except InputError as exc:
            raise InputError(str(exc).replace(str(source), shown)) from None
        except OSError as exc:
            raise storage_error(exc, web.uploads) from exc
        return (page if options.format == "html" else target).read_bytes(), report
    finally:
        source.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        page.unlink(missing_ok=True)


async def read_map(web: Web, upload: Any) -> Any:
    """The uploaded `--map` file, checked (None when none was sent), read in the page pool."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    shown = upload_name(upload)
    data = await upload_bytes(upload)
    return await web.work.page(_read_map, web, data, shown)


def _read_map(web: Web, data: bytes, shown: str) -> Any:
    from kyodo_rules.outputs import inventory as _batch

    path = save_upload(web, data, ".yaml")
    try:
        return _batch.load_map(path)
    except InputError as exc:
        raise InputError(str(exc).replace(str(path), shown)) from None
    finally:
        path.unlink(missing_ok=True)


def flag(value: Any, default: bool = True) -> bool:
    """A yes/no form field or query parameter: absent is `default`; false/0/no/off is no."""
    if value is None or value == "":
        return default
    return str(value).lower() not in ("false", "0", "no", "off")


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
        options = InventoryOptions(
            profile=profile,
            lang=lenient_lang(lang),
            sheet=str(form.get("sheet") or "").strip() or None,
            mapping=await read_map(web, form.get("map")),
            guess=not flag(form.get("no_guess"), default=False),
            format=str(form.get("format") or "xlsx"),
        )
        return await answer_inventory(web, form.get("inventory"), options)
    except InputError as exc:
        shown = lenient_lang(lang)
        return await web.work.page(
            render,
            request,
            "batch.html",
            400,
            lang=shown,
            profiles=web.profiles(shown),
            error=said(str(exc), shown),
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
