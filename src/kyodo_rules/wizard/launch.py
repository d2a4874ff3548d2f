"""The wizard's first screen, drawn before anything heavy is imported.

Launch to the first question must stay within half a second on a loaded
2-core machine, and pydantic, the YAML loader, the wording catalog and the
rule engine together take several times that. What the first screen shows
(the welcome lines, the profile choice, the title question and their hints)
is therefore kept in `first_screen.json`, made from the shipped files by
`build()`, with a digest of those files: an edited install (a trainer
rewording a question, a new profile) no longer matches it and the screen is
made from the files themselves, so it is never stale, only slower.
`tests/test_wizard_launch.py` fails when the committed file is out of date
(`python scripts/build_first_screen.py` writes it again).

Only the standard library and the shipped-data locator are imported here
(questionary too, for the profile choice); the caller starts loading the rest
once a prompt is on screen (`on_screen`), so the loading never delays the
first drawing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kyodo_rules.files.shipped import data_path
from kyodo_rules.model.vocabulary import LANGS, Lang

FILE = Path(__file__).with_name("first_screen.json")
#: The wording catalog's `wizard` texts the first screen uses.
WORDS = ("welcome", "welcome_hint", "session_at", "profile_question", "select_hint", "text_hint")

Texts = dict[str, str]


@dataclass(frozen=True)
class FirstScreen:
    """The texts of the screen before the rulebase is loaded, in every language."""

    words: dict[str, Texts]
    #: The title question's text (`wizard/questions.yaml`, field `title`).
    title: Texts
    #: (profile id, its label in each language), the generic profile first.
    profiles: tuple[tuple[str, Texts], ...]

    def t(self, key: str, lang: Lang, /, **values: object) -> str:
        shown = self.words[key][lang]
        return shown.format(**values) if values else shown

    def profile_choices(self, lang: Lang) -> list[tuple[str, str]]:
        return [(pid, labels[lang]) for pid, labels in self.profiles]

    def to_json(self, digest: str) -> str:
        doc = {
            "digest": digest,
            "words": self.words,
            "title": self.title,
            "profiles": [[pid, labels] for pid, labels in self.profiles],
        }
        return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, doc: Any) -> FirstScreen:
        """KeyError/TypeError/ValueError on a document of another shape."""
        words = {key: _texts(doc["words"][key]) for key in WORDS}
        profiles = tuple((str(pid), _texts(labels)) for pid, labels in doc["profiles"])
        if not profiles:
            raise ValueError("no profiles")
        return cls(words, _texts(doc["title"]), profiles)


def _texts(value: Any) -> Texts:
    out: Texts = {lang: value[lang] for lang in LANGS}
    if not all(isinstance(text, str) and text for text in out.values()):
        raise ValueError("a text is missing")
    return out


def _words_dir() -> Path:
    """The wording catalog's files (`wording.catalog.words_dir()`, without importing it)."""
    return Path(__file__).resolve().parents[1] / "wording" / "words"


def sources() -> list[tuple[str, Path]]:
    """Every shipped file the first screen is made from, under a stable name."""
    profiles = data_path("rules") / "profiles"
    out = [("wizard/questions.yaml", data_path("wizard") / "questions.yaml")]
    out += [(f"wording/words/{p.name}", p) for p in sorted(_words_dir().glob("*.yaml"))]
    out += [(f"rules/profiles/{p.name}", p) for p in sorted(profiles.glob("*.yaml"))]
    return out


def digest() -> str:
    """Of the source files' names and bytes: a few milliseconds, far less than parsing them.

    Line ends are counted as one (a checkout with CRLF line ends has the same texts)."""
    h = hashlib.blake2b(digest_size=16)
    for name, path in sources():
        for part in (name.encode(), path.read_bytes().replace(b"\r\n", b"\n")):
            h.update(len(part).to_bytes(8, "big"))
            h.update(part)
    return h.hexdigest()


def profile_labels(rules_dir: Path) -> tuple[tuple[str, Texts], ...]:
    """Profile ids and labels read from the profile files (slow: the full YAML reader)."""
    from kyodo_rules.files.yaml import load_file

    out: list[tuple[str, Texts]] = []
    for path in sorted((rules_dir / "profiles").glob("*.yaml")):
        doc = load_file(path, path.name)
        if not isinstance(doc, dict) or "id" not in doc:
            continue
        pid = str(doc["id"])
        name = doc.get("name") or {}
        labels: Texts = {}
        for lang in LANGS:
            label = str(name.get(lang) or pid) if isinstance(name, dict) else pid
            labels[lang] = label  # the city as people know it, never its code
        out.append((pid, labels))
    out.sort(key=lambda p: p[0] != "generic")
    return tuple(out)


