"""One answer, said the same way everywhere (issue: the printed report contradicted the screen).

Five answers, one of each kind (settled 協働, settled not, provisional 協働,
provisional not, undetermined), rendered to the terminal, the web result page,
the HTML report, its printed PDF, the Markdown report and a batch row: each
opens with the same headline (the verdict shown and its status, and the
reason when it is not 協働), the one `outputs.text.headline` words.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kyodo_rules import classify
from kyodo_rules.outputs.html import render_html
from kyodo_rules.outputs.text import brief_lines, headline, render_markdown, render_text
from strategies import KYODO_BASE

#: One answer of each kind, with its expected status: the facts of a staff member's row.
FIVE: dict[str, tuple[dict[str, Any], str, str]] = {
    "settled-kyodo": (dict(KYODO_BASE), "kyodo", "settled"),
    "settled-not": (
        {"actors": ["city", "business"], "activity": "routine_service", "scheme": "contract"},
        "not_kyodo",
        "settled",
    ),
    "provisional-kyodo": (
        {"actors": ["city", "civic_group"], "organizer": "joint", "activity": "care_support"},
        "kyodo",
        "provisional",
    ),
    "provisional-not": (
        {
            "actors": ["city", "community_org"],
            "activity": "facility_management",
            "planner": "city",
            "funding": ["none"],
        },
        "not_kyodo",
        "provisional",
    ),
    "undetermined": ({"activity": "festival"}, "undetermined", "undetermined"),
}


class _Text(HTMLParser):
    """The text of a page in reading order, and the text of one element by its id."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted = wanted
        self.depth = 0
        self.found: list[str] = []
        self.all: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.wanted:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        self.all.append(data)
        if self.depth:
            self.found.append(data)


def element_text(page: str, element: str) -> str:
    parser = _Text(element)
    parser.feed(page)
    return "".join(parser.found).strip()


@pytest.mark.parametrize("kind", FIVE)
def test_the_answer_is_the_kind_it_is_meant_to_be(kind: str) -> None:
    facts, verdict, status = FIVE[kind]
    result = classify(facts)
    assert (result.answer.verdict, result.answer.status) == (verdict, status)


@pytest.mark.parametrize("kind", FIVE)
def test_terminal_markdown_and_html_open_with_the_same_headline(kind: str) -> None:
    facts, _verdict, _status = FIVE[kind]
    result = classify(facts)
    words = headline(result)
    first = next(line for line in brief_lines(result) if line.startswith("判定"))
    assert first == f"判定: {words}"
    text = render_text(result)
    assert text.index(words) == text.index("判定: ") + len("判定: ")
    markdown = render_markdown(result)
    assert next(line for line in markdown.splitlines() if line.startswith("判定")).startswith(
        f"判定: {words}"
    )
    page = render_html(result, "ja", "事業")
    assert element_text(page, "headline") == words
    # The page says no other verdict before it: the headline is the first one.
    before = page[: page.index('id="headline"')]
    for other in ("協働ではない（", "協働（", "判定できない"):
        if other not in words:
            assert other not in re.sub(r"<[^>]+>", "", before), (other, kind)


@pytest.mark.parametrize("kind", FIVE)
def test_a_batch_row_opens_with_the_same_headline(tmp_path: Path, kind: str) -> None:
    from kyodo_rules.cli.main import main
    from kyodo_rules.wording import catalog
    from kyodo_rules.wording.field_labels import FIELD_LABELS

    facts, _verdict, _status = FIVE[kind]
    # The facts as a row of a CSV inventory with the vocabulary's own column names.
    headers = ["事業名", *(FIELD_LABELS[f] for f in facts)]
    cells = ["事業"]
    for field, value in facts.items():
        if isinstance(value, bool):
            cells.append("はい" if value else "いいえ")
        elif isinstance(value, list):
            cells.append("、".join(catalog.value_label(field, v, "ja") for v in value))
        else:
            cells.append(catalog.value_label(field, value, "ja"))
    table = io.StringIO()
    csv.writer(table).writerows([headers, cells])
    inventory = tmp_path / "in.csv"
    inventory.write_text(table.getvalue(), encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["batch", str(inventory), "-o", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    verdict = rows[0].index("判定")
    assert rows[1][verdict] == headline(classify(facts))


def test_the_web_result_page_and_status_line_say_the_same(tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from kyodo_rules.web.app import create_app
    from kyodo_rules.wizard import session
    from kyodo_rules.wizard.flow import State

    app = create_app(tmp_path / "data")
    with TestClient(app) as client:
        for kind, (facts, _verdict, _status) in FIVE.items():
            token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/").text)
            assert token
            state = State("generic", answers={"title": kind, **facts}, asked=["title", *facts])
            r = client.post(
                "/resume",
                data={"csrf": token[1]},
                files={"session": ("x.session.yaml", session.dump(state).encode(), "text/yaml")},
                follow_redirects=False,
            )
            assert r.status_code == 303, r.text
            url = r.headers["location"]
            page = client.get(f"{url}/result").text
            shown = element_text(page, "headline")
            assert shown, kind
            assert shown == headline(classify(facts)), kind


@pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftotext") is None,
    reason="chromium or pdftotext (poppler-utils) is not installed",
)
def test_the_printed_report_opens_with_the_headline(tmp_path: Path) -> None:
    for kind, (facts, _verdict, _status) in FIVE.items():
        result = classify(facts)
        html = tmp_path / f"{kind}.html"
        html.write_text(render_html(result, "ja", kind), encoding="utf-8")
        pdf = tmp_path / f"{kind}.pdf"
        subprocess.run(
            [
                "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run",
                f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri(),
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        words = headline(result)
        compact = re.sub(r"\s+", "", text)
        # After the report's name, the project and the word 判定, the headline.
        assert re.sub(r"\s+", "", words) in compact, (kind, text[:400])
        first_verdict = min(
            compact.find(w) for w in ("協働ではない", "協働（", "判定できない") if w in compact
        )
        assert compact.find(re.sub(r"\s+", "", words)) == first_verdict, (kind, text[:400])
