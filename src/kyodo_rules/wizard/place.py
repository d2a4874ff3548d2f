"""Where a session file goes, checked before the first question: standard library only.

Sessions are kept in the user's own data folder, not in whatever folder the
terminal happens to be in (a shared drive, the desktop, the project's source):
`%APPDATA%\\kyodo-rules\\sessions` on Windows, `~/Library/Application Support/
kyodo-rules/sessions` on macOS, `$XDG_DATA_HOME/kyodo-rules/sessions` (by default
`~/.local/share/…`) elsewhere. The wizard prints the path when it starts and
when it stops; `--session FILE` puts one anywhere else.

The wizard says an unwritable place before it asks anything, and it must draw
its first question within half a second; the session file's own model
(`session`, pydantic) is imported later, on the loading thread.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path


def sessions_dir(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The folder of this user's session files (not created here)."""
    env = os.environ if environ is None else environ
    system = sys.platform if platform is None else platform
    home = Path.home()
    if system == "win32":
        base = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
    elif system == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = env.get("XDG_DATA_HOME", "")
        # The XDG rule: a relative path is invalid and ignored.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / "kyodo-rules" / "sessions"


def default_path(now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return sessions_dir() / f"kyodo-wizard-{stamp}.session.yaml"


def make_dir(path: Path) -> None:
    """The session folder of `path`, made if missing (private to the user: mode 700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def create_default(now: datetime | None = None) -> Path:
    """A new, empty session file of this wizard's own (exclusive creation).

    Two wizards started in the same second in one folder would otherwise share
    one file and overwrite each other's answers; the second gets `-2`, and so on.
    OSError if the folder cannot take a file (the caller says where and how to
    choose another).
    """
    first = default_path(now)
    make_dir(first)
    for n in range(1, 1000):
        path = first if n == 1 else first.with_name(first.name.replace(".session", f"-{n}.session"))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(errno.EEXIST, "too many session files", str(first))


def check_writable(path: Path) -> None:
    """OSError (with the path) unless a session file can be written at `path`."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        exc.filename = str(path)
        raise
    os.close(fd)
    os.unlink(tmp)
