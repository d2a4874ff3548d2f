"""Interviews on disk: one SQLite file (standard library, WAL mode) under `--data`.

An office server is restarted, loses power, or has two people answering at
once; an answer that was acknowledged with the next page must survive all of
that. Every answer is therefore written in its own transaction, with
`synchronous=FULL`, before the next page is sent. WAL lets readers (the list
of a browser's interviews) go on while a writer commits.

An interview is the terminal wizard's `State`, stored whole as JSON: the same
object the session file holds, so downloading it as a session file, or
resuming an uploaded one, is a conversion, never a second format.

Two people (or two tabs) may change one interview at once: the resume link is
meant to be mailed. So a write is a compare-and-set on the row's `version`
(`commit` says whether it won), and the row keeps, for every answer, the
version that last changed it (`stamps`): the page that was filled in at version
v conflicts with another writer only if an answer it changes was changed
after v. No write ever replaces a state it did not read.

A storage failure (a full disk, a read-only or failing one) is a `StorageError`
naming its cause; the transaction is rolled back without letting a failed
rollback hide that cause.
"""

from __future__ import annotations

import errno
import json
import secrets
import sqlite3
import threading
from contextlib import suppress
from dataclasses import asdict, dataclass, fields
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
    state TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    stamps TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS interviews_by_browser ON interviews (browser, updated);
"""
#: Columns added since the first release, for a database made by it.
_ADDED = (
    ("version", "INTEGER NOT NULL DEFAULT 0"),
    ("stamps", "TEXT NOT NULL DEFAULT '{}'"),
)

#: An interview id: 128 random bits, in the URL (the resume link).
ID_BYTES = 16

_MISSING = object()


def new_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def state_to_json(state: State) -> str:
    return json.dumps(asdict(state), ensure_ascii=False, allow_nan=False)


def state_from_json(text: str) -> State:
    """Every field `State` has (the wizard's flow adds some, e.g. `details`)."""
    data: dict[str, Any] = json.loads(text)
    known = {f.name for f in fields(State)}
    return State(**{k: v for k, v in data.items() if k in known})


class StorageError(Exception):
    """The interviews' database could not be written or read: nothing was saved.

    `full` is a full disk (or quota, or SQLite's own size limit): 507; anything
    else (read-only, failing, locked for too long) is 503.
    """

    def __init__(self, cause: str, path: Path, full: bool) -> None:
        super().__init__(f"{cause} ({path})")
        self.cause = cause
        self.path = path
        self.full = full


_FULL_CODES = {"SQLITE_FULL"}
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


def storage_error(exc: sqlite3.Error | OSError, path: Path) -> StorageError:
    """The `StorageError` an error of SQLite or of the file system stands for."""
    if isinstance(exc, sqlite3.Error):
        name = str(getattr(exc, "sqlite_errorname", "") or "")
        text = str(exc) or name or type(exc).__name__
        return StorageError(text, path, name in _FULL_CODES or "disk is full" in text)
    where = Path(exc.filename) if isinstance(exc.filename, str) else path
    return StorageError(exc.strerror or str(exc), where, exc.errno in _FULL_ERRNOS)


@dataclass(frozen=True)
class Stored:
    """One interview as read: its state, the row's version, and when each answer changed."""

    state: State
    version: int
    #: field -> the version that last changed its answer
    stamps: dict[str, int]
    #: The answers as read, apart from `state` (which its reader may change in place).
    answers: dict[str, Any]

    def changed_since(self, version: int, field: str) -> bool:
        """Was this answer changed by a write after `version` (the page's)?"""
        return self.stamps.get(field, 0) > version


def _changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    names = set(before) | set(after)
    return {n for n in names if before.get(n, _MISSING) != after.get(n, _MISSING)}


class Store:
    """The interviews of one server; safe to share between threads (and processes)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "interviews.sqlite3"
        # One connection writes (commits wait for the disk), one reads: with WAL a
        # reader never waits for a commit that is being synced.
        self._lock = threading.Lock()
        self._db = self._connect()
        self._db.execute("PRAGMA journal_mode=WAL")
        with self._lock:
            self._db.executescript(_SCHEMA)
            present = {row[1] for row in self._db.execute("PRAGMA table_info(interviews)")}
            for name, kind in _ADDED:
                if name not in present:
                    self._db.execute(f"ALTER TABLE interviews ADD COLUMN {name} {kind}")
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

    def _write(self, sql: str, values: tuple[Any, ...]) -> int:
        """One statement in its own transaction, committed (synced) before returning;
        the rows it changed. A failure is a `StorageError` with its own cause."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    count = self._db.execute(sql, values).rowcount
                    self._db.execute("COMMIT")
                except BaseException:
                    # SQLite may have rolled back already (a failed COMMIT on a full disk):
                    # the error of this ROLLBACK must not replace the one that matters.
                    with suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as exc:
                raise storage_error(exc, self.path) from exc
        return int(count)

    def create(self, browser: str, state: State) -> str:
        interview = new_id()
        now = _now()
        self._write(
            "INSERT INTO interviews (id, browser, created, updated, state) VALUES (?, ?, ?, ?, ?)",
            (interview, browser, now, now, state_to_json(state)),
        )
        return interview

    def _read(self, sql: str, values: tuple[Any, ...]) -> list[Any]:
        with self._read_lock:
            try:
                return self._reader.execute(sql, values).fetchall()
            except sqlite3.Error as exc:
                raise storage_error(exc, self.path) from exc

    def load(self, interview: str) -> Stored | None:
        rows = self._read(
            "SELECT state, version, stamps FROM interviews WHERE id = ?", (interview,)
        )
        if not rows:
            return None
        text, version, stamps = rows[0]
        state = state_from_json(text)
        read = state_from_json(text).answers
        return Stored(state, int(version), dict(json.loads(stamps)), read)

    def get(self, interview: str) -> State | None:
        stored = self.load(interview)
        return stored.state if stored is not None else None

    def commit(self, interview: str, base: Stored, state: State) -> int | None:
        """Write `state` if the interview is still at `base.version`; the new version,
        or None when another writer came first (read it again and decide again).

        Every answer that differs from the answers read is stamped with the new version.
        """
        version = base.version + 1
        stamps = dict(base.stamps)
        for name in _changed(base.answers, state.answers):
            stamps[name] = version
        count = self._write(
            "UPDATE interviews SET state = ?, updated = ?, version = ?, stamps = ? "
            "WHERE id = ? AND version = ?",
            (
                state_to_json(state),
                _now(),
                version,
                json.dumps(stamps, sort_keys=True),
                interview,
                base.version,
            ),
        )
        return version if count == 1 else None

    def has_browser(self, browser: str) -> bool:
        """Does this browser id own an interview (one stored before ids were signed)?"""
        return bool(self._read("SELECT 1 FROM interviews WHERE browser = ? LIMIT 1", (browser,)))

    def of_browser(self, browser: str, limit: int = 50) -> list[tuple[str, str, State]]:
        """(id, last change, state) of one browser's interviews, newest first."""
        rows = self._read(
            "SELECT id, updated, state FROM interviews WHERE browser = ? "
            "ORDER BY updated DESC, rowid DESC LIMIT ?",
            (browser, limit),
        )
        return [(r[0], r[1], state_from_json(r[2])) for r in rows]
