"""A real 80×24 terminal for the wizard's tests: tmux, each test on a server of its own.

Why a server of its own. Sessions started one after another on tmux's default
server sometimes meet a server that is still exiting (the previous test closed
its last session: "server exited unexpectedly") or still starting ("no server
running"), and `tmux new-session` exits 1; with two pytest-xdist workers on one
server it is a matter of time. Every `TmuxServer` runs on its own socket
(`tmux -L NAME`), so no other test's server can start or exit under it.

Should a start still fail, it is retried once, after a pause, and the retry is
reported: a `TmuxRetried` warning, which pytest lists in its summary (pyproject
lets this one warning through instead of failing on it). A second failure fails
the test with tmux's own message. Never a silent flake.
"""

from __future__ import annotations

import subprocess
import time
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

#: The pause before the one retry: long enough for a server to finish exiting.
RETRY_PAUSE = 0.5


class TmuxRetried(UserWarning):
    """`tmux new-session` failed once and was started again (shown in pytest's summary)."""


class TmuxServer:
    """One tmux server (its own socket) and the sessions started on it."""

    def __init__(self, label: str = "kyodo-test") -> None:
        self.socket = f"{label}-{uuid.uuid4().hex[:8]}"
        self.tmux: tuple[str, ...] = ("tmux", "-L", self.socket)
        self.names: list[str] = []

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.tmux, *args], check=check, capture_output=True, text=True)

    def start(
        self,
        command: str,
        *,
        cwd: Path,
        env: Mapping[str, str],
        width: int = 80,
        height: int = 24,
    ) -> Term:
        """A detached session running `command`; retried once if tmux refuses it."""
        name = f"kyodo-{uuid.uuid4().hex[:8]}"
        argv = [*self.tmux, "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height)]
        argv += ["-c", str(cwd), command]
        done = subprocess.run(argv, capture_output=True, text=True, env=dict(env))
        if done.returncode != 0:
            first = _said(done)
            warnings.warn(
                TmuxRetried(
                    f"tmux new-session exited {done.returncode} ({first}); the tmux server "
                    f"may have been starting or exiting: starting the session once more"
                ),
                stacklevel=2,
            )
            time.sleep(RETRY_PAUSE)
            done = subprocess.run(argv, capture_output=True, text=True, env=dict(env))
            if done.returncode != 0:
                raise RuntimeError(
                    f"tmux would not start a session, twice: exit {done.returncode} "
                    f"({_said(done)}); the first time: {first}"
                )
        self.names.append(name)
        return Term(self, name)

    def close(self) -> None:
        """End every session and the server (nothing is left running after a test)."""
        self.run("kill-server", check=False)


def _said(done: subprocess.CompletedProcess[str]) -> str:
    return (done.stderr or done.stdout or "").strip() or "no message"


class Term:
    """One session: keys in, the screen out."""

    def __init__(self, server: TmuxServer, name: str) -> None:
        self.server = server
        self.name = name

    def keys(self, *keys: str) -> None:
        self.server.run("send-keys", "-t", self.name, *keys)

    def screen(self) -> str:
        return self.server.run("capture-pane", "-p", "-J", "-S", "-300", "-t", self.name).stdout

    def wait(self, test: Callable[[str], bool], timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        while True:
            text = self.screen()
            if test(text):
                return text
            if time.monotonic() > end:
                raise AssertionError(f"timed out; screen was:\n{text}")
            time.sleep(0.1)

    def kill(self) -> None:
        """Close the session as a closed window does (the pane gets SIGHUP)."""
        self.server.run("kill-session", "-t", self.name)


def command_line(argv: Sequence[str]) -> str:
    """`argv` as one shell command that keeps the pane open to read its exit code."""
    return " ".join(argv) + "; echo EXIT=$?; sleep 60"
