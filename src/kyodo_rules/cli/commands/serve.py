"""`kyodo-rules serve`: the interview in a browser and the JSON API, for one office.

Binds to 127.0.0.1 unless told otherwise: putting it on the office network is
a decision (`--host 0.0.0.0`), not a default. Needs the `web` extra.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kyodo_rules.cli.options import shown
from kyodo_rules.model.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="待ち受けるアドレス / address to bind (127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="ポート / port (8000)")
    parser.add_argument(
        "--data",
        default="kyodo-data",
        metavar="DIR",
        help="回答を保存するディレクトリ / where interviews are stored (./kyodo-data)",
    )
    parser.add_argument(
        "--engine",
        choices=["durable", "python"],
        default="durable",
        help="ルールエンジン（python は速く、結果は同じ） / rule engine; python is faster",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="プロセス数（CPU の数まで） / worker processes (up to the number of CPUs)",
    )
    parser.add_argument(
        "--token",
        default=None,
        help="API と画面に必要なトークン / a token the API and the pages then require",
    )


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port}: not a port; allowed: 1-65535")
    try:
        import uvicorn

        from kyodo_rules.web.app import create_app
        from kyodo_rules.web.server import HttpProtocol, log_to_stderr
    except ModuleNotFoundError as exc:
        raise InputError(
            f"serve: {exc.name} is not installed; install the web extra: "
            "pip install 'kyodo-rules[web]' (or run python3 run.py serve)"
        ) from None
    if not 1 <= args.workers <= 64:
        raise InputError(f"--workers {args.workers}: allowed: 1-64")
    # Checked (and the CSRF key made) once, here: workers must share one key.
    create_app(args.data, token=args.token, engine=args.engine)
    host = f"[{args.host}]" if ":" in args.host else args.host
    address = f"http://{host}:{args.port}/"
    if args.token:
        # Percent-encoded as UTF-8: a token with `&`, `+`, a space or 合言葉 works from the link.
        address += f"?token={quote(args.token.encode('utf-8', 'surrogateescape'), safe='')}"
    common: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": "warning",
        "access_log": False,
        "server_header": False,
        "lifespan": "off",
        "http": HttpProtocol,
    }
    data = shown(args.data)
    print(f"kyodo-rules: {address}  (data: {data}; Ctrl-C で終了 / to stop)", file=sys.stderr)
    sys.stderr.flush()
    if args.workers == 1:
        log_to_stderr()
        uvicorn.Server(
            uvicorn.Config(create_app(args.data, token=args.token, engine=args.engine), **common)
        ).run()
        return 0
    # Several processes: each builds its own application from these settings.
    os.environ["KYODO_WEB_DATA"] = str(Path(args.data).resolve())
    os.environ["KYODO_WEB_ENGINE"] = args.engine
    if args.token:
        os.environ["KYODO_WEB_TOKEN"] = args.token
    uvicorn.run(
        "kyodo_rules.web.app:app_from_environment", factory=True, workers=args.workers, **common
    )
    return 0