def build() -> FirstScreen:
    """The first screen made from the shipped files through their own (checking) loaders."""
    from kyodo_rules.rulebase.questions import TITLE, load
    from kyodo_rules.wording import catalog

    wizard = catalog.section("wizard")
    words: dict[str, Texts] = {k: {lang: wizard[k].get(lang) for lang in LANGS} for k in WORDS}
    title = load().question(TITLE).spec.text
    return FirstScreen(
        words, {lang: title.get(lang) for lang in LANGS}, profile_labels(data_path("rules"))
    )


def load(rules_dir: str | Path | None = None) -> FirstScreen:
    """The first screen: from `first_screen.json` while it matches the shipped files."""
    screen: FirstScreen | None = None
    try:
        doc = json.loads(FILE.read_text("utf-8"))
        if doc.get("digest") == digest():
            screen = FirstScreen.from_json(doc)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        screen = None
    if screen is None:
        screen = build()
    if rules_dir is not None and Path(rules_dir).resolve() != data_path("rules").resolve():
        screen = replace(screen, profiles=profile_labels(Path(rules_dir)))
    return screen


# -- the prompts (the interview's `ui.Wizard` puts them the same way) ----------------


def number(n: int) -> str:
    """How a question is numbered on screen: 「[1] 」."""
    return f"[{n}] "


def ask(question: Any, on_screen: Callable[[], None] | None = None) -> Any:
    """Put a questionary question; `on_screen` runs once it has been drawn (each drawing)."""
    if on_screen is not None:
        question.application.after_render += lambda _app: on_screen()
    return question.unsafe_ask()


def profile_question(message: str, hint: str, profiles: list[tuple[str, str]], **kw: Any) -> Any:
    import questionary

    choices = [questionary.Choice(title=label, value=pid) for pid, label in profiles]
    return questionary.select(message, choices=choices, instruction=hint, **kw)


def text_question(message: str, hint: str, default: str = "", **kw: Any) -> Any:
    import questionary

    return questionary.text(message, default=default, instruction=hint, **kw)


def ask_profile(
    screen: FirstScreen, lang: Lang, on_screen: Callable[[], None] | None = None, **kw: Any
) -> str:
    question = profile_question(
        screen.t("profile_question", lang),
        screen.t("select_hint", lang),
        screen.profile_choices(lang),
        **kw,
    )
    return str(ask(question, on_screen))


def line(prompt: str) -> str:
    """One line from the terminal's own line editor (readline where there is one)."""
    return input(prompt)


def ask_title(
    screen: FirstScreen, lang: Lang, on_screen: Callable[[], None] | None = None
) -> str | None:
    """The title as the first question of a new interview; None when left empty.

    A free-text answer needs no prompt library: the terminal's line editor
    (readline: arrows, backspace over wide characters, Ctrl-C, Ctrl-D) takes it,
    so the question is live as soon as the interpreter is, and every key is
    echoed by the terminal itself while the rest loads (`on_screen` starts that
    loading once the prompt is being drawn: `input` draws it without holding the
    interpreter). Once answered, the line reads as questionary leaves its own.
    """
    import contextlib

    with contextlib.suppress(ImportError):  # no readline (Windows): plain input()
        import readline  # noqa: F401  (line editing for input(); a few milliseconds)
    message = number(1) + screen.title[lang]
    prompt = f"? {message}  {screen.t('text_hint', lang)} "
    if on_screen is not None:
        on_screen()
    text = line(prompt).strip()
    _answered(prompt, text, f"? {message} {text}")
    return text or None


def _answered(prompt: str, typed: str, shown: str) -> None:
    """Redraw the answered question as questionary does (when it took one line)."""
    import shutil
    import sys
    import unicodedata

    if not sys.stdout.isatty():
        return

    def columns(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    width = shutil.get_terminal_size().columns
    if columns(prompt + typed) < width and columns(shown) < width:
        sys.stdout.write(f"\x1b[1A\r\x1b[2K{shown}\n")
        sys.stdout.flush()
