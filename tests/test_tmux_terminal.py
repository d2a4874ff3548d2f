"""The tmux helper of the terminal tests: a refused start is retried once, and said so.

Runs without tmux: `subprocess.run` is replaced by a fake tmux that refuses as a
server still exiting does ("server exited unexpectedly").
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

import tmux_terminal
from tmux_terminal import TmuxRetried, TmuxServer


class FakeTmux:
    """Refuses `new-session` the first `refusals` times, then accepts."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.calls: list[list[str]] = []

    def __call__(self, argv: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        if "new-session" in argv and self.refusals > 0:
            self.refusals -= 1
            return subprocess.CompletedProcess(argv, 1, "", "server exited unexpectedly\n")
        return subprocess.CompletedProcess(argv, 0, "", "")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(refusals: int) -> FakeTmux:
        tmux = FakeTmux(refusals)
        monkeypatch.setattr(subprocess, "run", tmux)
        monkeypatch.setattr(tmux_terminal, "RETRY_PAUSE", 0.0)
        return tmux

    return install


def test_a_session_starts_on_the_tests_own_server(fake: Any, tmp_path: Path) -> None:
    tmux = fake(0)
    server = TmuxServer()
    term = server.start("true", cwd=tmp_path, env={})
    [call] = tmux.calls
    assert call[:3] == ["tmux", "-L", server.socket] and "new-session" in call
    assert term.name in call and server.socket.startswith("kyodo-test-")
    assert TmuxServer().socket != server.socket


def test_a_refused_start_is_retried_once_and_reported(fake: Any, tmp_path: Path) -> None:
    tmux = fake(1)
    with pytest.warns(TmuxRetried, match=r"server exited unexpectedly.*once more"):
        TmuxServer().start("true", cwd=tmp_path, env={})
    assert sum("new-session" in c for c in tmux.calls) == 2


def test_two_refusals_fail_with_tmuxs_own_words(fake: Any, tmp_path: Path) -> None:
    tmux = fake(2)
    with (
        pytest.warns(TmuxRetried),
        pytest.raises(RuntimeError, match=r"twice.*server exited unexpectedly"),
    ):
        TmuxServer().start("true", cwd=tmp_path, env={})
    assert sum("new-session" in c for c in tmux.calls) == 2


def test_closing_ends_the_whole_server(fake: Any, tmp_path: Path) -> None:
    tmux = fake(0)
    server = TmuxServer()
    server.start("true", cwd=tmp_path, env={}).kill()
    server.close()
    assert tmux.calls[-2][3:] == ["kill-session", "-t", server.names[0]]
    assert tmux.calls[-1] == ["tmux", "-L", server.socket, "kill-server"]
