"""The three drafts from the web: the result page's downloads after an interview, and the API."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import unquote

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed (pip install .[web])")

from docx import Document
from starlette.testclient import TestClient

from kyodo_rules.web.app import create_app
from strategies import FESTIVAL, JIREI1
from test_documents import BLANK, UNKNOWN, all_text, rows
from test_web import run_interview, start

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NAMES = {
    "pre_confirmation_sheet": "事前確認シート.docx",
    "agreement_document": "協働事業確認書.docx",
    "review_sheet": "ふりかえりシート.docx",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return create_app(tmp_path_factory.mktemp("web-documents"))


@pytest.fixture
def client(app: Any) -> Any:
    with TestClient(app) as c:
        yield c


def _download_name(disposition: str) -> str:
    assert disposition.startswith("attachment;"), disposition
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def test_after_an_interview_the_result_page_offers_the_three_drafts(client: Any) -> None:
    url, token = start(client, "nichinan", "港まつり")
    facts = {k: v for k, v in FESTIVAL.items() if k != "organizer"}  # 主催: 分からない
    asked = run_interview(client, url, token, facts)
    assert "organizer" in asked
    page = client.get(f"{url}/result")
    assert page.status_code == 200
    texts = []
    for code, name in NAMES.items():
        assert f'id="doc-{code}" href="{url}/documents/{code}.docx?lang=ja"' in page.text
        got = client.get(f"{url}/documents/{code}.docx?lang=ja")
        assert got.status_code == 200
        assert got.headers["content-type"] == DOCX
        assert _download_name(got.headers["content-disposition"]) == name
        doc = Document(io.BytesIO(got.content))
        assert rows(doc)["事業名"] == ["港まつり"]
        assert rows(doc)["協働の相手方"][0].startswith("事業者")
        texts.append(all_text(doc))
    # 主催 was answered 分からない: a marked blank with the interview's question.
    host = rows(
        Document(io.BytesIO(client.get(f"{url}/documents/agreement_document.docx").content))
    )
    assert host["主催"][0].startswith(f"{BLANK} {UNKNOWN}")
    assert "判定: 協働（確定）" in texts[0]


def test_a_draft_of_an_unknown_item_or_interview_is_not_found(client: Any) -> None:
    url, _token = start(client, "generic", "x")
    assert client.get(f"{url}/documents/minutes.docx").status_code == 404
    assert client.get("/i/nosuchinterviewatall00/documents/review_sheet.docx").status_code == 404


def test_the_api_drafts_one_item_from_a_json_case(client: Any) -> None:
    body = {**FESTIVAL, "title": "港まつり", "evaluation_planned": None}
    got = client.post("/api/documents/review_sheet?profile=generic", json=body)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == DOCX
    assert _download_name(got.headers["content-disposition"]) == "ふりかえりシート.docx"
    doc = Document(io.BytesIO(got.content))
    assert rows(doc)["ふりかえり"][0].startswith(f"{BLANK} {UNKNOWN}")
    assert rows(doc)["事業名"] == ["港まつり"]
    # Not 協働: drafted all the same, saying so at the top.
    got = client.post("/api/documents/agreement_document", json={**JIREI1, "title": "庁舎管理"})
    first = Document(io.BytesIO(got.content)).tables[0].rows[0].cells[0].text
    assert "この事業は協働ではありません" in first


@pytest.mark.parametrize(
    ("path", "body", "kind", "status", "field"),
    [
        ("/api/documents/minutes", {}, "application/json", 404, None),
        ("/api/documents/review_sheet", {"actors": ["dragon"]}, "application/json", 400, "actors"),
        ("/api/documents/review_sheet", {"colour": "red"}, "application/json", 400, "colour"),
        ("/api/documents/review_sheet?lang=fr", {}, "application/json", 400, None),
        ("/api/documents/review_sheet", {}, "text/plain", 415, None),
    ],
)
def test_the_api_refuses_bad_input_in_json(
    client: Any, path: str, body: Any, kind: str, status: int, field: str | None
) -> None:
    got = client.post(path, content=json.dumps(body), headers={"content-type": kind})
    assert got.status_code == status, got.text
    error = got.json()
    assert error["error"]
    if field:
        assert error["field"] == field


def test_the_api_is_described(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/documents/{document}"]["post"]
    enum = next(p for p in post["parameters"] if p["name"] == "document")["schema"]["enum"]
    assert enum == list(NAMES)
    assert DOCX in post["responses"]["200"]["content"]
