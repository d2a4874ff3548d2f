"""The headless Chromium the browser tests share: where it is and how it is started.

Flags that keep a test run quiet and repeatable (no network of its own, no
first-run screens, no sync), with a profile directory inside the test's tmp
path so runs never share state.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def flags(profile_dir: Path, *more: str) -> list[str]:
    return [*HEADLESS, *more, f"--user-data-dir={profile_dir}"]
