"""A tmux pane as the docs show it: the screen's text and colours drawn by headless
Chromium into a PNG of 80×24 cells (for `KYODO_SCREENSHOTS=docs/img`).

`tmux capture-pane -e` gives the text with its SGR sequences; this keeps the few
the wizard uses (bold, reverse, the 16 and 256 colours) and draws each cell in
Noto Sans Mono CJK, where a wide character takes exactly two cells, as in the
terminal.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

from browser import CHROMIUM, flags

_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_OTHER = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]")
_BASE16 = [
    "#1e1e1e", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
    "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
]  # fmt: skip
FG, BG = "#e8e8e8", "#1e1e1e"
CELL, LINE = 8, 24  # px: half a 16 px CJK monospace glyph, and the line height


def _color256(n: int) -> str:
    if n < 16:
        return _BASE16[n]
    if n < 232:
        n -= 16
        levels = [0, 95, 135, 175, 215, 255]
        return f"#{levels[n // 36]:02x}{levels[n // 6 % 6]:02x}{levels[n % 6]:02x}"
    grey = 8 + (n - 232) * 10
    return f"#{grey:02x}{grey:02x}{grey:02x}"


def _html(screen: str) -> str:
    out: list[str] = []
    style = {"fg": FG, "bg": BG, "bold": False, "reverse": False}
    for raw in screen.splitlines():
        line = _OTHER.sub("", raw)
        pos = 0
        parts: list[str] = []
        for match in [*_SGR.finditer(line), None]:
            end = match.start() if match else len(line)
            text = line[pos:end]
            if text:
                fg, bg = (
                    (style["bg"], style["fg"]) if style["reverse"] else (style["fg"], style["bg"])
                )
                weight = "700" if style["bold"] else "400"
                css = f"color:{fg};background:{bg};font-weight:{weight}"
                parts.append(f'<span style="{css}">{html.escape(text)}</span>')
            if match is None:
                break
            pos = match.end()
            codes = [int(c) for c in match.group(1).split(";") if c] or [0]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    style = {"fg": FG, "bg": BG, "bold": False, "reverse": False}
                elif c == 1:
                    style["bold"] = True
                elif c == 7:
                    style["reverse"] = True
                elif c in (22, 27):
                    style["bold" if c == 22 else "reverse"] = False
                elif 30 <= c <= 37 or 90 <= c <= 97:
                    style["fg"] = _BASE16[c - 30 if c < 90 else c - 82]
                elif 40 <= c <= 47:
                    style["bg"] = _BASE16[c - 40]
                elif c in (39, 49):
                    style["fg" if c == 39 else "bg"] = FG if c == 39 else BG
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    style["fg" if c == 38 else "bg"] = _color256(codes[i + 2])
                    i += 2
                i += 1
        out.append("".join(parts))
    body = "\n".join(out)
    return (
        "<!DOCTYPE html><meta charset='utf-8'><style>"
        f"html,body{{margin:0;background:{BG};}}"
        f"pre{{margin:0;padding:10px 12px;color:{FG};font:16px/{LINE}px 'Noto Sans Mono CJK JP',"
        "monospace;white-space:pre;}</style>"
        f"<pre>{body}</pre>"
    )


def pane(name: str, socket: list[str] | None = None) -> str:
    """The visible screen of tmux session `name`, with its colours."""
    return subprocess.run(
        ["tmux", *(socket or []), "capture-pane", "-p", "-e", "-t", name],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def save_png(screen: str, target: Path, work: Path, columns: int = 80, rows: int = 24) -> None:
    """Draw `screen` (text with SGR sequences) to `target` (PNG) with headless Chromium."""
    assert CHROMIUM
    page = work / f"{target.stem}.html"
    page.write_text(_html(screen), "utf-8")
    size = f"--window-size={columns * CELL + 24},{rows * LINE + 20}"
    subprocess.run(
        [CHROMIUM, *flags(work / "chromium-shot"), size, f"--screenshot={target}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
