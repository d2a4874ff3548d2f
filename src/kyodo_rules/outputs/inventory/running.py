"""Running an inventory: rows read, answered, and written in their order, as they come.

Nothing of a run grows with its rows but counts: a row is read, answered, put
into words and written before the rows far behind it are read. A sheet of
more than `SMALL` rows is answered by a pool of worker processes (`jobs`,
default: one per core), `CHUNK` rows a task, with a bounded window of tasks in
flight, so that the reader never runs ahead of the writer and the answers
come back in the input's order. Each worker builds its own classifier once,
from the rules directory of the classifier that was given. Rows are answered
`CHUNK` at a time (`classify_many`, shared engine sessions), in a worker as in
this process, with the classifier's memos kept small while a sheet runs, and
put into the output's form where they are answered (`writing.Render`: a CSV
line, an xlsx row's XML), so that the writer, the one process every row goes
through, only writes them.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kyodo_rules.files.sheetguard import Limits
from kyodo_rules.model.errors import InputError
from kyodo_rules.outputs.inventory.answers import Answered, Layout, answer_rows, form_namer
from kyodo_rules.outputs.inventory.columns import map_columns
from kyodo_rules.outputs.inventory.mapfile import ListMap
from kyodo_rules.outputs.inventory.reading import RowError, SheetRow, open_table
from kyodo_rules.outputs.inventory.writing import (
    Render,
    Sheet,
    plan_outputs,
    renderer,
    write_answers,
)

if TYPE_CHECKING:
    from kyodo_rules.decision.classify import Classifier, EngineName
    from kyodo_rules.model.vocabulary import Lang

#: Rows a worker answers per task: large enough that sending them costs little.
CHUNK = 200
#: A sheet this short is answered in this process: starting workers would cost more.
SMALL = 1_000
#: Tasks in flight per worker: enough to keep every worker busy, few enough to stay small.
AHEAD = 3
#: Entries each memo of the classifier keeps while a sheet is answered. A sheet's
#: rows rarely repeat a memo's key (1-6% hits for the decisions, about 40% for the
#: rest, at 20,000 entries as at 1,000), so the default bound only costs memory
#: (130 MB a process) and collector time; this one keeps the few hot keys.
BATCH_MEMO = 2_048


@dataclass(frozen=True)
class Report:
    """What a run did: the files written, and the rows read and refused."""

    files: tuple[Path, ...]
    read: int
    bad: int
    #: The first row errors (all of them are in the output's 入力エラー column).
    errors: tuple[RowError, ...]
    error_count: int
    notes: tuple[str, ...]
    #: Projects answered (a row with an unread cell is answered with that fact unknown).
    answered: int = 0
    #: Rows that are not projects (totals, notes): written out, not answered.
    skipped: int = 0

    @property
    def refused(self) -> int:
        return self.read - self.answered


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def answer_file(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    summary: str | os.PathLike[str] | None = None,
    limits: Limits | None = None,
    classifier: Classifier | None = None,
    profile: str = "generic",
    lang: Lang = "ja",
    engine: EngineName = "durable",
    jobs: int = 1,
    progress: Callable[[int, int | None], None] | None = None,
    sheet: str | None = None,
    mapping: ListMap | None = None,
    guess: bool = True,
    report: str | os.PathLike[str] | None = None,
    shown_name: str | None = None,
) -> Report:
    """Answer every row of `source` into `output` (and, for CSV, its summary file).

    `sheet`: the sheet to read (else the one that holds the list); `mapping`:
    the `--map` file's columns and words; `guess`: presume facts from the
    projects' names and summaries; `report`: also write a printable HTML page;
    `shown_name`: the list's name as its owner knows it (an upload's), for the
    pages' headings.
    """
    from kyodo_rules.decision.classify import default_classifier

    target, side, replaces = plan_outputs(output, summary)
    printed = Path(report) if report is not None else None
    classifier = classifier or default_classifier()
    classifier.bound(profile)  # an unknown profile fails once, before any row
    mapping = mapping or ListMap()
    table = open_table(source, limits, sheet=sheet or mapping.sheet, header_row=mapping.header_row)
    columns = map_columns(
        table.headers, table.samples, given=dict(mapping.columns), words=mapping.words, guess=guess
    )
    layout = Layout.of(columns)
    namer = form_namer(classifier.rulebase.profiles, profile, lang)
    notes = (*table.notes, *_header_note(table, lang), *columns.notes)
    out = Sheet(
        table.headers,
        layout,
        lang,
        notes,
        namer,
        above=table.above,
        source=shown_name or Path(source).name,
    )
    render = renderer(target, out, printed)
    task = _Task(layout, profile, lang, engine, str(classifier.rulebase.root), render)
    rows: Iterable[Answered] = answered_rows(table.rows, task, classifier, jobs)
    if progress is not None:
        rows = _reported(rows, progress, table.expected)
    files = write_answers(target, side, replaces, out, rows, printed)
    tally = out.tally
    return Report(
        tuple(files),
        tally.read,
        tally.bad,
        tuple(tally.errors),
        tally.error_count,
        tuple(notes),
        tally.answered,
        tally.skipped,
    )


def map_of_file(
    source: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    sheet: str | None = None,
    mapping: ListMap | None = None,
) -> str:
    """A `--map` file to start from for this list: its columns as read, its unread words."""
    from kyodo_rules.outputs.inventory.mapfile import map_template

    mapping = mapping or ListMap()
    table = open_table(source, limits, sheet=sheet or mapping.sheet, header_row=mapping.header_row)
    try:
        columns = map_columns(
            table.headers, table.samples, given=dict(mapping.columns), words=mapping.words
        )
    except InputError:  # no column known: every column is left to fill in
        return map_template(
            table.headers, [None] * len(table.headers), {}, sheet=table.sheet,
            header_row=table.header_row,
        )  # fmt: skip
    unknown: dict[str, dict[str, None]] = {}
    for row in table.rows:
        if row.errors or row.kind != "data":
            continue
        for index, meaning in enumerate(columns.fields):
            if meaning is None or index >= len(row.cells):
                continue
            for word in columns.reader.unread(meaning, row.cells[index]):
                words = unknown.setdefault(meaning, {})
                if len(words) < MAP_WORDS:
                    words[word] = None
    return map_template(
        table.headers,
        [columns.fields[i] if i < len(columns.fields) else None for i in range(len(table.headers))],
        {m: list(w) for m, w in unknown.items()},
        sheet=table.sheet,
        header_row=table.header_row,
    )


#: Unread words a map template lists per meaning.
MAP_WORDS = 200


def _header_note(table: Any, lang: Lang) -> tuple[str, ...]:
    if table.header_row == 1:
        return ()
    from kyodo_rules.wording import catalog

    return (catalog.text("inventory_words", "read_header", lang, row=table.header_row),)


@dataclass(frozen=True)
class _Task:
    """Everything a worker needs besides the rows (sent once, when it starts)."""

    layout: Layout
    profile: str
    lang: Lang
    engine: EngineName
    rules_dir: str
    #: How the rows are put into the output's form where they are answered (None: by
    #: the writer, from their cells).
    render: Render | None = None

    def answer(self, classifier: Classifier, rows: list[SheetRow]) -> list[Answered]:
        answered = answer_rows(
            rows,
            self.layout,
            classifier,
            profile=self.profile,
            lang=self.lang,
            engine=self.engine,
        )
        return answered if self.render is None else self.render.rows(answered)


def answered_rows(
    rows: Iterator[SheetRow], task: _Task, classifier: Classifier, jobs: int
) -> Iterator[Answered]:
    """Each row's answer, in the input's order."""
    head = list(itertools.islice(rows, SMALL))
    if jobs <= 1 or len(head) < SMALL:
        with _small_memos(len(head) >= SMALL):
            for chunk in _chunks(itertools.chain(head, rows)):
                yield from task.answer(classifier, chunk)
        return
    yield from _pooled(itertools.chain(head, rows), task, jobs)


#: Long sheets being answered in this process now (the web server answers two at
#: once), and the memos' bound from before the first of them.
_long_sheets = 0
_memo_bound = 0
_memo_lock = threading.Lock()


@contextmanager
def _small_memos(lower: bool) -> Iterator[None]:
    """While a long sheet is answered here, memos are kept small; the bound is put back
    when the last one running ends (sheets may overlap, in a server's threads)."""
    global _long_sheets, _memo_bound
    from kyodo_rules.decision import policy

    if not lower:
        yield
        return
    with _memo_lock:
        if _long_sheets == 0:
            _memo_bound = policy.MEMO_SIZE
            policy.bound_memos(min(_memo_bound, BATCH_MEMO))
        _long_sheets += 1
    try:
        yield
    finally:
        with _memo_lock:
            _long_sheets -= 1
            if _long_sheets == 0:
                policy.bound_memos(_memo_bound)


def _chunks(rows: Iterator[SheetRow]) -> Iterator[list[SheetRow]]:
    while chunk := list(itertools.islice(rows, CHUNK)):
        yield chunk


def _start_method() -> str:
    """A fresh worker, never a fork of this process (which may hold threads and locks);
    forked from a server that has the rule engine loaded already, where there is one."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def _pooled(rows: Iterator[SheetRow], task: _Task, jobs: int) -> Iterator[Answered]:
    context = multiprocessing.get_context(_start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__, "kyodo_rules.outputs.inventory.warm"])
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(task,)
    )
    window: deque[Future[list[Answered]]] = deque()
    try:
        chunks = _chunks(rows)
        for chunk in itertools.islice(chunks, jobs * AHEAD):
            window.append(pool.submit(_answer_chunk, chunk))
        while window:
            answered = window.popleft().result()
            for chunk in itertools.islice(chunks, 1):
                window.append(pool.submit(_answer_chunk, chunk))
            yield from answered
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_worker: tuple[Any, _Task] | None = None


def _start_worker(task: _Task) -> None:
    """Build this worker's classifier; Ctrl-C is the parent's to handle, not each worker's."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from kyodo_rules.decision.classify import Classifier, default_classifier
    from kyodo_rules.files.shipped import data_path

    shipped = Path(task.rules_dir) == data_path("rules")
    classifier = default_classifier() if shipped else Classifier(rules_dir=task.rules_dir)
    classifier.bound(task.profile)
    _worker = (classifier, task)
    _settle_memory()


def _settle_memory() -> None:
    """Small memos, and the collector's attention on what a row makes, not on the rulebase.

    What exists now (the rulebase, the engines; in a worker forked from the
    server, its pages shared with the server) is frozen out of collection: the
    collector then neither walks it after every few thousand allocations nor
    writes into the shared pages (which would copy them into every worker).
    """
    from kyodo_rules.decision import policy

    policy.bound_memos(BATCH_MEMO)
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLD)


#: Allocations before a young collection, and the young collections before each older
#: one: a row allocates a few thousand short-lived objects, collected by reference count.
_GC_THRESHOLD = (20_000, 20, 20)


def _answer_chunk(chunk: list[SheetRow]) -> list[Answered]:
    assert _worker is not None, "worker not started"
    classifier, task = _worker
    return task.answer(classifier, chunk)


def _reported(
    rows: Iterable[Answered], progress: Callable[[int, int | None], None], expected: int | None
) -> Iterator[Answered]:
    done = 0
    for row in rows:
        done += 1
        progress(done, max(expected, done) if expected else None)
        yield row
    progress(done, done)
