"""One row of a customer file as the fields `add_customer` and `update_customer` take.

Only what the file's cells turn into values: checking them (email, phone, names, address,
duplicates) is the profile rules' job (`models/customers/profile.py`), so that an imported row
is held to exactly what `addCustomer` asks. An empty cell sends nothing: an import fills and
corrects, it never clears a field.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.core.enums import RiskLevel, ShopperLevel
from models.core.errors import ErrorCode
from models.core.validation import AddressFields
from models.exports.files import FORMULA_STARTS
from models.imports.formats import IGNORED, ColumnMap, header_key

TRUE = frozenset({"yes", "y", "true", "1", "si", "s", "x", "subscribed", "suscrito",
                  "verdadero", "opted in"})
FALSE = frozenset({"no", "n", "false", "0", "unsubscribed", "not subscribed", "falso",
                   "no suscrito", "opted out"})
# Countries as merchants' files name them, for the few markets we serve; two letters pass as is.
COUNTRIES = {"espana": "ES", "spain": "ES", "portugal": "PT", "france": "FR", "francia": "FR",
             "italia": "IT", "italy": "IT", "mexico": "MX", "united states": "US",
             "estados unidos": "US", "united kingdom": "GB", "reino unido": "GB",
             "germany": "DE", "alemania": "DE", "andorra": "AD", "argentina": "AR",
             "colombia": "CO", "chile": "CL", "peru": "PE"}
_DATES = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),      # 1990-05-17
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y")),     # 17/05/1990
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), ("m", "d", "y")),     # Square: 05-17-1990
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y")),   # 17.05.1990
)
_NO_YEAR = re.compile(r"^\d{1,2}-\d{1,2}$")  # Square's MM-DD: no year to store


@dataclass
class RowProblem:
    column: str
    code: ErrorCode
    message: str


@dataclass
class RowFields:
    """The profile fields a row sends, its consent decision, and what could not be read."""

    fields: dict[str, Any] = field(default_factory=dict)
    subscribed: bool | None = None
    store: str | None = None  # the main store's name or code, as the file has it
    guest: bool = False  # our own export's GUEST rows make guests
    problems: list[RowProblem] = field(default_factory=list)
    # The column each sent field came from, for reporting a rule's errors by column.
    columns: dict[str, str] = field(default_factory=dict)

    def column_of(self, path: Sequence[str]) -> str:
        """The file's column behind an error's input path (`("input", "address", "city")`)."""
        parts = [p for p in path if p != "input"]
        if not parts:
            return ""
        if parts[0] in ("address", "addresses"):
            tail = [p for p in parts[1:] if not p.isdigit()]
            key = "address." + _snake(tail[0]) if tail else "address.line1"
        else:
            key = _snake(parts[0])
        return self.columns.get(key) or self.columns.get(
            {"phone_e164": "phone", "main_store_id": "main_store"}.get(key, key), parts[-1])


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def read_row(cells: Sequence[str], columns: ColumnMap) -> RowFields:
    row = RowFields()
    values: dict[str, str] = {}
    for header, target, cell in zip(columns.headers, columns.targets, cells, strict=False):
        if target is None or target == IGNORED:
            continue
        row.columns.setdefault(target, header)  # a REQUIRED error names the blank cell's column
        text = cell.strip() if cell else ""
        if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
            text = text[1:]  # the quote an export puts before what a spreadsheet would run
        if text and target not in values:
            values[target] = text

    def take(name: str) -> str | None:
        return values.get(name)

    for name in ("external_id", "first_name", "last_name", "email", "notes", "company_name"):
        if (value := take(name)) is not None:
            row.fields[name] = value
    if (full := take("full_name")) is not None and not (
            "first_name" in values or "last_name" in values):
        first, _, last = full.partition(" ")
        row.fields["first_name"] = first
        row.columns["first_name"] = row.columns["full_name"]
        if last.strip():
            row.fields["last_name"] = last
            row.columns["last_name"] = row.columns["full_name"]
    if (phone := take("phone")) is not None:
        row.fields["phone"] = phone.lstrip("'")  # kept as text in a spreadsheet to keep the +
    for name in ("tax_exempt", "age_restricted_allowed"):
        if (value := take(name)) is not None:
            flag = _boolean(value, row, name)
            if flag is not None:
                row.fields[name] = flag
    if (value := take("subscribed")) is not None:
        row.subscribed = _boolean(value, row, "subscribed")
    if (value := take("main_store")) is not None:
        row.store = value
    if (value := take("type")) is not None:
        kind = value.upper()
        if kind not in ("GUEST", "REGISTERED"):
            row.problems.append(RowProblem(row.columns["type"], ErrorCode.INVALID,
                                           f"`{value}` is neither GUEST nor REGISTERED."))
        row.guest = kind == "GUEST"
    if (value := take("birthday")) is not None:
        birthday = _date(value, row)
        if birthday is not None:
            row.fields["birthday"] = birthday
    for name, enum in (("shopper_level", ShopperLevel), ("risk_level", RiskLevel)):
        if (value := take(name)) is not None:
            try:
                row.fields[name] = enum[value.strip().upper()]
            except KeyError:
                row.problems.append(RowProblem(
                    row.columns[name], ErrorCode.INVALID,
                    f"`{value}` is not one of {', '.join(e.name for e in enum)}."))
    address = {part: values[f"address.{part}"] for part in
               ("line1", "line2", "city", "postal_code", "region", "country")
               if f"address.{part}" in values}
    if set(address) - {"country"}:  # a country alone (a file's default) is no address
        country = address.get("country")
        if country is not None and len(country) != 2:
            address["country"] = COUNTRIES.get(header_key(country), country)
        row.fields["address"] = AddressFields(**address)
    return row


def _boolean(text: str, row: RowFields, name: str) -> bool | None:
    key = header_key(text)
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    row.problems.append(RowProblem(row.columns[name], ErrorCode.INVALID,
                                   f"`{text}` is neither yes nor no."))
    return None


def _date(text: str, row: RowFields) -> date | None:
    if _NO_YEAR.match(text):
        return None  # a birthday without a year cannot be stored; the rest of the row can
    for pattern, order in _DATES:
        if found := pattern.match(text):
            parts = dict(zip(order, (int(g) for g in found.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                break
    row.problems.append(RowProblem(row.columns["birthday"], ErrorCode.INVALID,
                                   f"`{text}` is not a date (YYYY-MM-DD or DD/MM/YYYY)."))
    return None
