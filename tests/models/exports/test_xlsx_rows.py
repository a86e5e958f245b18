"""The XLSX rows we write ourselves (models/exports/xlsx.py) against xlsxwriter's own `write_*` of
the same cells: the same values, types, styles and XML text. These fail when xlsxwriter changes
what models/exports/xlsx.py relies on (pyproject.toml pins the versions read)."""

import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter

from models.customers.columns import ColumnKind
from models.exports.files import XlsxWriter
from models.exports.xlsx import MAX_TEXT, check_internals

T, INT, M, DT, D, B = (ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.MONEY,
                       ColumnKind.DATETIME, ColumnKind.DATE, ColumnKind.BOOLEAN)
KINDS = [T, INT, M, DT, D, B]
HEADERS = ["Text", "Int", "Money", "Time", "Day", "Yes"]
LONG = "a" * (MAX_TEXT - 1) + "😀" + "b" * 10  # the emoji would pass the limit: cut before it
TEXTS = ["plain", "a<b & c>d", 'say "hi"', "x\x01y\x1fz\x0b", "cr\rlf\ntab\t", "_x0041_",
         " leading", "trailing ", "\n", "Zoë Ñandú 東京 😀", "\ufffe\uffff", LONG, "", None,
         "=1+1", "x" * MAX_TEXT]
ROWS: list[list[Any]] = [
    [text, n * 7 - 3, Decimal(n * 125).scaleb(-2),
     datetime(2026, 11, 23, 9, 5, n, n * 1001, tzinfo=UTC), date(1900 + 30 * n, 2 + n % 2, 28),
     n % 2 == 0]
    for n, text in enumerate(TEXTS)]
ROWS.append([None, None, None, None, None, None])
ROWS.append([None, 0, Decimal("0.00"), datetime(1900, 2, 28, 23, 59, 59, tzinfo=UTC),
             date(1900, 3, 1), False])


def ours(path: Path, rows: list[list[Any]]) -> None:
    with path.open("wb") as file:
        writer = XlsxWriter(file)
        writer.start_table("Customers", HEADERS, KINDS)
        writer.write_rows(rows[:3])
        writer.write_rows(rows[3:])
        writer.close()


