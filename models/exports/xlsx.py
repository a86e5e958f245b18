"""The rows of an XLSX sheet as the XML that xlsxwriter's constant-memory mode keeps on disk.

xlsxwriter makes the workbook (styles, the frozen header, the autofilter, the zip), but a call
of its `write_*` per cell costs about 5 us: forty million cells were 18 times PostgreSQL's COPY
of the same rows. So the rows of a table are made here, one `<row>` string per row by a function
generated once per table with every cell written out, and appended to the worksheet's row file,
which xlsxwriter copies into the sheet's `<sheetData>` when the workbook closes.

This relies on xlsxwriter's internals (`XLSXWRITER_INTERNALS`), checked when a sheet starts and
by tests/models/exports/test_xlsx_rows.py; pyproject.toml pins the versions they were read from.
"""

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from models.customers.columns import ColumnKind

# What the rows written here need of xlsxwriter's worksheet: its temporary row file, the row
# it last wrote and its dimensions (the sheet's `<dimension>`), and the method that flushes
# the pending row (the header); and a format's style index.
XLSXWRITER_INTERNALS = {
    Worksheet: ("row_data_fh", "previous_row", "dim_rowmin", "dim_rowmax", "dim_colmax",
                "constant_memory", "table", "_write_single_row"),
    Format: ("_get_xf_index",),
}
MAX_TEXT = 32_767  # Excel's longest cell text, in UTF-16 code units

# A text that may need more than to be put between tags: XML's special characters, characters
# XML 1.0 forbids, and "_" (Excel's escape of those is `_xHHHH_`, so a literal one is escaped
# too). Leading or trailing whitespace and a length that may pass Excel's limit (a character is
# at most two UTF-16 units) are checked beside it: one character class is the fastest search.
_SPECIAL = re.compile("[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]").search
_SHORT = MAX_TEXT // 2 + 1
_ESCAPED = re.compile("(_x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
_EPOCH = datetime(1899, 12, 31)
_EPOCH_UTC = _EPOCH.replace(tzinfo=UTC)
_EPOCH_DAY = _EPOCH.toordinal()


def check_internals(sheet: Worksheet, *formats: Format) -> None:
    """Fail loudly, naming what is missing, if xlsxwriter no longer has what this relies on."""
    missing = [f"{type(target).__name__}.{name}"
               for target in (sheet, *formats)
               for kind, names in XLSXWRITER_INTERNALS.items() if isinstance(target, kind)
               for name in names if not hasattr(target, name)]
    if missing or not sheet.constant_memory:
        raise RuntimeError("xlsxwriter changed: models/exports/xlsx.py needs " + (
            ", ".join(missing) or "constant_memory") + "; pin the version in pyproject.toml")


def flush_header(sheet: Worksheet) -> None:
    """Write the rows xlsxwriter holds (the header) to the row file, before ours."""
    sheet._write_single_row(sheet.previous_row + 1)


def append_rows(sheet: Worksheet, xml: str, last_row: int) -> None:
    """Add rows made by a `rows_xml` function, `last_row` (0-based) the last of them."""
    sheet.row_data_fh.write(xml)
    sheet.previous_row = last_row
    if sheet.dim_rowmin is None:
        sheet.dim_rowmin = last_row
    sheet.dim_rowmax = last_row


def excel_time(value: datetime | date) -> float:
    """Days since Excel's epoch, as xlsxwriter computes them (`remove_timezone`: a UTC time
    is shown as it is)."""
    if isinstance(value, datetime):
        delta: timedelta = value - (_EPOCH if value.tzinfo is None else _EPOCH_UTC)
        days = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    else:
        days = value.toordinal() - _EPOCH_DAY
    return days + 1 if days > 59 else days  # Excel's 29 February 1900


def text_cell(ref: str, value: Any) -> str:
    """An inline-string cell of any text: escaped, cut at Excel's limit, spaces kept."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_TEXT // 2 and len(text.encode("utf-16-le", "surrogatepass")) > 2 * MAX_TEXT:
        units = 0
        for index, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > MAX_TEXT:
                text = text[:index]
                break
    if not text:
        return ""
    # Excel's own escape of what XML forbids: "\x01" is "_x0001_", so a literal "_x0001_" is
    # "_x005F_x0001_".
    text = _ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _cell(source: str, kind: ColumnKind, column: int, styles: dict[ColumnKind, int],
          serial: bool) -> str:
    """The expression of one cell over its `source` and the row number `n`; "" if empty. A
    `serial` time is already Excel's number for it."""
    ref = xl_col_to_name(column) + "{n}"
    value = f"(v := {source})"
    style = f' s="{styles[kind]}"' if kind in styles else ""
    if kind is ColumnKind.TEXT:
        plain = f"f'<c r=\"{ref}\" t=\"inlineStr\"><is><t>{{v}}</t></is></c>'"
        return (f"'' if {value} is None or v == '' else {plain} if v.__class__ is str "
                f"and not _special(v) and v.strip() == v and len(v) < _SHORT "
                f"else _text(f'{ref}', v)")
    if kind is ColumnKind.BOOLEAN:
        return (f"'' if {value} is None else f'<c r=\"{ref}\" t=\"b\"><v>1</v></c>' if v "
                f"else f'<c r=\"{ref}\" t=\"b\"><v>0</v></c>'")
    if (kind is ColumnKind.DATETIME or kind is ColumnKind.DATE) and not serial:
        return (f"'' if {value} is None else "
                f"f'<c r=\"{ref}\"{style}><v>{{_time(v):.16G}}</v></c>'")
    # Integers, amounts (Decimal or float) and serial times as Python writes them: all are XML
    # numbers.
    return f"'' if {value} is None else f'<c r=\"{ref}\"{style}><v>{{v}}</v></c>'"


RowsXml = Callable[[Sequence[Any], int], str]


def _row_numbers(first: int, count: int) -> Iterator[str]:
    """The row numbers as text: each goes into every cell's reference of its row."""
    return map(str, range(first, first + count))


def rows_xml(sources: Sequence[str], kinds: Sequence[ColumnKind],
             styles: dict[ColumnKind, int], namespace: dict[str, Any],
             serial: Collection[int] = ()) -> RowsXml:
    """A function from a batch of rows `r` and the sheet row number (1-based) of the first
    to the XML of those rows: each cell is its `sources` expression (over `r`, with
    `namespace`), written as a cell of its kind, with the style index `styles` gives. The
    times at the indexes in `serial` are given as Excel's numbers for them (`excel_time`)."""
    cells = "".join(f"\n            ({_cell(source, kind, i, styles, i in serial)}),"
                    for i, (source, kind) in enumerate(zip(sources, kinds, strict=True)))
    code = ("def rows_xml(rows, first):\n"
            "    return ''.join([''.join((\n"
            f"            f'<row r=\"{{n}}\">',{cells}\n"
            "            '</row>')) for n, r in zip(_numbers(first, len(rows)), rows)])\n")
    scope = {"_special": _SPECIAL, "_SHORT": _SHORT, "_text": text_cell, "_time": excel_time,
             "_numbers": _row_numbers, **namespace}
    exec(compile(code, "<xlsx rows>", "exec"), scope)
    function: RowsXml = scope["rows_xml"]
    return function
