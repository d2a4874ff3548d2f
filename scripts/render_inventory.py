"""Render the answered inventory as it prints, for docs/img (and for a person to look at).

    python scripts/render_inventory.py [OUT_DIR]

Builds the 日南市-style office list of the tests (tests/data/offices/), answers it
with `kyodo-rules batch … --report`, prints the workbook to PDF with LibreOffice
(`soffice`, Calc) and the page with Chromium, and writes the first page of each as
PNG (`pdftoppm`, poppler-utils) into docs/img (or OUT_DIR):
inventory-xlsx.png, inventory-summary.png and inventory-html.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from browser import flags  # noqa: E402
from kyodo_rules.cli.main import main  # noqa: E402
from offices import offices  # noqa: E402


def _png(pdf: Path, page: int, target: Path) -> None:
    stem = target.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", "90", "-png", "-singlefile", "-f", str(page), "-l", str(page),
         str(pdf), str(stem)],
        check=True,
    )  # fmt: skip


def render(out_dir: Path) -> None:
    for tool in ("soffice", "chromium", "pdftoppm"):
        if shutil.which(tool) is None:
            sys.exit(
                f"{tool} is needed (apt-get install libreoffice-calc-nogui chromium poppler-utils)"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        office = next(o for o in offices() if o.name == "nichinan_style")
        source = office.write(work)
        answered, page = work / "answered.xlsx", work / "answered.html"
        main(["batch", str(source), "-o", str(answered), "--report", str(page)])
        subprocess.run(
            ["soffice", f"-env:UserInstallation={(work / 'lo').as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(work), str(answered)],
            check=True, capture_output=True,
        )  # fmt: skip
        pdf = work / "answered.pdf"
        _png(pdf, 1, out_dir / "inventory-xlsx.png")
        # The 集計 sheet follows the answers: the page after the last page of answers.
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        count = int(next(x.split()[-1] for x in pages.stdout.splitlines() if x.startswith("Pages")))
        _png(pdf, count - 2, out_dir / "inventory-summary.png")
        printed = work / "page.pdf"
        subprocess.run(
            ["chromium", *flags(work / "chromium"), "--no-pdf-header-footer",
             f"--print-to-pdf={printed}", page.as_uri()],
            check=True, capture_output=True,
        )  # fmt: skip
        _png(printed, 1, out_dir / "inventory-html.png")


if __name__ == "__main__":
    render(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img")
