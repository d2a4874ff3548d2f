"""The project inventory: a sheet of projects in, the same sheet with answers out.

日南市's ステップ1 asks every department to look at all its projects again from
a 協働 viewpoint. Departments keep those lists in Excel, typed by hand; a cell
that cannot be read spoils only its own row, reported by its spreadsheet row
number (as Excel shows it, the header being row 1), and every other row is
still answered, because one typo must not cost a department its whole inventory.

One module per job: `reading` (CSV and xlsx, row by row), `locating` (where the
list is: the sheet, the header among the first rows, totals and notes),
`headers` (what a column name means), `cells` (one cell as facts, with the
office lexicon and the `--map` file's words), `guesses` (facts presumed from a
project's name and summary), `columns` (the columns of a list and one row's
facts), `mapfile` (the `--map` file), `answers` (one row answered, in words;
the summary's counts), `writing` (the answered file, atomic and inert, ready
for A4; the template), `printout` (the printable HTML page) and `running`
(the whole run, streamed, on a pool of processes for a large sheet).
No printing and no exit codes here; `cli/commands/batch.py` is the thin shell.
"""

from kyodo_rules.outputs.inventory.answers import (
    Answered,
    Counted,
    RowOutcome,
    Tally,
    result_cells,
    result_headers,
    summary_headers,
)
from kyodo_rules.outputs.inventory.columns import (
    _SPLIT,
    INPUT_FIELDS,
    RESULT_COLUMNS,
    Columns,
    _CellError,
    map_columns,
    parse_cell,
    parse_row,
    read_row,
)
from kyodo_rules.outputs.inventory.mapfile import ListMap, load_map, write_map_template
from kyodo_rules.outputs.inventory.reading import (
    MAX_CELL_CHARS,
    SHEET_NAMES,
    SUFFIXES,
    Cell,
    RowError,
    SheetRow,
    Table,
    open_table,
    table_format,
)
from kyodo_rules.outputs.inventory.running import Report, answer_file, default_jobs, map_of_file
from kyodo_rules.outputs.inventory.writing import (
    csv_cell,
    plan_outputs,
    summary_path,
    write_template,
    xlsx_value,
)

__all__ = [
    "INPUT_FIELDS",
    "MAX_CELL_CHARS",
    "RESULT_COLUMNS",
    "SHEET_NAMES",
    "SUFFIXES",
    "_SPLIT",
    "Answered",
    "Cell",
    "Columns",
    "Counted",
    "ListMap",
    "Report",
    "RowError",
    "RowOutcome",
    "SheetRow",
    "Table",
    "Tally",
    "_CellError",
    "answer_file",
    "csv_cell",
    "default_jobs",
    "load_map",
    "map_columns",
    "map_of_file",
    "open_table",
    "parse_cell",
    "parse_row",
    "plan_outputs",
    "read_row",
    "result_cells",
    "result_headers",
    "summary_headers",
    "summary_path",
    "table_format",
    "write_map_template",
    "write_template",
    "xlsx_value",
]
