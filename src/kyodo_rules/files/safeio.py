"""Reading and writing the files a user names, without trusting them.

Every input goes through `read_bounded`: it reads at most `cap + 1` bytes
whatever `st_size` says (0 for devices, FIFOs and /proc), and refuses devices
and sockets outright, so `/dev/zero`, `/dev/urandom` or a CSV symlinked to a
device end at once with one line instead of filling memory or hanging.
`refuse_overwrite` runs before any work: an output that is the same file as an
input (links included, compared with `os.path.samefile`) would destroy it.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import sys
from collections.abc import Iterable

from kyodo_rules.model.errors import InputError

_CHUNK = 1 << 20


def _label(path: str | os.PathLike[str]) -> str:
    return "<stdin>" if os.fspath(path) == "-" else os.fspath(path)


def read_bounded(
    path: str | os.PathLike[str], cap: int, what: str = "", name: str | None = None
) -> bytes:
    """The bytes of `path` (`-`: standard input), or an InputError if over `cap` bytes.

    `what` names the limit in the message (e.g. `--limit mb=N`), `name` the file.
    """
    name = name or _label(path)
    if os.fspath(path) == "-":
        stream = sys.stdin
        if stream is None or stream.closed:
            raise InputError("<stdin>: 標準入力が閉じています / standard input is closed")
        return _read_fd(stream.buffer.fileno(), cap, name, what, stream.buffer)
    try:
        # O_NONBLOCK: opening a FIFO that no one writes to must not hang.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(f"{name}: ファイルがありません / no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: ディレクトリです / is a directory, not a file") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{name}: ディレクトリです / is a directory, not a file")
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise InputError(
                f"{name}: 通常のファイルではありません（デバイスなど） / "
                "not a regular file (a device or socket)"
            )
        os.set_blocking(fd, True)
        return _read_fd(fd, cap, name, what, None)
    except OSError as exc:
        name_os_error(exc, name)
        raise
    finally:
        os.close(fd)


def _read_fd(fd: int, cap: int, name: str, what: str, buffered: object) -> bytes:
    parts: list[bytes] = []
    total = 0
    reader = getattr(buffered, "read1", None)
    while True:
        want = min(_CHUNK, cap + 1 - total)
        chunk = reader(want) if reader is not None else os.read(fd, want)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        if total > cap:
            limit = f" ({what})" if what else ""
            raise InputError(
                f"{name}: 大きすぎます（上限 {cap:,} バイト{limit}） / "
                f"too large: more than {cap:,} bytes{limit}"
            )
    return b"".join(parts)


def _where(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return f"line {line}, byte {offset - start + 1} (0x{data[offset]:02x})"


def decode_utf8(data: bytes, name: str) -> str:
    """UTF-8 (a BOM allowed), or an InputError naming the line and byte of the first bad one."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        raise InputError(
            f"{name}: UTF-8 ではありません（{_where(data, start)}） / "
            f"not UTF-8 text at {_where(data, start)}"
        ) from None


def _mostly_utf8(data: bytes) -> bool:
    """Do valid multi-byte UTF-8 characters outnumber the invalid bytes?"""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    wide = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return wide > bad


