"""Reading a customer file row by row: CSV (the csv module) or XLSX (openpyxl, read-only).

Neither reader holds the file's rows: each yields one row at a time, as text cells, from a
binary file that can seek (an upload spooled to disk, or a file the CLI opened).
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

XLSX_MAGIC = b"PK\x03\x04"  # a zip archive; XLSX is one
SAMPLE = 64 * 1024


class UnreadableFile(ValueError):
    """The file is neither a CSV nor an XLSX we can read, or has no header row."""


@dataclass
class Table:
    """The header row and an iterator over the rest (each a list of cells as text)."""

    headers: list[str]
    rows: Iterator[list[str]]
    kind: str  # CSV or XLSX


def open_table(file: IO[bytes]) -> Table:
    head = file.read(len(XLSX_MAGIC))
    file.seek(0)
    table = _xlsx(file) if head == XLSX_MAGIC else _csv(file)
    if not any(h.strip() for h in table.headers):
        raise UnreadableFile("The file has no header row.")
    if undecodable(table.headers) is not None:
        raise UnreadableFile("The header row holds bytes that are not text.")
    return table


def _encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which old spreadsheets write."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is fine
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _csv(file: IO[bytes]) -> Table:
    encoding = _encoding(file.read(SAMPLE))
    file.seek(0)
    # The encoding is judged on the first 64 KB: a byte further on that is not text in it is
    # kept as a lone surrogate, so that its row, and only its row, is refused (`undecodable`).
    text = io.TextIOWrapper(file, encoding=encoding, errors="surrogateescape", newline="")
    first = text.readline()
    if not first.strip():
        raise UnreadableFile("The file is empty or its first line is blank.")
    # Spanish spreadsheet programs write `;`; others `,` (or a tab).
    delimiter = max((";", ",", "\t"), key=first.count)
    headers = next(csv.reader([first], delimiter=delimiter))

    def rows() -> Iterator[list[str]]:
        yield from csv.reader(text, delimiter=delimiter)

    return Table(headers, rows(), "CSV")


def _xlsx(file: IO[bytes]) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as bad:
        raise UnreadableFile(f"Not a readable XLSX file: {bad}") from None
    sheet = workbook.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    first = next(cells, None)
    if first is None:
        workbook.close()
        raise UnreadableFile("The first sheet is empty.")

    def rows() -> Iterator[list[str]]:
        try:
            for row in cells:
                yield [cell_text(v) for v in row]
        finally:
            workbook.close()

    return Table([cell_text(v) for v in first], rows(), "XLSX")


def undecodable(cells: list[str]) -> int | None:
    """The position of the first cell that holds a byte the file's encoding could not read."""
    for index, cell in enumerate(cells):
        if any("\udc80" <= character <= "\udcff" for character in cell):
            return index
    return None


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold: whole numbers without `.0` (phones
    typed as numbers), dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
