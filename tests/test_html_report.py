"""Reports: the printable HTML page in a real browser, Markdown and JSON by suffix.

The page is what gets attached to a 起案, so it is checked the way it will be
used: Debian's chromium opens the file, prints it to PDF (must be A4) and dumps
the DOM it built (must show the verdict and a cited source, and no script,
whatever the title said). Without chromium these browser tests are skipped
with the command that installs it; CI installs it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from browser import CHROMIUM, flags
from kyodo_rules import InputError, Result, classify
from kyodo_rules.model.records import Flag, FormRecommendation, Principle, TraceEntry
from kyodo_rules.outputs.html import render_html, write_report

HOSTILE = '<script>alert(1)</script> & "引用" <img src=x onerror=alert(2)>'

#: 日南市 事例3: the city planned everything and asks only for labour.
JIREI3 = {
    "actors": ["city", "community_org"],
    "planner": "city",
    "spec_author": "city",
    "partner_contribution": "labour_only",
    "prior_consultation": False,
    "activity": "safety_disaster_environment",
    "benefit": "public",
}
JIREI3_SOURCE = "002_5706d2c9275a3206.txt (7) 事例3"
#: How people read that citation: the issuer and the guide, never the file.
JIREI3_CITED = "日南市『市民協働の手引き』(7) 事例3"

BROWSER = CHROMIUM
if BROWSER is None and os.environ.get("KYODO_REQUIRE_TOOLS"):
    raise RuntimeError("KYODO_REQUIRE_TOOLS is set but chromium is not installed")
needs_browser = pytest.mark.skipif(
    BROWSER is None,
    reason="chromium not installed (apt-get install -y chromium fonts-noto-cjk); CI installs it",
)

A4 = (595.0, 842.0)  # points


class _Dom(HTMLParser):
    """Tags and visible text of a page, to assert on structure rather than substrings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def h1(self, page: str) -> str:
        match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
        assert match
        inner = _Dom()
        inner.feed(match.group(1))
        return "".join(inner.text)


