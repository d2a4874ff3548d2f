"""Japanese pages speak plain Japanese: no rule id, field name, profile code or seed file name.

Every Japanese page and screen the project renders is scanned: the terminal
and Markdown reports, the HTML report, the web pages (home, every question of
an interview, the summary, the result, the rule list and every rule page, the
inventory page) and the answered inventory's sheets. Codes may appear only in
the details area for trainers (`id="codes"`), which says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kyodo_rules import classify
from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.outputs.html import render_html
from kyodo_rules.outputs.text import render_markdown, render_text
from strategies import KYODO_BASE

RULEBASE = default_classifier().rulebase
RULE_IDS = {r.id for p in RULEBASE.profiles for r in RULEBASE.ruleset(p).rules}
PROFILES = set(RULEBASE.profiles)
#: Codes a Japanese reader must never meet in running text.
CODES = RULE_IDS | set(FACT_FIELDS) | PROFILES
_WORD = re.compile(r"(?<![A-Za-z0-9_.-])([a-z][a-z0-9]*(?:[_-][a-z0-9]+)*)(?![A-Za-z0-9_-])")
_SEED = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")

CASES: list[dict[str, Any]] = [
    dict(KYODO_BASE),
    {"actors": ["city", "business"], "activity": "routine_service", "scheme": "contract"},
    {"actors": ["city", "civic_group"], "organizer": "joint", "activity": "care_support"},
    {"activity": "facility_management", "planner": "city", "funding": ["none"]},
    {"planner": "city", "partner_contribution": "labour_only", "prior_consultation": False},
    {"actors": ["civic_group"], "several_of_one_kind": True, "organizer": "joint"},
    {"scheme": "designated_manager", "actors": ["city", "civic_group"]},
    {"activity": "festival"},
    {},
]


def codes_in(text: str) -> list[str]:
    found = [m for m in _SEED.findall(text)]
    found += [w for w in _WORD.findall(text) if w in CODES]
    return found


class _Visible(HTMLParser):
    """A page's text outside the trainers' codes area, styles and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            self.skip += 1
        elif dict(attrs).get("id") == "codes" or tag in ("style", "script"):
            self.skip = 1

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_reports_carry_no_codes(profile: str) -> None:
    for facts in CASES:
        result = classify(facts, profile=profile)
        for name, text in (
            ("text", render_text(result, "ja", answers=facts)),
            ("markdown", render_markdown(result, "ja", answers=facts)),
            ("html", visible(render_html(result, "ja", "事業", answers=facts))),
        ):
            assert not codes_in(text), (profile, name, facts, codes_in(text))


def _pages(client: Any) -> Iterator[tuple[str, str]]:
    home = client.get("/").text
    yield "/", home
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', home)
    assert token
    r = client.post(
        "/start",
        data={"csrf": token[1], "profile": "nichinan", "lang": "ja", "title": "港の清掃"},
        follow_redirects=False,
    )
    url = r.headers["location"]
    facts = {
        "actors": ["city", "community_org", "business"],
        "planner": "city",
        "partner_contribution": "labour_only",
    }
    for _ in range(40):
        page = client.get(url)
        yield str(page.url), page.text
        if page.url.path.endswith("/summary"):
            break
        field = re.search(r'name="field" value="([a-z_]+)"', page.text)
        assert field
        value = facts.get(field[1])
        data: dict[str, Any] = {"csrf": token[1], "field": field[1], "action": "answer"}
        if value is None:
            data["action"] = "unknown"
        else:
            data["value"] = value if isinstance(value, list) else [value]
        client.post(f"{url}/answer", data=data, follow_redirects=False)
    yield "result", client.get(f"{url}/result").text
    yield "/rules", client.get("/rules").text
    for rule_id in sorted(RULE_IDS):
        yield f"/rules/{rule_id}", client.get(f"/rules/{rule_id}").text
    yield "/batch", client.get("/batch").text


def test_web_pages_carry_no_codes(tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from kyodo_rules.web.app import create_app

    with TestClient(create_app(tmp_path / "data")) as client:
        for where, page in _pages(client):
            assert not codes_in(visible(page)), (where, codes_in(visible(page)))


def test_answered_inventory_sheets_carry_no_codes(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from kyodo_rules.cli.main import main
    from offices import offices

    for office in offices():
        source = office.write(tmp_path)
        out = tmp_path / f"{office.name}-answered.xlsx"
        main(["batch", str(source), "-o", str(out)])
        book = load_workbook(out, read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for cell in row:
                    if isinstance(cell, str):
                        assert not codes_in(cell), (office.name, sheet.title, cell)