def decode_table_text(data: bytes, name: str) -> str:
    """UTF-8, or Shift_JIS (cp932) only when the whole file is that and not UTF-8 gone bad.

    A UTF-8 file with one stray byte also decodes as cp932, into mojibake; so
    cp932 is tried only when valid UTF-8 characters do not outnumber the bad bytes.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{name}: UTF-16 のファイルは読めません。UTF-8 で保存してください / "
            "UTF-16 text is not read; save the file as CSV UTF-8"
        )
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise InputError(
            f"{name}: テキストファイルではありません（{_where(data, at)} に NUL） / "
            f"not a text file (NUL byte at {_where(data, at)})"
        )
    try:
        return decode_utf8(data, name)
    except InputError:
        if _mostly_utf8(data):
            raise
        try:
            return data.decode("cp932")
        except UnicodeDecodeError:
            raise InputError(
                f"{name}: UTF-8 でも Shift_JIS でもありません / not UTF-8 or Shift_JIS text"
            ) from None


def table_text_stream(data: bytes, name: str) -> io.TextIOWrapper:
    """`decode_table_text`'s text, decoded as it is read: the same characters, the same errors.

    The whole file decoded at once costs 2 to 4 bytes a character, twice over
    in a `StringIO`; streamed, the bytes already read are all that is held.
    A file that is valid UTF-8 is checked in slices; any other goes through
    `decode_table_text` (for its messages, and to choose Shift_JIS).
    """
    encoding = "utf-8-sig"
    if not _valid_utf8(data):
        decode_table_text(data, name)  # raises, or the file is Shift_JIS
        encoding = "cp932"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        decode_table_text(data, name)  # raises its own message (UTF-16, NUL)
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


def stream_utf8_file(
    path: str | os.PathLike[str], cap: int, most_lines: int
) -> tuple[io.TextIOWrapper, int, int] | None:
    """A regular file within `cap` bytes and `most_lines` line breaks that is valid UTF-8
    (no NUL), as text decoded as it is read: (text, bytes, line breaks).

    Checked in one pass that keeps nothing, then read again from the same open
    file, so that a large inventory never sits in memory. Anything else
    (standard input, a device, another encoding, a bad byte, too large) is None:
    the caller reads it whole (`read_bounded`, `decode_table_text`), which says
    what is wrong. A file rewritten between the passes reads as replacement
    characters, never as an exception in the middle of a run.
    """
    if os.fspath(path) == "-":
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        handle = os.fdopen(fd, "rb")
    except OSError:
        os.close(fd)
        return None
    try:
        decoder = codecs.getincrementaldecoder("utf-8")()
        size = lines = 0
        while chunk := handle.read(_CHUNK):
            size += len(chunk)
            lines += chunk.count(b"\n")
            if size > cap or lines > most_lines or b"\x00" in chunk:
                handle.close()
                return None
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        handle.seek(0)
    except (OSError, UnicodeDecodeError):
        handle.close()
        return None
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
    return text, size, lines


def _valid_utf8(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def refuse_overwrite(
    inputs: Iterable[str | os.PathLike[str] | None],
    outputs: Iterable[tuple[str, str | os.PathLike[str] | None]],
) -> None:
    """Refuse, before any work, an output that is an input or an existing directory.

    `outputs` are (option, path) pairs so that the message names the option.
    """
    sources = [os.fspath(p) for p in inputs if p is not None and os.fspath(p) != "-"]
    for option, out in outputs:
        if out is None:
            continue
        target = os.fspath(out)
        if os.path.isdir(target):
            raise InputError(
                f"{option} {target}: ディレクトリです。ファイル名を指定してください / "
                "is a directory; give a file name"
            )
        probe_writable(target)
        for source in sources:
            try:
                same = os.path.samefile(source, target)
            except OSError:
                same = False
            if same:
                raise InputError(
                    f"{option} {target}: 入力ファイル {source} と同じファイルです。"
                    "別の名前を指定してください / is the input file; "
                    "writing it would destroy the input; choose another name"
                )


def probe_writable(target: str) -> None:
    """OSError (naming `target`) unless a file can be created beside it under its name.

    Run before any work, so that a missing folder, a read-only place or a name
    too long is said at once, not after minutes of classifying.
    """
    import errno
    import tempfile

    parent = os.path.dirname(target) or "."
    if not os.path.isdir(parent):
        raise InputError(
            f"{target}: 書き込めません（フォルダ {parent} がありません） / "
            f"cannot write: no directory {parent}"
        )
    try:
        longest = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        longest = 255
    if len(os.fsencode(os.path.basename(target))) > longest:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), target)
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=".kyodo-probe.", suffix=".tmp")
    except OSError as exc:
        exc.filename = target
        raise
    os.close(fd)
    os.unlink(tmp)


def name_os_error(exc: BaseException, path: str | os.PathLike[str]) -> None:
    """Tell the CLI's edge which file an OSError without a file name was about."""
    if isinstance(exc, OSError) and exc.filename is None:
        # Not `exc.filename`: that would rewrite the message the error already has.
        vars(exc).setdefault("kyodo_path", os.fspath(path))


def check_distinct(outputs: Iterable[tuple[str, str | os.PathLike[str] | None]]) -> None:
    """Two outputs of one run must not be one file (the second would replace the first)."""
    seen: dict[str, str] = {}
    for option, out in outputs:
        if out is None:
            continue
        key = os.path.realpath(os.fspath(out))
        if key in seen:
            raise InputError(
                f"{option} {os.fspath(out)}: {seen[key]} と同じファイルです / "
                f"is the same file as {seen[key]}"
            )
        seen[key] = option