def xlsxwriters(path: Path, rows: list[list[Any]]) -> None:
    """What the export wrote before models/exports/xlsx.py: one `write_*` call a cell."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "remove_timezone": True,
                                           "strings_to_formulas": False,
                                           "strings_to_numbers": False,
                                           "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    formats = {M: book.add_format({"num_format": "#,##0.00"}),
               DT: book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
               D: book.add_format({"num_format": "yyyy-mm-dd"})}
    sheet = book.add_worksheet("Customers")
    for index, kind in enumerate(KINDS):
        sheet.set_column(index, index, 20 if kind in (DT, T) else 12)
    for index, header in enumerate(HEADERS):
        sheet.write_string(0, index, header, bold)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows, 1):
        for c, (value, kind) in enumerate(zip(row, KINDS, strict=True)):
            if value is None or value == "":
                continue
            if kind is B:
                sheet.write_boolean(r, c, value)
            elif kind is INT:
                sheet.write_number(r, c, value)
            elif kind is M:
                sheet.write_number(r, c, float(value), formats[M])
            elif kind in (DT, D):
                sheet.write_datetime(r, c, value, formats[kind])
            else:
                sheet.write_string(r, c, value)
    sheet.autofilter(0, 0, len(rows), len(KINDS) - 1)
    book.close()


def sheet_xml(path: Path) -> ElementTree.Element:
    with zipfile.ZipFile(path) as archive:
        return ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))


NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def string_cells(root: ElementTree.Element) -> list[tuple[str | None, str | None, str | None]]:
    return [(cell.get("r"), text.get(SPACE), text.text)
            for cell in root.iter(f"{NS}c") if cell.get("t") == "inlineStr"
            for text in cell.iter(f"{NS}t")]


def test_our_rows_are_xlsxwriters_rows(tmp_path: Path) -> None:
    ours(tmp_path / "ours.xlsx", ROWS)
    xlsxwriters(tmp_path / "theirs.xlsx", ROWS)
    mine, theirs = sheet_xml(tmp_path / "ours.xlsx"), sheet_xml(tmp_path / "theirs.xlsx")
    assert string_cells(mine) == string_cells(theirs)
    for name in ("dimension", "pane", "autoFilter", "cols"):
        assert ElementTree.tostring(mine.find(f".//{NS}{name}")) == ElementTree.tostring(
            theirs.find(f".//{NS}{name}")), name
    # Numbers, as Excel reads them (money: ours "1.25", theirs float("1.25")).
    numbers = [[(c.get("r"), c.get("t"), float(c.findtext(f"{NS}v") or "nan"))
                for c in rows.iter(f"{NS}c") if c.get("t") != "inlineStr"]
               for rows in (mine, theirs)]
    assert numbers[0] == numbers[1]
    books = [openpyxl.load_workbook(tmp_path / name)["Customers"]
             for name in ("ours.xlsx", "theirs.xlsx")]
    cells = [[[(c.value, c.data_type, c.number_format, c.font.b) for c in row]
              for row in book.iter_rows()] for book in books]
    assert cells[0] == cells[1]


def excel_text(stored: str) -> str:
    """A cell's text as Excel reads it: `_xHHHH_` is the character HHHH."""
    return re.sub("_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), stored)


def test_xlsx_text_is_escaped_cut_at_excels_limit_and_kept_whole(tmp_path: Path) -> None:
    ours(tmp_path / "t.xlsx", ROWS)
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["Customers"]
    read = [excel_text(row[0]) if row[0] is not None else None
            for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = [text or None for text in TEXTS]
    expected[TEXTS.index(LONG)] = "a" * (MAX_TEXT - 1)
    assert read[:len(TEXTS)] == expected
    with zipfile.ZipFile(tmp_path / "t.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<t>a&lt;b &amp; c&gt;d</t>" in xml
    assert '<t xml:space="preserve"> leading</t>' in xml
    assert '<t xml:space="preserve">trailing </t>' in xml
    assert "<t>x_x0001_y_x001F_z_x000B_</t>" in xml
    assert "<t>_x005F_x0041_</t>" in xml
    assert "\x01" not in xml
    assert "\ufffe" not in xml


def test_a_changed_xlsxwriter_fails_loudly(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet()
    check_internals(sheet, book.add_format())
    del sheet.row_data_fh
    with pytest.raises(RuntimeError, match=r"Worksheet\.row_data_fh"):
        check_internals(sheet)
    book.close = lambda: None  # type: ignore[method-assign]


def test_a_table_past_a_sheet_goes_on_in_the_next_with_its_rows_numbered(
        tmp_path: Path) -> None:
    file = io.BytesIO()
    writer = XlsxWriter(file, max_rows=4)
    writer.start_table("Customers", ["Name", "Orders"], [T, INT])
    write = writer.batch_writer(["r[0]", "r[1] * 2"], [T, INT], {})
    write([(f"c{i}", i) for i in range(3)])
    write([(f"c{i}", i) for i in range(3, 10)])
    writer.close()
    (tmp_path / "s.xlsx").write_bytes(file.getvalue())
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert [list(sheet.iter_rows(values_only=True)) for sheet in book] == [
        [("Name", "Orders"), *[(f"c{i}", 2 * i) for i in range(4)]],
        [("Name", "Orders"), *[(f"c{i}", 2 * i) for i in range(4, 8)]],
        [("Name", "Orders"), *[(f"c{i}", 2 * i) for i in range(8, 10)]]]
    assert [sheet.auto_filter.ref for sheet in book] == ["A1:B5", "A1:B5", "A1:B3"]
    assert [sheet.dimensions for sheet in book] == ["A1:B5", "A1:B5", "A1:B3"]
