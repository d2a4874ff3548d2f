"""What the CLI does at its edge so that no traceback ever reaches a user.

Operating-system errors on a path the user named (not a directory, name too
long, read-only, disk full, I/O error) become one line with the path and the
reason in Japanese and English. Standard streams are made safe before any
work: a closed one is replaced by /dev/null (else the next file opened would
take its descriptor and receive the output), and output that the terminal's
encoding cannot show is escaped instead of failing. SIGTERM and SIGHUP raise
`Terminated`, so every `finally` and `except BaseException` runs and no
temporary file is left behind.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType

_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("ファイルまたはフォルダがありません", "no such file or directory"),
    errno.ENOTDIR: ("途中にフォルダでないものがあります", "a part of the path is not a directory"),
    errno.ENAMETOOLONG: ("名前が長すぎます", "file name too long"),
    errno.EISDIR: ("フォルダです", "is a directory"),
    errno.EACCES: ("権限がありません", "permission denied"),
    errno.EPERM: ("権限がありません", "operation not permitted"),
    errno.EROFS: ("読み取り専用です", "read-only file system"),
    errno.ENOSPC: ("ディスクがいっぱいです", "no space left on device"),
    errno.EDQUOT: ("容量の上限を超えました", "disk quota exceeded"),
    errno.EIO: ("入出力エラー", "input/output error"),
    errno.EEXIST: ("既にあります", "file exists"),
    errno.ELOOP: ("シンボリックリンクが循環しています", "too many levels of symbolic links"),
    errno.EMFILE: ("開いているファイルが多すぎます", "too many open files"),
    errno.EFBIG: ("ファイルが大きすぎます", "file too large"),
    errno.EXDEV: ("別のファイルシステムです", "cross-device link"),
    errno.EBADF: ("閉じられています", "bad file descriptor (closed)"),
}

_MAX_LINE = 2_000


class Terminated(SystemExit):
    """SIGTERM or SIGHUP: unwinds like an exception, so cleanup code runs."""


def describe_os_error(exc: OSError) -> str:
    ja, en = _REASONS.get(
        exc.errno or -1,
        ("", exc.strerror or (str(exc.args[0]) if exc.args else type(exc).__name__)),
    )
    where = exc.filename if exc.filename is not None else vars(exc).get("kyodo_path")
    if isinstance(where, bytes):
        where = where.decode("utf-8", "backslashreplace")
    shown = str(where) if where is not None else "標準出力 / standard output"
    if len(shown) > 200:
        shown = shown[:100] + "…" + shown[-60:]
    # Errors are said in both languages at once (no language is chosen this early);
    # an errno without a Japanese reason has the system's English words only.
    return f"{shown}: {' / '.join(part for part in (ja, en) if part)}"


def one_line(message: str) -> str:
    from kyodo_rules.files.cells import one_line_text

    text = one_line_text(message.strip() or "error")
    return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 20] + " …(truncated)"


def _devnull(fd: int) -> None:
    null = os.open(os.devnull, os.O_RDWR)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)


def prepare_streams() -> str | None:
    """Make the standard streams safe to use; a message if standard output is closed."""
    closed_out = None
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is None:
            _devnull(fd)
            mode = "r" if fd == 0 else "w"
            setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))  # noqa: SIM115
            if fd == 1:
                closed_out = "標準出力が閉じています / standard output is closed"
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with suppress(ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors="backslashreplace")
    return closed_out


def silence_stdout() -> None:
    """After a failed write to stdout, point it at /dev/null so the exit flush cannot fail."""
    with suppress(OSError, ValueError, AttributeError):
        _devnull(sys.stdout.fileno())


@contextmanager
def signals_raise() -> Iterator[None]:
    def handler(signum: int, _frame: FrameType | None) -> None:
        raise Terminated(128 + signum)

    wanted = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    old: dict[int, Callable[..., object] | int | None] = {}
    try:
        for sig in wanted:
            with suppress(ValueError, OSError):  # not the main thread
                old[sig] = signal.signal(sig, handler)
        yield
    finally:
        for sig, previous in old.items():
            with suppress(ValueError, OSError, TypeError):
                signal.signal(sig, previous)
