"""Session files and the places they are saved: the wizard never loses an answer.

A session file is validated by one model with a version field, so a broken
one is one line naming the file and the key. The place is checked before the
first question; a save that fails mid-interview (disk full, folder gone) keeps
the answer in memory, says so once, and is retried after the next answer.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from hostile import CLI, check, fill, fingerprint, on_terminal, run, tmpfs
from kyodo_rules.rulebase.questions import TITLE, default_data
from kyodo_rules.wizard import session
from kyodo_rules.wizard.flow import State

SESSION = (
    "version: 1\nprofile: generic\nlang: ja\n"
    "answers: {title: x, planner: city}\nasked: [title, planner]\nreask: null\nhistory: []\n"
)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("reask: null", "reask: bogus_field"), ("reask", "bogus_field")),
        (("version: 1", "version: 2"), ("version", "allowed: 1")),
        (("planner: city", "planner: mayor"), ("answers", "mayor")),
        (("history: []", "history: []\nextra: 1"), ("extra", "unknown session key")),
        (("lang: ja", "lang: fr"), ("lang",)),
        (("asked: [title, planner]", "asked: [title, bogus]"), ("asked", "bogus")),
    ],
)
def test_a_broken_session_file(
    tmp_path: Path, change: tuple[str, str], words: tuple[str, ...]
) -> None:
    path = tmp_path / "s.session.yaml"
    path.write_text(SESSION.replace(*change), encoding="utf-8")
    before = fingerprint([path])
    # --resume and --answers read a session alike; both are tried on the first case.
    options = ("--resume", "--answers") if "reask" in words else ("--answers",)
    for option in options:
        check(run("wizard", option, str(path), cwd=tmp_path), before, "s.session.yaml", *words)


def _with_terminal(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The wizard with a pseudo-terminal as stdin and stdout (it refuses anything else)."""
    return on_terminal([CLI, "wizard", *args], cwd)


