"""Where a session file goes, checked before the first question: standard library only.

The wizard says an unwritable place before it asks anything, and it must draw
its first question within half a second; the session file's own model
(`session`, pydantic) is imported later, on the loading thread.
"""

from __future__ import annotations

import errno
import os
import tempfile
from datetime import datetime
from pathlib import Path


def default_path(now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path.cwd() / f"kyodo-wizard-{stamp}.session.yaml"


def create_default(now: datetime | None = None) -> Path:
    """A new, empty session file of this wizard's own (exclusive creation).

    Two wizards started in the same second in one folder would otherwise share
    one file and overwrite each other's answers; the second gets `-2`, and so on.
    OSError if the folder cannot take a file (the caller says where and how to
    choose another).
    """
    first = default_path(now)
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
