"""CSV and XLSX writers: tables of typed cells streamed to a binary file, rows never held.

A writer gets `start_table` (a name, headers and each column's kind), then `write_rows` as many
times as there are batches, and `close`. Memory stays flat however many rows pass through.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO, Protocol

import xlsxwriter

from models.customer_columns import ColumnKind

XLSX_MAX_ROWS = 1_048_575  # a sheet's 1,048,576 rows less the header
CONTENT_TYPES = {
    "CSV": "text/csv; charset=utf-8",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"CSV": "csv", "XLSX": "xlsx"}
# A spreadsheet program runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TableWriter(Protocol):
    def start_table(self, name: str, headers: Sequence[str],
                    kinds: Sequence[ColumnKind]) -> None: ...
    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None: ...
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


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _datetime(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")[:19]  # UTC, as stored


# One formatter per kind, chosen once per table rather than per cell: a million rows of forty
# columns make forty million cells.
CSV_FORMATS: dict[ColumnKind, Callable[[Any], str]] = {
    ColumnKind.TEXT: _text,
    ColumnKind.INTEGER: str,
    ColumnKind.MONEY: str,
    ColumnKind.DATETIME: _datetime,
    ColumnKind.DATE: date.isoformat,
    ColumnKind.BOOLEAN: lambda value: "TRUE" if value else "FALSE",
}


def csv_cell(value: Any, kind: ColumnKind) -> str:
    return "" if value is None else CSV_FORMATS[kind](value)


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
        self._formats: list[Callable[[Any], str]] = []

    def start_table(self, name: str, headers: Sequence[str],
                    kinds: Sequence[ColumnKind]) -> None:
        if self._tables:
            self._csv.writerow([])
        if self._titled:
            self._csv.writerow([neutralised(name)])
        self._csv.writerow([neutralised(h) for h in headers])
        self._formats = [CSV_FORMATS[kind] for kind in kinds]
        self._tables += 1

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        formats = self._formats
        self._csv.writerows([None if v is None else f(v) for f, v in zip(formats, row, strict=True)]
                            for row in rows)

    def close(self) -> None:
        self._text.flush()
        self._text.detach()  # the caller owns the file


class XlsxWriter:
    """xlsxwriter in constant-memory mode: each row goes to disk as it is written. Numbers,
    dates and booleans keep their types; money shows two decimals; every sheet has a frozen
    header row and an autofilter, and a table longer than `max_rows` goes on in a new sheet
    under the same header."""

    def __init__(self, file: BinaryIO, *, max_rows: int = XLSX_MAX_ROWS) -> None:
        self._book = xlsxwriter.Workbook(file, {
            "constant_memory": True, "remove_timezone": True, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False})
        self._max_rows = max_rows
        bold = self._book.add_format({"bold": True})
        self._header_format = bold
        self._formats = {
            ColumnKind.MONEY: self._book.add_format({"num_format": "#,##0.00"}),
            ColumnKind.DATETIME: self._book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            ColumnKind.DATE: self._book.add_format({"num_format": "yyyy-mm-dd"}),
        }
        self._sheet: Any = None
        self._names: set[str] = set()
        self._name = ""
        self._headers: Sequence[str] = ()
        self._kinds: Sequence[ColumnKind] = ()
        self._row = 0

    def start_table(self, name: str, headers: Sequence[str],
                    kinds: Sequence[ColumnKind]) -> None:
        self._finish_sheet()
        self._name, self._headers, self._kinds = name, headers, kinds
        self._new_sheet(name)

    def _new_sheet(self, name: str) -> None:
        sheet_name, n = name[:31], 1
        while sheet_name in self._names:
            n += 1
            suffix = f" ({n})"
            sheet_name = name[: 31 - len(suffix)] + suffix
        self._names.add(sheet_name)
        sheet = self._book.add_worksheet(sheet_name)
        for index, kind in enumerate(self._kinds):
            width = 20 if kind in (ColumnKind.DATETIME, ColumnKind.TEXT) else 12
            sheet.set_column(index, index, width)
        for index, header in enumerate(self._headers):
            sheet.write_string(0, index, header, self._header_format)
        sheet.freeze_panes(1, 0)
        self._sheet, self._row = sheet, 0

    def _finish_sheet(self) -> None:
        if self._sheet is not None and self._headers:
            self._sheet.autofilter(0, 0, self._row, len(self._headers) - 1)

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        formats, kinds = self._formats, self._kinds
        for row in rows:
            if self._row >= self._max_rows:
                self._finish_sheet()
                self._new_sheet(self._name)
            self._row += 1
            sheet, r = self._sheet, self._row
            for c, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                if value is None or value == "":
                    continue
                if kind is ColumnKind.BOOLEAN:
                    sheet.write_boolean(r, c, bool(value))
                elif kind is ColumnKind.INTEGER:
                    sheet.write_number(r, c, value)
                elif kind is ColumnKind.MONEY:
                    sheet.write_number(r, c, float(value) if isinstance(value, Decimal)
                                       else value, formats[kind])
                elif kind is ColumnKind.DATETIME or kind is ColumnKind.DATE:
                    sheet.write_datetime(r, c, value, formats[kind])
                else:
                    sheet.write_string(r, c, str(value))

    def close(self) -> None:
        self._finish_sheet()
        self._book.close()
