"""CSV and XLSX writers: tables of typed cells streamed to a binary file, rows never held.

A writer gets `start_table` (a name, headers and each column's kind), then `write_rows` as many
times as there are batches (or batches through its `batch_writer`), and `close`. Memory stays
flat however many rows pass through.
"""

import codecs
import csv
import io
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, BinaryIO, Protocol

import xlsxwriter

from models.customers.columns import ColumnKind
from models.exports import xlsx

XLSX_MAX_ROWS = 1_048_575  # a sheet's 1,048,576 rows less the header
CONTENT_TYPES = {
    "CSV": "text/csv; charset=utf-8",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"CSV": "csv", "XLSX": "xlsx"}
# A spreadsheet program runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Writes a batch of rows, as the writer's `batch_writer` made it for a table.
BatchWriter = Callable[[Sequence[Any]], None]


class TableWriter(Protocol):
    def start_table(self, name: str, headers: Sequence[str],
                    kinds: Sequence[ColumnKind]) -> None: ...
    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None: ...
    def batch_writer(self, sources: Sequence[str], kinds: Sequence[ColumnKind],
                     namespace: dict[str, Any], *,
                     prepared: Collection[int] = ()) -> BatchWriter: ...
    def close(self) -> None: ...


def open_writer(file_format: str, file: BinaryIO, *, titled_tables: bool = False,
                xlsx_max_rows: int = XLSX_MAX_ROWS) -> TableWriter:
    if file_format == "CSV":
        return CsvWriter(file, titled_tables=titled_tables)
    if file_format == "XLSX":
        return XlsxWriter(file, max_rows=xlsx_max_rows)
    raise ValueError(f"unknown export format {file_format!r}")


