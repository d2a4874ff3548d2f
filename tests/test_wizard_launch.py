"""The wizard's first screen: drawn from a small precomputed file, before anything heavy.

Launch to the first question is measured by `benchmarks/bench.py` (tmux); these
tests hold what makes it fast: the first screen's file is fresh, a stale one is
never shown, and the path to the first prompt imports neither pydantic, nor the
YAML reader, nor the rule engine, nor the other commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from hostile import on_terminal
from kyodo_rules.cli.main import COMMANDS, _command, build_parser
from kyodo_rules.rulebase.questions import TITLE, default_data
from kyodo_rules.wizard import launch
from kyodo_rules.wording import catalog


def test_the_first_screen_file_is_fresh() -> None:
    """Fails after an edit of the questions, the wizard's words or a profile:
    run `python scripts/build_first_screen.py` (the wizard would read the files)."""
    committed = launch.FILE.read_text("utf-8")
    assert committed == launch.build().to_json(launch.digest())


def test_the_first_screen_shows_the_shipped_words() -> None:
    screen = launch.load()
    assert screen.title["ja"] == default_data().question(TITLE).spec.text.get("ja")
    words = catalog.text("wizard", "session_at", "en", path="x")
    assert screen.t("session_at", "en", path="x") == words
    assert screen.profiles[0][0] == "generic"
    assert ("ogi", "小城市") in screen.profile_choices("ja")  # names only, never a code
    assert launch._words_dir() == catalog.words_dir()


def test_a_stale_first_screen_file_is_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = json.loads(launch.FILE.read_text("utf-8"))
    doc["title"] = {"ja": "古い題", "en": "old title"}
    fake = tmp_path / "first_screen.json"
    fake.write_text(json.dumps(doc), "utf-8")
    monkeypatch.setattr(launch, "FILE", fake)
    assert launch.load().title["en"] == "old title"  # the digest matches: the file is used
    doc["digest"] = "0" * 32  # a source file changed since the file was written
    fake.write_text(json.dumps(doc), "utf-8")
    assert launch.load().title == launch.build().title
    fake.write_text("{not json", "utf-8")
    assert launch.load() == launch.build()


def test_another_rules_dir_lists_its_own_profiles(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "town.yaml").write_text("id: town\nname: {ja: 町, en: Town}\n")
    (tmp_path / "profiles" / "notes.yaml").write_text("- not a profile\n")
    assert launch.load(tmp_path).profile_choices("en") == [("town", "Town")]


def test_only_the_named_command_is_built() -> None:
    assert _command(["wizard", "--profile", "ogi"]) == "wizard"
    assert _command(["--help"]) == "" and _command(["bogus"]) == ""
    parser = build_parser("check")
    assert parser.parse_args(["check"])._run.__module__ == "kyodo_rules.cli.commands.check"
    assert not hasattr(parser.parse_args(["classify"]), "_run")
    assert set(build_parser().parse_args(["rules"]).__dict__) >= {"_run"}
    assert len(COMMANDS) == 12


#: Run in a terminal (a pty) up to the first prompt, which records what is imported
#: by then and answers Ctrl-C (the interview then saves the session and exits 130).
#: The title records at the moment its prompt is drawn, in place of starting the
#: background loading (which would otherwise race the recording).
_PROBE = """
import sys
from kyodo_rules.wizard import launch

def stop(*_args, **_kw):
    with open(sys.argv[1], "w") as out:
        out.write("\\n".join(sorted(sys.modules)))
    raise KeyboardInterrupt

real_title = launch.ask_title
launch.ask_title = lambda screen, lang, on_screen=None: real_title(screen, lang, stop)
launch.ask = launch.line = stop
from kyodo_rules.cli.main import main
sys.exit(main(["wizard", *sys.argv[2:]]))
"""


@pytest.mark.parametrize("args", [["--profile", "generic"], []], ids=["title", "profile"])
def test_nothing_heavy_is_imported_before_the_first_prompt(tmp_path: Path, args: list[str]) -> None:
    seen = tmp_path / "modules.txt"
    session = tmp_path / "s.session.yaml"
    done = on_terminal(
        [sys.executable, "-c", _PROBE, str(seen), *args, "--session", str(session)],
        tmp_path,
        timeout=120,
    )
    assert done.returncode == 130, done.stderr
    modules = set(seen.read_text().split())
    # The title is a line of the terminal's own editor; the profile, a questionary list.
    assert ("questionary" in modules) is (not args)
    heavy = {"pydantic", "yaml", "durable", "kyodo_rules.decision", "kyodo_rules.wording"}
    others = {m for m, _ in COMMANDS.values()} - {"kyodo_rules.cli.commands.wizard"}
    assert not modules & (heavy | others)
    if args:  # Ctrl-C at the title: the profile from the command line is kept
        assert "profile: generic" in session.read_text()
