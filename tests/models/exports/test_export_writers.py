"""The CSV and XLSX writers, on real files: bytes, quoting, types, formats and sheet splits."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from models.customers.columns import COLUMNS, ColumnKind
from models.exports.files import CsvWriter, XlsxWriter

T, INT, M, DT, D, B = (ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.MONEY,
                       ColumnKind.DATETIME, ColumnKind.DATE, ColumnKind.BOOLEAN)


def write_csv(path: Path, headers: list[str], kinds: list[ColumnKind],
              rows: list[list[object]]) -> bytes:
    with path.open("wb") as file:
        writer = CsvWriter(file)
        writer.start_table("Customers", headers, kinds)
        writer.write_rows(rows[:1])
        writer.write_rows(rows[1:])
        writer.close()
    return path.read_bytes()


def test_csv_is_utf8_with_bom_and_rfc4180_quoting(tmp_path: Path) -> None:
    raw = write_csv(tmp_path / "c.csv", ["Name", "Notes", "Orders"], [T, T, INT], [
        ["Núñez, José", 'says "hola"', 3],
        ["Ana\nMaría", "", 0],
    ])
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert text.splitlines(keepends=True)[0] == "Name,Notes,Orders\r\n"
    assert '"Núñez, José","says ""hola""",3\r\n' in text
    assert '"Ana\nMaría",,0\r\n' in text
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["Name", "Notes", "Orders"], ["Núñez, José", 'says "hola"', "3"], ["Ana\nMaría", "", "0"]]


def test_csv_neutralises_formulas_in_text_but_not_in_numbers(tmp_path: Path) -> None:
    raw = write_csv(tmp_path / "f.csv", ["Text", "Money", "Int"], [T, M, INT], [
        ["=HYPERLINK(\"http://x\")", Decimal("-12.50"), -3],
        ["+34 600", Decimal("0.00"), 0],
        ["-1", None, None],
        ["@SUM(A1)", None, None],
        ["\tx", None, None],
        ["\rx", None, None],
        ["plain - text", None, None],
    ])
    rows = list(csv.reader(io.StringIO(raw[3:].decode(), newline="")))[1:]
    assert [r[0] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'+34 600", "'-1", "'@SUM(A1)",
                                    "'\tx", "'\rx", "plain - text"]
    assert rows[0][1:] == ["-12.50", "-3"]  # real numbers stay numbers
    assert rows[2][1:] == ["", ""]


def test_csv_cells_by_kind(tmp_path: Path) -> None:
    raw = write_csv(tmp_path / "k.csv", ["a", "b", "c", "d"], [B, B, DT, D], [
        [True, False, datetime(2026, 11, 23, 9, 5, 7, tzinfo=UTC), date(1990, 2, 3)]])
    assert raw[3:].decode().splitlines()[1] == "TRUE,FALSE,2026-11-23 09:05:07,1990-02-03"


def write_xlsx(path: Path, rows: list[list[object]], max_rows: int = 1_048_575) -> None:
    with path.open("wb") as file:
        writer = XlsxWriter(file, max_rows=max_rows)
        writer.start_table("Customers", ["Name", "Orders", "Spent", "Seen", "Born", "Sub"],
                           [T, INT, M, DT, D, B])
        writer.write_rows(rows)
        writer.close()


def test_xlsx_types_formats_frozen_header_and_autofilter(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [
        ["=1+1", 3, Decimal("12.5"), datetime(2026, 11, 23, 9, 5, tzinfo=UTC),
         date(1990, 2, 3), True],
        ["Zoë", 0, Decimal("0"), None, None, False],
    ])
    book = openpyxl.load_workbook(path)
    sheet = book["Customers"]
    assert [c.value for c in sheet[1]] == ["Name", "Orders", "Spent", "Seen", "Born", "Sub"]
    name, orders, spent, seen, born, sub = sheet[2]
    assert name.value == "=1+1"
    assert name.data_type == "s"
    assert orders.value == 3
    assert orders.data_type == "n"
    assert spent.value == 12.5
    assert spent.number_format == "#,##0.00"
    assert seen.value == datetime(2026, 11, 23, 9, 5)
    assert seen.is_date
    assert born.is_date
    assert born.value.date() == date(1990, 2, 3)
    assert born.number_format == "yyyy-mm-dd"
    assert sub.value is True
    assert sheet["D3"].value is None
    assert sheet["F3"].value is False
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"


def test_xlsx_continues_on_a_second_sheet_with_the_header(tmp_path: Path) -> None:
    path = tmp_path / "split.xlsx"
    write_xlsx(path, [[f"c{i}", i, Decimal(i), None, None, True] for i in range(7)], max_rows=3)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Customers", "Customers (2)", "Customers (3)"]
    names = [[row[0] for row in sheet.iter_rows(values_only=True)] for sheet in book]
    assert names == [["Name", "c0", "c1", "c2"], ["Name", "c3", "c4", "c5"], ["Name", "c6"]]
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:F")


def test_column_keys_and_headers_are_unambiguous() -> None:
    for attribute in ("key", "en", "es"):
        values = [getattr(c, attribute) for c in COLUMNS]
        assert len(values) == len(set(values)), attribute
    # A header in one language never names another column in the other.
    en = {c.en: c.key for c in COLUMNS}
    for column in COLUMNS:
        assert en.get(column.es, column.key) == column.key


def test_a_writer_takes_prepared_cells_only_of_the_kinds_it_knows(tmp_path: Path) -> None:
    with (tmp_path / "p.csv").open("wb") as file:
        writer = CsvWriter(file)
        writer.start_table("Customers", ["Seen", "Name"], [DT, T])
        write = writer.batch_writer(["r[0]", "r[1]"], [DT, T], {}, prepared={0})
        write([("2026-11-23 09:05:07", "=x")])  # as PostgreSQL's to_char gives it
        with pytest.raises(ValueError, match="no prepared TEXT"):
            writer.batch_writer(["r[0]", "r[1]"], [DT, T], {}, prepared={1})
        writer.close()
    assert (tmp_path / "p.csv").read_bytes()[3:].decode().splitlines()[1] == (
        "2026-11-23 09:05:07,'=x")
    with (tmp_path / "p.xlsx").open("wb") as file:
        xlsx = XlsxWriter(file)
        xlsx.start_table("Customers", ["Seen", "Name"], [DT, T])
        # Excel's serial number of 2026-11-23 09:05, as PostgreSQL computes it.
        xlsx.batch_writer(["r[0]", "r[1]"], [DT, T], {}, prepared={0})([(46349.37847222222, "a")])
        with pytest.raises(ValueError, match="no prepared TEXT"):
            xlsx.batch_writer(["r[0]", "r[1]"], [DT, T], {}, prepared={1})
        xlsx.close()
    seen = openpyxl.load_workbook(tmp_path / "p.xlsx")["Customers"]["A2"]
    assert seen.value == datetime(2026, 11, 23, 9, 5)
    assert seen.number_format == "yyyy-mm-dd hh:mm:ss"