def test_a_session_folder_that_does_not_exist_is_said_before_any_question(tmp_path: Path) -> None:
    done = _with_terminal(["--session", "gone/s.session.yaml"], tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "gone/s.session.yaml" in err and "--session" in err


def test_a_session_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "s.session.yaml").mkdir()
    done = _with_terminal(["--session", "s.session.yaml"], tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 2 and err.count("\n") == 1 and "--session" in err


def test_an_unwritable_data_folder_is_said_before_any_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /proc takes no new folders even for root: the default session cannot go there.
    monkeypatch.setenv("XDG_DATA_HOME", "/proc")
    done = _with_terminal([], tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and "--session" in err
    assert "/proc/kyodo-rules/sessions/kyodo-wizard-" in err


def test_two_wizards_in_the_same_second_never_share_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    now = datetime(2026, 4, 1, 9, 0, 0)
    first, second, third = (session.create_default(now) for _ in range(3))
    assert len({first, second, third}) == 3
    folder = tmp_path / "kyodo-rules" / "sessions"
    assert all(p.parent == folder and p.exists() for p in (first, second, third))
    assert second.name == "kyodo-wizard-20260401-090000-2.session.yaml"


# -- the 64 KiB tmpfs ------------------------------------------------------------


def test_the_wizard_on_a_full_64k_tmpfs_loses_no_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from kyodo_rules.decision.classify import default_classifier
    from kyodo_rules.wizard.ui import Wizard
    from test_wizard_ui import ENTER, FACTS, script

    keys, expected = script(FACTS)
    with tmpfs(tmp_path / "small") as small:
        path = small / "s.session.yaml"
        real_save = session.save
        calls: list[str] = []
        filler: list[Path] = []

        def save(state: State, target: Any, *command: str) -> None:
            # The disk fills after the 2nd save and has room again from the 5th on.
            calls.append(f"{len(state.asked)}")
            if len(calls) == 3:
                filler.append(fill(small))
            if len(calls) == 5:
                filler.pop().unlink()
            real_save(state, target, *command)

        monkeypatch.setattr(session, "save", save)
        with (
            create_pipe_input() as inp,
            open(tmp_path / "screen.txt", "w", encoding="utf-8") as out,
        ):
            inp.send_text(keys + ENTER)
            wizard = Wizard(
                default_data(),
                default_classifier(),
                State("generic"),
                path,
                out=out,
                prompt_kwargs={"input": inp, "output": DummyOutput()},
            )
            wizard.run()
        screen = (tmp_path / "screen.txt").read_text(encoding="utf-8")
        assert screen.count("保存できませんでした") == 1  # said once, not at every answer
        assert "no space left on device" in screen and "保存できました" in screen
        assert wizard.unsaved is None
        answers, _meta = session.read(path)
        assert answers == {k: v for k, v in expected.answers.items()}
        assert wizard.state.asked == expected.asked
        assert answers[TITLE] == "港の清掃"
        assert sorted(p.name for p in small.iterdir()) == ["s.session.yaml"]  # no temp left


def test_ctrl_c_with_answers_not_on_disk_offers_another_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kyodo_rules.cli.commands.wizard import _save_somewhere

    class _Stub:
        state = State("generic", answers={TITLE: "x", "planner": "city"}, asked=[TITLE, "planner"])

    replies = iter([str(tmp_path / "gone" / "s.yaml"), str(tmp_path / "ok.session.yaml")])
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(replies))
    saved = _save_somewhere(_Stub(), default_data(), "ja")
    assert saved == tmp_path / "ok.session.yaml"
    assert session.read(saved)[0] == {TITLE: "x", "planner": "city"}
    assert "保存できませんでした" in capsys.readouterr().err  # the first place failed, said so
    # Nothing typed: the session is printed, so it can still be copied.
    monkeypatch.setattr("builtins.input", lambda _prompt="": "")
    assert _save_somewhere(_Stub(), default_data(), "ja") is None
    assert "planner: city" in capsys.readouterr().out


def test_resuming_a_session_of_an_unknown_profile_asks_nothing(tmp_path: Path) -> None:
    """`wizard --resume` of a session whose profile no rulebase has put a question on
    the screen before it failed; now it is one line, exit 2, and the screen stays empty."""
    import os

    path = tmp_path / "s.session.yaml"
    path.write_text(SESSION.replace("profile: generic", "profile: atlantis"), encoding="utf-8")
    leader, follower = os.openpty()
    try:
        done = subprocess.run(
            [CLI, "wizard", "--resume", str(path)],
            stdin=follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            timeout=20,
        )
        os.set_blocking(leader, False)
        screen = b""
        with contextlib.suppress(OSError):
            while chunk := os.read(leader, 65536):
                screen += chunk
    finally:
        os.close(follower)
        os.close(leader)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and "atlantis" in err and "allowed: ama, generic" in err
    assert not screen.strip(), screen.decode("utf-8", "replace")
    assert path.read_text(encoding="utf-8").count("atlantis") == 1  # the file untouched


# -- the per-user data folder and the command the user typed ----------------------


@pytest.mark.parametrize(
    ("platform", "environ", "expected"),
    [
        ("linux", {"XDG_DATA_HOME": "/data/taro"}, "/data/taro/kyodo-rules/sessions"),
        ("linux", {"XDG_DATA_HOME": "relative"}, "~/.local/share/kyodo-rules/sessions"),
        ("linux", {}, "~/.local/share/kyodo-rules/sessions"),
        ("darwin", {}, "~/Library/Application Support/kyodo-rules/sessions"),
        ("win32", {"APPDATA": "/appdata/Roaming"}, "/appdata/Roaming/kyodo-rules/sessions"),
        ("win32", {}, "~/AppData/Roaming/kyodo-rules/sessions"),
    ],
)
def test_sessions_go_to_the_users_data_folder(
    platform: str, environ: dict[str, str], expected: str
) -> None:
    from kyodo_rules.wizard.place import sessions_dir

    assert sessions_dir(environ, platform) == Path(expected).expanduser()


def test_the_session_is_kept_in_the_data_folder_and_the_hints_name_the_command_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started as run.py starts it, in a folder of the user's work: nothing lands in that
    folder; the session's path is printed; the hint to continue and the file's header
    name `python3 run.py wizard`, and the printed path is the file's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("KYODO_WIZARD_COMMAND", "python3 run.py wizard")
    work = tmp_path / "work"
    work.mkdir()
    leader, follower = os.openpty()
    try:
        proc = subprocess.Popen(
            [CLI, "wizard", "--profile", "generic"],
            stdin=follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            cwd=work,
        )
        os.close(follower)  # the wizard's alone: reading fails once it has ended
        seen = b""
        with contextlib.suppress(OSError):
            while b"[1]" not in seen:  # the first question is on screen
                seen += os.read(leader, 4096) or b"[1]"
        os.write(leader, b"\x04")  # Ctrl-D: the end of input, as a closed terminal
        _out, raw = proc.communicate(timeout=60)
    finally:
        os.close(leader)
    err = raw.decode()
    assert proc.returncode == 130, err
    assert list(work.iterdir()) == []
    [path] = (tmp_path / "data" / "kyodo-rules" / "sessions").iterdir()
    assert f"python3 run.py wizard --resume {path}" in err
    assert path.read_text("utf-8").startswith(
        "# kyodo-rules wizard session: resume with `python3 run.py wizard --resume FILE`"
    )


def _run_py() -> Any:
    """run.py as a module (its helpers; nothing is installed by importing it)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "run_py", Path(__file__).resolve().parents[1] / "run.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_py_names_the_interpreter_and_the_script_as_typed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_py = _run_py()
    monkeypatch.setattr("sys.executable", "/usr/bin/python3")
    monkeypatch.setattr("sys.argv", ["run.py", "wizard"])
    assert run_py._typed() == "python3 run.py"
    monkeypatch.setattr("sys.argv", ["/home/taro/my tools/run.py", "wizard"])
    assert run_py._typed() == 'python3 "/home/taro/my tools/run.py"'


def test_run_py_alone_prints_a_japanese_first_usage() -> None:
    import sys

    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parents[1] / "run.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout.startswith("使い方: python3 run.py コマンド")
    assert done.stdout.index("使い方") < done.stdout.index("Usage:")
    for command in ("wizard", "serve", "test", "classify", "batch"):
        assert command in done.stdout