def _dom(page: str) -> _Dom:
    parser = _Dom()
    parser.feed(page)
    parser.close()
    return parser


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    command = [BROWSER, *flags(tmp / "chromium-profile"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)


def _media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    result = classify(JIREI3, profile="nichinan")
    path = tmp_path_factory.mktemp("report") / "事例3 report.html"
    write_report(result, path, "ja", title=HOSTILE)
    return path, result


def test_the_case_is_the_one_the_report_is_about(report_page: tuple[Path, Result]) -> None:
    _path, result = report_page
    assert result.verdict == "not_kyodo"
    assert result.category == "volunteer_labour"
    assert any(t.source == JIREI3_SOURCE for t in result.trace)


@needs_browser
@pytest.mark.slow
def test_chromium_prints_the_report_on_a4(report_page: tuple[Path, Result], tmp_path: Path) -> None:
    path, _ = report_page
    pdf = tmp_path / "r.pdf"
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    boxes = _media_boxes(data)
    assert boxes, "no page in the PDF"
    for width, height in boxes:
        assert abs(width - A4[0]) <= 2 and abs(height - A4[1]) <= 2, (width, height)


@needs_browser
@pytest.mark.slow
def test_chromium_shows_verdict_and_sources_and_runs_no_script(
    report_page: tuple[Path, Result], tmp_path: Path
) -> None:
    path, result = report_page
    dom_text = _chromium(tmp_path, "--dump-dom", path.as_uri()).stdout
    dom = _dom(dom_text)
    text = "".join(dom.text)
    assert "協働ではない（確定）" in text
    assert "奉仕作業" in text
    assert JIREI3_CITED in text
    quote = next(t.quote for t in result.trace if t.source == JIREI3_SOURCE)
    assert quote and quote in text
    # The hostile title is shown as text, and the browser built no element from it.
    assert "script" not in dom.tags
    assert "img" not in dom.tags
    assert not [name for name, _ in dom.attrs if name.startswith("on")]
    assert dom.h1(dom_text) == HOSTILE


@needs_browser
@pytest.mark.slow
def test_chromium_screenshot(report_page: tuple[Path, Result], tmp_path: Path) -> None:
    path, _ = report_page
    png = tmp_path / "r.png"
    _chromium(tmp_path, "--window-size=900,1270", f"--screenshot={png}", path.as_uri())
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (900, 1270)


def _hostile_result(text: str) -> Result:
    return Result(
        verdict="not_kyodo",
        category="volunteer_labour",
        zone="equal_partnership",
        forms=(
            FormRecommendation(code="commission", label=text, reasons=(text,), cautions=(text,)),
        ),
        flags=(Flag(code="marunage", message=text, source=text),),
        checklist=(text,),
        missing_facts=(text,),
        trace=(TraceEntry(rule_id=text, title=text, source=text, quote=text, overridden_by=text),),
        principles_violated=(Principle(code=text, label=text, source=text),),
        profile=text,
    )


def test_every_string_of_a_result_is_escaped() -> None:
    page = render_html(_hostile_result(HOSTILE), "ja", HOSTILE)
    dom = _dom(page)
    assert "script" not in dom.tags and "img" not in dom.tags
    assert not [name for name, _ in dom.attrs if name.startswith("on")]
    # Every occurrence came through as text.
    assert "".join(dom.text).count(HOSTILE) >= 12


@given(st.text(min_size=1, max_size=80).filter(lambda s: s.strip()))
def test_any_title_is_shown_as_text(title: str) -> None:
    page = render_html(classify({}, what_if=False), "ja", title)
    dom = _dom(page)
    assert dom.tags.count("h1") == 1 and "script" not in dom.tags
    assert dom.h1(page) == title.strip()


def test_the_page_needs_nothing_from_outside() -> None:
    page = render_html(classify(JIREI3, profile="nichinan"), "ja", "x")
    assert "@page { size: A4; margin: 15mm; }" in page
    assert "Noto Sans CJK JP" in page
    for outside in ("http:", "https:", "//", "@import", "url(", "<link", "<script", " src="):
        assert outside not in page.replace("<!DOCTYPE", ""), outside
    assert "default-src 'none'" in page


def test_english_page() -> None:
    page = render_html(classify(JIREI3), "en", None)
    assert '<html lang="en">' in page
    assert "not 協働 (settled)" in page


def test_reports_by_suffix(tmp_path: Path) -> None:
    result = classify(JIREI3, profile="nichinan")
    md = write_report(result, tmp_path / "r.md", "ja", title="事例3 *強調* <b>")
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 協働判定の結果\n")
    assert "事業名: 事例3 \\*強調\\* &lt;b&gt;" in text
    assert JIREI3_CITED in text and JIREI3_SOURCE not in text
    data = json.loads(write_report(result, tmp_path / "r.json", title="事例3").read_text("utf-8"))
    assert data["title"] == "事例3"
    assert data["verdict"] == "not_kyodo"
    assert {k: v for k, v in data.items() if k != "title"} == result.model_dump(mode="json")
    assert "事例3" in (tmp_path / "r.json").read_text(encoding="utf-8")  # not \\u escapes
    page = write_report(result, tmp_path / "R.HTML").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")


def test_unknown_suffix_names_the_allowed_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.md, \.markdown, \.json, \.html, \.htm"):
        write_report(classify({}), tmp_path / "r.pdf")
    assert not list(tmp_path.iterdir())


def test_a_failed_write_keeps_the_old_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")
    import kyodo_rules.outputs.html as export

    def boom(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(export.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_report(classify({}), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write"):
        write_report(classify({}), tmp_path / "nowhere" / "r.md")


def test_classify_writes_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kyodo_rules.cli.main import main

    case = tmp_path / "case.json"
    case.write_text(json.dumps({"title": HOSTILE, **JIREI3}, ensure_ascii=False), "utf-8")
    report = tmp_path / "r.html"
    assert main(["classify", str(case), "--profile", "nichinan", "--report", str(report)]) == 0
    page = report.read_text(encoding="utf-8")
    assert "script" not in _dom(page).tags and _dom(page).h1(page) == HOSTILE
    assert "report saved" in capsys.readouterr().err
    assert main(["classify", str(case), "--report", str(tmp_path / "r.txt")]) == 2
    assert "allowed: .md" in capsys.readouterr().err
    assert not (tmp_path / "r.txt").exists()
