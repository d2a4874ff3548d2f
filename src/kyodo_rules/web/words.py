"""The web pages' own words (Japanese first). The interview's words are the wizard's.

Questions, choices, help texts and the buttons the terminal also has
(分からない, 戻る, なぜこの質問？) come from `wizard/*.yaml` so that both ways in
say the same thing; only what exists in a browser alone is worded here.
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "app": ("協働チェック", "Collaboration check"),
    "tagline": (
        "計画中の事業が「協働」かどうかを、自治体の手引きを根拠に判定します。",
        "Is a planned project real 協働? Every answer cites the municipal guidance.",
    ),
    "start": ("判定を始める", "Start"),
    "title_optional": ("事業の名前（省略可）", "Project name (optional)"),
    "mine": ("このブラウザで始めた判定", "Interviews started in this browser"),
    "mine_none": ("まだありません。", "None yet."),
    "untitled": ("（事業名なし）", "(no project name)"),
    "updated": ("最終更新", "last change"),
    "resume_file": ("ターミナルのセッションファイルから再開", "Resume a terminal session file"),
    "upload": ("読み込んで再開", "Upload and resume"),
    "next": ("次へ", "Next"),
    "summary": ("回答の確認", "Your answers"),
    "change": ("変更", "change"),
    "presumed": (
        "まだ決まらず、当てはまらないと仮定しているルール",
        "Rules still open, presumed not to apply",
    ),
    "resume_link": (
        "再開用リンク（ブックマークやメールで保存できます）",
        "Resume link (bookmark it or mail it)",
    ),
    "download_session": (
        "セッションファイルをダウンロード（ターミナルで再開）",
        "Download the session file (resume in a terminal)",
    ),
    "print_hint": (
        "ブラウザの印刷（A4）で起案に添付できます。",
        "Print it from the browser (A4) to attach it to a request for approval.",
    ),
    "all_answered": (
        "判定を変えうる質問にはすべて答えました。",
        "Every question that could change the answer is answered.",
    ),
    "choose": ("選んでください。", "Please choose."),
    "inventory": ("事業一覧の一括点検", "Project inventory"),
    "inventory_help": (
        "事業一覧（Excel .xlsx または CSV）を読み込むと、各行に判定を書き加えた表をダウンロード"
        "できます。1行目は列名、1行に1事業です。",
        "Upload the inventory (Excel .xlsx or CSV, one project a row, column names in row 1) "
        "and download it back with an answer on every row.",
    ),
    "inventory_file": ("事業一覧ファイル", "Inventory file"),
    "inventory_go": ("判定してダウンロード", "Answer and download"),
    "template": ("入力用シート（選択肢つき）をダウンロード", "Download the input sheet"),
    "rules": ("ルール一覧", "Rules"),
    "rules_help": (
        "判定に使うすべてのルールと、その根拠となる手引きの一文です。",
        "Every rule the answer can rest on, with the sentence of the guidance it encodes.",
    ),
    "rule_source": ("出典", "Source"),
    "rule_quote": ("手引きの一文", "The guidance says"),
    "rule_condition": ("当てはまる条件", "Applies when"),
    "rule_conclusion": ("結論", "Concludes"),
    "rule_overrides": ("例外として退けるルール", "Sets aside"),
    "rule_overridden_by": ("このルールを退ける例外", "Set aside by"),
    "rule_cases": ("このルールを使う事例", "Library cases that use it"),
    "rule_profile": ("プロファイル", "Profile"),
    "see_also": ("同旨", "See also"),
    "none": ("なし", "none"),
    "api": ("API（OpenAPI）", "API (OpenAPI)"),
    "home": ("トップ", "Home"),
    "error": ("エラー", "Error"),
    "not_found": ("ページが見つかりません。", "No such page."),
    "csrf": (
        "フォームの有効期限が切れました。ページを再読み込みしてやり直してください。",
        "This form has expired. Reload the page and try again.",
    ),
    "too_large": ("送信されたデータが大きすぎます", "The request is too large"),
    "token": ("アクセスにはトークンが必要です。", "A token is required."),
    "back_home": ("トップに戻る", "Back to the start"),
}


def word(key: str, lang: str) -> str:
    ja, en = WORDS[key]
    return en if lang == "en" else ja
