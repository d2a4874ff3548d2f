"""Shared by the adversarial corpus (tests/test_hostile_*.py): run the installed CLI on a file.

Every run is a real process of the installed `kyodo-rules`, as a user starts
it, under a timeout and an address-space limit (so that a bomb fails the test
instead of the machine), and every check is the same three promises: the exit
code, one line on stderr without a traceback, and no input file changed.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import resource
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

#: The installed command, beside the interpreter running the tests (`.venv/bin`).
CLI = str(Path(sys.executable).parent / "kyodo-rules")
TIMEOUT = 20
#: Address space of one run: far above a normal run (~300 MB), far below a bomb's.
MEMORY = 1_500 * 2**20


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run(
    *args: str,
    cwd: Path,
    stdin: bytes | int | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """One run of the installed CLI; `stdin` is bytes, a descriptor, or None (/dev/null)."""
    # The corpus is about files, not answers: the pure-Python engine (same answers,
    # checked by `kyodo-rules check`) and no what-if keep each run short.
    if args[:1] == ("batch",) and "--engine" not in args and "--template" not in args:
        args = (*args, "--engine", "python")
    if args[:1] == ("classify",) and "--no-what-if" not in args:
        args = (*args, "--no-what-if")
    kwargs: dict[str, object] = {}
    if isinstance(stdin, bytes):
        kwargs["input"] = stdin
    else:
        kwargs["stdin"] = subprocess.DEVNULL if stdin is None else stdin
    done = subprocess.run(
        [CLI, *args],
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        env={**os.environ, **(env or {})},
        **kwargs,  # type: ignore[call-overload]
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def fingerprint(paths: Iterable[Path]) -> dict[Path, str | None]:
    """The content hash of each file (None if absent): compared after the run."""
    out: dict[Path, str | None] = {}
    for path in paths:
        out[path] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return out


def refused(
    done: subprocess.CompletedProcess[str],
    *words: str,
    code: int = 2,
) -> str:
    """Assert exit `code` and exactly one stderr line without a traceback; the line."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code, done.stderr
    assert len(lines) == 1, done.stderr
    line = lines[0]
    assert line.startswith("kyodo-rules: "), line
    assert len(line) < 2_000
    for word in words:
        assert word in line, line
    return line


def check(
    done: subprocess.CompletedProcess[str],
    before: Mapping[Path, str | None],
    *words: str,
    code: int = 2,
) -> str:
    """`refused`, and every input fingerprinted in `before` is unchanged."""
    line = refused(done, *words, code=code)
    assert fingerprint(before) == dict(before), "an input file changed"
    return line


def on_terminal(
    argv: list[str], cwd: Path, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[bytes]:
    """`argv` with a pseudo-terminal as stdin and stdout (the wizard refuses anything
    else); stderr captured. Nothing is typed: the run ends at its first prompt's EOF."""
    leader, follower = os.openpty()
    try:
        return subprocess.run(
            argv, stdin=follower, stdout=follower, stderr=subprocess.PIPE, cwd=cwd, timeout=timeout
        )
    finally:
        os.close(follower)
        os.close(leader)


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "64k") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `where` (made here) for the block, where this machine
    lets a test mount one (root); the test is skipped where it does not."""
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Write until the file system is full; the filler file, to delete for room again."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler
