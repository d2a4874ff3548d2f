"""`kyodo-rules documents FILE -o DIR`: the three items drafted from a case or a session.

FILE is a case file (facts, YAML/JSON) or a wizard session file: a session's
answers in force are those of its questions asked, its 「分からない」 become
blanks, and its profile and language are used unless `--profile`/`--lang` say
otherwise. The folder is checked (and made) before anything is classified; an
existing draft is replaced only with `--force`, and the input never.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kyodo_rules.cli import options
from kyodo_rules.model.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        help="事例ファイルまたはウィザードのセッションファイル (YAML/JSON, - で標準入力) / "
        "case or session file",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        required=True,
        help="3つの書類を書き出すフォルダ（なければ作る） / folder for the three files",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="同じ名前の書類があれば置き換える / replace drafts already in the folder",
    )
    options.rules_dir(parser)
    options.profile(parser, default=None, note="（省略時はセッションの自治体 / the session's)")
    options.lang(parser, default=None)


def answers_in_force(answers: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """A session's answers to the questions it asked (None: 分からない); a case file's facts."""
    if not meta:
        return answers
    return {f: answers[f] for f in meta.get("asked") or [] if f in answers}


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.model.vocabulary import parse_lang
    from kyodo_rules.outputs.documents import DOCUMENTS, file_name, prepare_folder
    from kyodo_rules.wizard import session

    name = "<stdin>" if args.file == "-" else args.file
    answers, meta = session.read(args.file)  # a bad file is one line naming it, before any work
    lang = parse_lang(args.lang or meta.get("lang") or "ja", f"{name}: lang")
    profile = args.profile or str(meta.get("profile") or "generic")
    classifier = options.classifier_for(args.rules_dir)
    classifier.rulebase.ruleset(profile)  # an unknown profile: one line, before the folder
    names = [file_name(code) for code in DOCUMENTS]
    prepare_folder(args.output, names, inputs=[args.file], replace=args.force, option="-o")
    given = answers_in_force(answers, meta)
    facts = {f: v for f, v in given.items() if f != "title" and v is not None}
    try:
        result = classifier.classify(facts, profile=profile, lang=lang)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    from kyodo_rules.outputs.documents import document_files, write_documents

    files = document_files(result, given, classifier=classifier, lang=lang)
    written = write_documents(
        files, args.output, inputs=[args.file], replace=args.force, option="-o"
    )
    for path in written:
        print(f"保存しました / saved: {path}")
    sys.stdout.flush()
    return 0