def neutralised(text: str) -> str:
    """Text that a spreadsheet shows as text rather than running as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_FORMULA_SET = frozenset(FORMULA_STARTS)

# What the csv module is given for a cell of each kind, as an expression around the cell's
# value `{v}`. None stays None (an empty field); integers, amounts and dates go as they are, and
# the csv module turns them into text itself, in C.
CSV_CELLS = {
    ColumnKind.TEXT: "None if (v := {v}) is None else (\"'\" + v if v[:1] in _F else v) "
                     "if v.__class__ is str else _other_text(v)",
    ColumnKind.INTEGER: "{v}",
    ColumnKind.MONEY: "{v}",
    ColumnKind.DATE: "{v}",
    ColumnKind.DATETIME: "None if (v := {v}) is None else v.isoformat(' ', 'seconds')[:19]",
    ColumnKind.BOOLEAN: "None if (v := {v}) is None else ('TRUE' if v else 'FALSE')",
}
# What a database may give ready for a writer (`prepared` cells): for a CSV, a timestamp as the
# text CSV_CELLS makes of it; for an XLSX, a timestamp as Excel's serial number
# (models/exports/xlsx.py).
PREPARED = {"CSV": {ColumnKind.DATETIME: "text"}, "XLSX": {ColumnKind.DATETIME: "serial"}}


def _other_text(value: Any) -> str | None:
    return None if value is None else neutralised(str(value))


RowsFunction = Callable[[Iterable[Any]], list[tuple[Any, ...]]]


def csv_rows_function(sources: Sequence[str], kinds: Sequence[ColumnKind],
                      namespace: dict[str, Any], prepared: Collection[int] = ()) -> RowsFunction:
    """A function from a batch of rows `r` to the rows the csv module writes, each cell being
    its `sources` expression (over `r`, with `namespace`) inside its kind's `CSV_CELLS`, or as
    it is if `prepared` holds its index.

    Generated once per table, with every cell written out: a million rows of forty columns are
    forty million cells, and a loop that looked up each cell's reader and formatter took longer
    than PostgreSQL's whole COPY of the same rows (bench/README.md).
    """
    _check_prepared("CSV", kinds, prepared)
    cells = "".join(("{v}" if i in prepared else CSV_CELLS[kind]).format(v=source) + ", "
                    for i, (source, kind) in enumerate(zip(sources, kinds, strict=True)))
    code = f"def rows_function(rows):\n    return [({cells}) for r in rows]\n"
    scope = {"_F": _FORMULA_SET, "_other_text": _other_text, **namespace}
    exec(compile(code, "<export rows>", "exec"), scope)
    function: RowsFunction = scope["rows_function"]
    return function


def _check_prepared(file_format: str, kinds: Sequence[ColumnKind],
                    prepared: Collection[int]) -> None:
    refused = [kinds[i] for i in prepared if kinds[i] not in PREPARED[file_format]]
    if refused:
        raise ValueError(f"a {file_format} writer takes no prepared {refused[0].name} cell")


def _by_position(count: int) -> list[str]:
    return [f"r[{i}]" for i in range(count)]


class CsvWriter:
    """UTF-8 with a byte order mark (so spreadsheet programs read accents right), RFC 4180
    quoting, CRLF line ends. Several tables (a history) follow each other, a blank line apart,
    each under its name when `titled_tables`."""

    def __init__(self, file: BinaryIO, *, titled_tables: bool = False) -> None:
        file.write(codecs.BOM_UTF8)
        self._text = io.TextIOWrapper(file, encoding="utf-8", newline="", write_through=False)
        self._csv = csv.writer(self._text, dialect="excel", lineterminator="\r\n")
        self._titled = titled_tables
        self._tables = 0
        self._kinds: Sequence[ColumnKind] = ()
        self._format = csv_rows_function((), (), {})

    def start_table(self, name: str, headers: Sequence[str],
                    kinds: Sequence[ColumnKind]) -> None:
        if self._tables:
            self._csv.writerow([])
        if self._titled:
            self._csv.writerow([neutralised(name)])
        self._csv.writerow([neutralised(h) for h in headers])
        self._kinds = kinds
        self._format = csv_rows_function(_by_position(len(kinds)), kinds, {})
        self._tables += 1

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        self._csv.writerows(self._format(rows))

    def batch_writer(self, sources: Sequence[str], kinds: Sequence[ColumnKind],
                     namespace: dict[str, Any], *,
                     prepared: Collection[int] = ()) -> BatchWriter:
        """A writer of batches of rows `r` whose cells are `sources` (see `csv_rows_function`)
        for the table just started."""
        rows_function = csv_rows_function(sources, kinds, namespace, prepared)
        writerows = self._csv.writerows
        return lambda batch: writerows(rows_function(batch))

    def close(self) -> None:
        self._text.flush()
        self._text.detach()  # the caller owns the file


class XlsxWriter:
    """xlsxwriter in constant-memory mode, the rows made by models/exports/xlsx.py. Numbers,
    dates and booleans keep their types; money shows two decimals; every sheet has a frozen
    header row and an autofilter, and a table longer than `max_rows` goes on in a new sheet
    under the same header."""

    def __init__(self, file: BinaryIO, *, max_rows: int = XLSX_MAX_ROWS) -> None:
        self._book = xlsxwriter.Workbook(file, {
            "constant_memory": True, "remove_timezone": True, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False})
        self._max_rows = max_rows
        self._header_format = self._book.add_format({"bold": True})
        formats = {
            ColumnKind.MONEY: self._book.add_format({"num_format": "#,##0.00"}),
            ColumnKind.DATETIME: self._book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            ColumnKind.DATE: self._book.add_format({"num_format": "yyyy-mm-dd"}),
        }
        self._formats = list(formats.values())
        self._styles = {kind: f._get_xf_index() for kind, f in formats.items()}
        self._sheet: Any = None
        self._names: set[str] = set()
        self._name = ""
        self._headers: Sequence[str] = ()
        self._kinds: Sequence[ColumnKind] = ()
        self._row = 0
        self._rows_xml = xlsx.rows_xml((), (), {}, {})

    def start_table(self, name: str, headers: Sequence[str],
                    kinds: Sequence[ColumnKind]) -> None:
        self._finish_sheet()
        self._name, self._headers, self._kinds = name, headers, kinds
        self._rows_xml = xlsx.rows_xml(_by_position(len(kinds)), kinds, self._styles, {})
        self._new_sheet(name)

    def _new_sheet(self, name: str) -> None:
        sheet_name, n = name[:31], 1
        while sheet_name in self._names:
            n += 1
            suffix = f" ({n})"
            sheet_name = name[: 31 - len(suffix)] + suffix
        self._names.add(sheet_name)
        sheet = self._book.add_worksheet(sheet_name)
        xlsx.check_internals(sheet, self._header_format, *self._formats)
        for index, kind in enumerate(self._kinds):
            width = 20 if kind in (ColumnKind.DATETIME, ColumnKind.TEXT) else 12
            sheet.set_column(index, index, width)
        for index, header in enumerate(self._headers):
            sheet.write_string(0, index, header, self._header_format)
        sheet.freeze_panes(1, 0)
        xlsx.flush_header(sheet)
        self._sheet, self._row = sheet, 0

    def _finish_sheet(self) -> None:
        if self._sheet is not None and self._headers:
            self._sheet.autofilter(0, 0, self._row, len(self._headers) - 1)

    def _write(self, rows_xml: xlsx.RowsXml, rows: Sequence[Any]) -> None:
        start = 0
        while start < len(rows):
            if self._row >= self._max_rows:
                self._finish_sheet()
                self._new_sheet(self._name)
            part = rows[start:start + self._max_rows - self._row]
            # Row 1 is the header: the sheet's n-th row of data is its row n + 1.
            xml = rows_xml(part, self._row + 2)
            self._row += len(part)
            xlsx.append_rows(self._sheet, xml, self._row)
            start += len(part)

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        self._write(self._rows_xml, rows if isinstance(rows, Sequence) else list(rows))

    def batch_writer(self, sources: Sequence[str], kinds: Sequence[ColumnKind],
                     namespace: dict[str, Any], *,
                     prepared: Collection[int] = ()) -> BatchWriter:
        """A writer of batches of rows `r` whose cells are `sources` (see
        `xlsx.rows_xml`) for the table just started."""
        _check_prepared("XLSX", kinds, prepared)
        rows_xml = xlsx.rows_xml(sources, kinds, self._styles, namespace, prepared)
        return lambda batch: self._write(rows_xml, batch)

    def close(self) -> None:
        self._finish_sheet()
        self._book.close()
