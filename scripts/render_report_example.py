"""Render the example report (docs/img/report.png) in headless chromium.

    python scripts/render_report_example.py [--out docs/img/report.png] [--pdf FILE]

The picture in the documentation is made from a real answer, by the same
browser the test suite checks the page in (Debian's `chromium`), so that it
shows what staff will see and cannot drift from the code unnoticed: run this
again after changing the page and commit the new picture.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kyodo_rules import classify
from kyodo_rules.outputs.html import render_html

ROOT = Path(__file__).resolve().parents[1]

#: 日南市's 協働 by an 実行委員会: every fact known, three recommended forms, a checklist.
EXAMPLE_TITLE = "地域の子育てサロン運営事業（令和7年度）"
EXAMPLE_FACTS = {
    "actors": ["city", "civic_group"],
    "planner": "joint",
    "spec_author": "joint",
    "city_supervises": False,
    "equal_footing": True,
    "shared_purpose": True,
    "roles_shared": True,
    "partner_contribution": "expertise",
    "prior_consultation": True,
    "benefit": "public",
    "activity": "care_support",
    "organizer": "committee",
    "funding": ["cost_share"],
    "scheme": "agreement",
    "hands_over_whole_project": False,
    "commissioning_raises_cost": False,
    "period": "fixed_period",
    "motives": ["problem_solving"],
    "partner_treated_as_free_labour": False,
    "city_stays_out": False,
    "responsible_department": True,
    "partner_depends_on_subsidy": False,
    "city_runs_partner_secretariat": False,
    "self_solvable": False,
    "community_solvable": False,
    "documents": ["pre_confirmation_sheet"],
    "evaluation_planned": True,
    "disclosed": True,
    "stage": "planning",
}

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img" / "report.png"))
    parser.add_argument("--pdf", help="also print the page to this PDF")
    parser.add_argument("--html", help="also keep the page itself here")
    args = parser.parse_args(argv)
    browser = chromium()
    if browser is None:
        print(
            "chromium が見つかりません / chromium not found: apt-get install -y chromium "
            "fonts-noto-cjk",
            file=sys.stderr,
        )
        return 2
    result = classify(EXAMPLE_FACTS, profile="nichinan")
    page = render_html(result, "ja", EXAMPLE_TITLE, generated=dt.date(2025, 4, 1))
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        html.write_text(page, encoding="utf-8")
        if args.html:
            Path(args.html).write_text(page, encoding="utf-8")
        common = [browser, *FLAGS, f"--user-data-dir={tmp}/profile"]
        out = Path(args.out).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [*common, "--window-size=900,1270", f"--screenshot={out}", html.as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
        )
        print(f"screenshot: {out}")
        if args.pdf:
            pdf = Path(args.pdf).resolve()
            subprocess.run(
                [*common, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()],
                check=True,
                capture_output=True,
                timeout=120,
            )
            print(f"pdf: {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
