"""Interviews on disk: one SQLite file (standard library, WAL mode) under `--data`.

An office server is restarted, loses power, or has two people answering at
once; an answer that was acknowledged with the next page must survive all of
that. Every answer is therefore written in its own transaction, with
`synchronous=FULL`, before the next page is sent. WAL lets readers (the list
of a browser's interviews) go on while a writer commits.

An interview is the terminal wizard's `State`, stored whole as JSON: the same
object the session file holds, so downloading it as a session file, or
resuming an uploaded one, is a conversion, never a second format.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kyodo_rules.wizard.flow import State

_SCHEMA = """
CREATE TABLE IF NOT EXISTS interviews (
    id TEXT PRIMARY KEY,
    browser TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS interviews_by_browser ON interviews (browser, updated);
"""

#: An interview id: 128 random bits, in the URL (the resume link).
ID_BYTES = 16


def new_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def state_to_json(state: State) -> str:
    return json.dumps(asdict(state), ensure_ascii=False)


def state_from_json(text: str) -> State:
    """Every field `State` has (the wizard's flow adds some, e.g. `details`)."""
    data: dict[str, Any] = json.loads(text)
    known = {f.name for f in fields(State)}
    return State(**{k: v for k, v in data.items() if k in known})


class Store:
    """The interviews of one server; safe to share between threads."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "interviews.sqlite3"
        # One connection writes (commits wait for the disk), one reads: with WAL a
        # reader never waits for a commit that is being synced.
        self._lock = threading.Lock()
        self._db = self._connect()
        self._db.execute("PRAGMA journal_mode=WAL")
        with self._lock:
            self._db.executescript(_SCHEMA)
        self._read_lock = threading.Lock()
        self._reader = self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=5000")
        return db

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._db.close()
            self._reader.close()

    def create(self, browser: str, state: State) -> str:
        interview = new_id()
        now = _now()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO interviews (id, browser, created, updated, state) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (interview, browser, now, now, state_to_json(state)),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return interview

    def get(self, interview: str) -> State | None:
        with self._read_lock:
            row = self._reader.execute(
                "SELECT state FROM interviews WHERE id = ?", (interview,)
            ).fetchone()
        return state_from_json(row[0]) if row else None

    def save(self, interview: str, state: State) -> None:
        """Commit the state before returning: the caller shows the next page only after this."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "UPDATE interviews SET state = ?, updated = ? WHERE id = ?",
                    (state_to_json(state), _now(), interview),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def of_browser(self, browser: str, limit: int = 50) -> list[tuple[str, str, State]]:
        """(id, last change, state) of one browser's interviews, newest first."""
        with self._read_lock:
            rows = self._reader.execute(
                "SELECT id, updated, state FROM interviews WHERE browser = ? "
                "ORDER BY updated DESC, rowid DESC LIMIT ?",
                (browser, limit),
            ).fetchall()
        return [(r[0], r[1], state_from_json(r[2])) for r in rows]
