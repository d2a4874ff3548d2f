#!/usr/bin/env python3
"""Quick start without any set-up: `python3 run.py wizard`, `serve` or `test`
(`python3 run.py` alone prints the usage, Japanese first: USAGE below).

Creates `.venv/` on first use (durable-rules builds from source, so the first
run takes a minute), installs kyodo-rules into it, then runs the wizard or the
whole test suite (as CI does; `-m "not slow"` for a quicker run); `serve` starts
the web interview and API (the `web` extra) and prints its address. Needs only
Python 3.11 or 3.12 and the package index;
if the `python3` at hand is another version, a python3.12/python3.11 on PATH
is used.
Any other arguments go to the command: `python3 run.py wizard --lang en`;
any other command of the CLI runs too: `python3 run.py classify case.yaml`,
`python3 run.py batch projects.xlsx -o answers.xlsx`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("KYODO_VENV", ROOT / ".venv"))
SUPPORTED = ((3, 11), (3, 12))


def _python() -> str:
    if sys.version_info[:2] in SUPPORTED:
        return sys.executable
    for name in ("python3.12", "python3.11"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit(
        f"kyodo-rules needs Python 3.11 or 3.12 (durable-rules does not import on "
        f"{sys.version_info.major}.{sys.version_info.minor}); install one and retry."
    )


def _venv_bin(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def _stamp() -> str:
    """Changes whenever the code or data that gets installed changes."""
    newest = (ROOT / "pyproject.toml").stat().st_mtime
    for tree in ("src", "rules", "wizard"):
        for path in (ROOT / tree).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                newest = max(newest, path.stat().st_mtime)
    return str(newest)


def _ensure(extra: str) -> None:
    marker = VENV / f".installed-{extra or 'base'}"
    stamp = _stamp()
    # An install with the test extras (which include the web extra) serves all.
    for done in {marker, VENV / ".installed-test"}:
        if done.exists() and done.read_text() == stamp and (done == marker or extra != "test"):
            return
    fresh = not _venv_bin("python").exists()
    if fresh:
        subprocess.run([_python(), "-m", "venv", str(VENV)], check=True)
    pip = [str(_venv_bin("python")), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    target = f"{ROOT}[{extra}]" if extra else str(ROOT)
    # --force-reinstall of the project only: a rebuilt wheel with the same version
    # would otherwise be skipped, and the tests would run against stale code.
    subprocess.run([*pip, target], check=True)
    subprocess.run([*pip, "--no-deps", "--force-reinstall", str(ROOT)], check=True)
    for old in VENV.glob(".installed-*"):
        old.unlink()
    marker.write_text(stamp)
    if fresh:
        _tell_path()


def _tell_path() -> None:
    """After the first install: how to type `kyodo-rules` itself (run.py keeps working)."""
    bin_dir = _venv_bin("kyodo-rules").parent
    how = (
        f"set PATH={bin_dir};%PATH%"
        if os.name == "nt"
        else f'export PATH="{bin_dir}:$PATH"   (or: . {VENV}/bin/activate)'
    )
    print(
        f"kyodo-rules: {bin_dir} にインストールしました。kyodo-rules と打って使うには / "
        f"installed; to type kyodo-rules directly:\n    {how}",
        file=sys.stderr,
    )


USAGE = """\
使い方: python3 run.py コマンド [引数 …]

  wizard   質問に答えて、協働かどうかを判定する（主な使い方）
  serve    同じ質問をブラウザで（庁内の1台で動かす。--host, --port, --data）
  test     すべてのテストを実行する（5 分以内。-m "not slow" で短く）

kyodo-rules のほかのコマンドも、そのまま動きます:
  python3 run.py classify case.yaml        事例ファイルを判定する
  python3 run.py batch 事業一覧.xlsx -o 結果.xlsx   事業一覧を一括点検する
  python3 run.py rules / cases / demo / explain / npo / check / documents
  python3 run.py COMMAND --help            各コマンドの説明

初回は .venv/ を作って依存関係を入れるため 1〜2 分かかります（Python 3.11 か 3.12）。

Usage: python3 run.py COMMAND [ARGS …]
  wizard   the interview in the terminal (the main job)
  serve    the same interview in a browser, and the HTTP API
  test     the whole test suite (under 5 minutes; -m "not slow" for less)
  Any other command of kyodo-rules runs too: classify, batch, rules, cases, demo,
  explain, npo, check, documents (COMMAND --help for each). The first run
  creates .venv/ and installs the dependencies (a minute or two).
"""


def _typed() -> str:
    """How the user ran this script, for the hints the wizard prints ("to continue: …"):
    the interpreter by the name it was called by and the script as given."""
    python = Path(sys.executable).stem if os.name == "nt" else Path(sys.executable).name
    script = sys.argv[0] or "run.py"
    if any(c.isspace() for c in script):
        script = f'"{script}"'
    return f"{python} {script}"


def _call(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
    """Run a command to its end. Ctrl-C reaches it too (one terminal, one process group);
    this script waits while it saves the answers and says how to go on, instead of
    killing it a quarter of a second later and printing a traceback of its own."""
    child = subprocess.Popen(argv, env=env, cwd=cwd)
    while True:
        try:
            code: int = child.wait()
            return code
        except KeyboardInterrupt:
            continue


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0 if len(sys.argv) >= 2 else 2
    command, rest = sys.argv[1], sys.argv[2:]
    if command not in ("wizard", "serve", "test"):
        # Any other command of the CLI: `python3 run.py classify case.yaml`. (`test` is
        # the test suite; the CLI's `kyodo-rules test FILE…` runs as `.venv/bin/kyodo-rules`.)
        _ensure("")
        return _call([str(_venv_bin("kyodo-rules")), command, *rest])
    if command == "wizard":
        _ensure("")
        # The wizard's hints ("to continue", the session file's header, the report)
        # name the command the user typed.
        env = {**os.environ, "KYODO_WIZARD_COMMAND": f"{_typed()} wizard"}
        return _call([str(_venv_bin("kyodo-rules")), "wizard", *rest], env=env)
    if command == "serve":
        _ensure("web")
        return _call([str(_venv_bin("kyodo-rules")), "serve", *rest])
    _ensure("test")
    # A fresh, non-editable install: the tests exercise the package as users get it.
    # Both cores by default (pytest-xdist); `-n 0` (or any -n) given by the user wins.
    workers = [] if any(a == "-n" or a.startswith("-n") for a in rest) else ["-n", "auto"]
    return _call([str(_venv_bin("python")), "-m", "pytest", *workers, *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
