"""The customer files an import recognises, by their header rows.

Each format is a table from a header (compared case-, accent- and punctuation-insensitively) to
the field it fills, or to `IGNORED` for what we know and never import (order aggregates, points,
visit dates: they are kept exact from the orders and the ledger, never copied from a file).
A header no table of the chosen format knows is reported as unknown, never silently dropped.

Adding a format is one entry in `FORMATS`: a name, its headers, and the headers that identify
it. Our own export's headers come from the export's column list (`models/customers/columns.py`)
through `OWN_EXPORT_KEYS`, so that a column added to the export is recognised in both languages.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from models.core.text import fold
from models.customers.columns import COLUMNS

IGNORED = "-"  # a known column that is never imported

# The fields a row can fill. `address.*` make the main address; `subscribed` is marketing
# consent (written through models/customers/consent.py); `full_name` is split when there is
# no first or last name column; `main_store` is a store's name or code; `type` (our own export
# only) makes a GUEST row a guest.
FIELDS = frozenset({
    "main_store", "type",
    "external_id", "first_name", "last_name", "full_name", "email", "phone", "address.line1",
    "address.line2", "address.city", "address.postal_code", "address.region",
    "address.country", "birthday", "notes", "company_name", "tax_exempt",
    "age_restricted_allowed", "shopper_level", "risk_level", "subscribed",
})


class ImportFormat(Enum):
    CUSTOMERHUB = "CUSTOMERHUB"
    SHOPIFY = "SHOPIFY"
    SQUARE = "SQUARE"
    GENERIC = "GENERIC"


def header_key(header: str) -> str:
    """`Correo electrónico` -> `correo electronico`; `Apellido(s)` -> `apellido s`."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(header)).split())


def _table(pairs: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """{field: headers} as {header key: field}."""
    table = {}
    for target, headers in pairs.items():
        assert target == IGNORED or target in FIELDS, target
        for header in headers:
            table[header_key(header)] = target
    return table


# Generic files, in English or Spanish, and the restaurant platforms' exports (IMPORT-FORMATS.md).
GENERIC = _table({
    "external_id": ["External ID", "ID externo", "Customer ID", "ID cliente", "ID de cliente",
                    "Reference ID", "Referencia"],
    "first_name": ["First name", "Firstname", "Given name", "Nombre", "Nombre de pila"],
    "last_name": ["Last name", "Lastname", "Surname", "Family name", "Apellido", "Apellidos",
                  "Apellido(s)"],
    "full_name": ["Name", "Full name", "Customer name", "Nombre completo", "Cliente"],
    "email": ["Email", "E-mail", "Email address", "Mail", "Correo", "Correo electrónico",
              "Email de contacto"],
    "phone": ["Phone", "Phone number", "Mobile", "Mobile phone", "Telephone", "Teléfono",
              "Móvil", "Movil", "Teléfono móvil", "Celular"],
    "address.line1": ["Address", "Address1", "Address 1", "Address line 1", "Street",
                      "Street address", "Dirección", "Direccion", "Dirección 1", "Calle"],
    "address.line2": ["Address2", "Address 2", "Address line 2", "Dirección 2"],
    "address.city": ["City", "Town", "Ciudad", "Localidad", "Población", "Municipio"],
    "address.postal_code": ["Zip", "Zip code", "Postal code", "Postcode", "Código postal",
                            "CP"],
    "address.region": ["Province", "State", "Region", "Provincia", "Región", "Estado"],
    "address.country": ["Country", "Country code", "País", "Pais", "Código de país"],
    "birthday": ["Birthday", "Birth date", "Date of birth", "Fecha de nacimiento",
                 "Cumpleaños", "Nacimiento"],
    "notes": ["Notes", "Note", "Notas", "Nota", "Observaciones", "Comentarios"],
    "company_name": ["Company", "Company name", "Empresa", "Razón social"],
    "tax_exempt": ["Tax exempt", "Exento de impuestos", "Exento de IVA"],
    "subscribed": ["Marketing communications", "Accepts marketing", "Accepts email marketing",
                   "Marketing", "Newsletter", "Subscribed", "Acepta marketing",
                   "Comunicaciones comerciales", "Suscrito"],
    "main_store": ["Store", "Main store", "Tienda", "Tienda principal"],
    IGNORED: ["Orders", "Order count", "Total orders", "Total spent", "Total spend",
              "Average spend", "Monthly spend", "Last order", "Last order status",
              "First order", "Points", "Earned points", "Source", "Registration",
              "Registered at", "Created", "Updated", "Last access",
              "Pedidos", "Número de pedidos", "Gasto total", "Gasto medio", "Gasto mensual",
              "Último pedido", "Estado última orden", "Estado del último pedido", "Puntos",
              "Puntos ganados", "Fuente", "Origen", "Fecha de registro",
              "Fecha de alta", "Último acceso"],
})

# Shopify's customer export, its older header set and the newer template.
SHOPIFY = _table({
    "external_id": ["Customer ID"],
    "first_name": ["First Name"],
    "last_name": ["Last Name"],
    "email": ["Email"],
    "subscribed": ["Accepts Email Marketing"],
    "company_name": ["Company", "Default Address Company"],
    "address.line1": ["Address1", "Default Address Address1"],
    "address.line2": ["Address2", "Default Address Address2"],
    "address.city": ["City", "Default Address City"],
    "address.region": ["Province Code", "Default Address Province Code"],
    "address.country": ["Country Code", "Default Address Country Code"],
    "address.postal_code": ["Zip", "Default Address Zip"],
    "phone": ["Phone"],
    "notes": ["Note"],
    "tax_exempt": ["Tax Exempt"],
    # Province and Country repeat the codes as names; the address phone is the address's.
    IGNORED: ["Province", "Country", "Default Address Phone", "Accepts SMS Marketing",
              "Total Spent", "Total Orders", "Tags"],
})

# Square's customer directory export.
SQUARE = _table({
    "external_id": ["Square Customer ID"],
    "first_name": ["First Name"],
    "last_name": ["Last Name"],
    "email": ["Email Address"],
    "phone": ["Phone Number"],
    "company_name": ["Company Name"],
    "address.line1": ["Street Address 1"],
    "address.line2": ["Street Address 2"],
    "address.city": ["City"],
    "address.region": ["State"],
    "address.postal_code": ["Postal Code"],
    "birthday": ["Birthday"],
    "notes": ["Memo"],
    "subscribed": ["Email Subscription Status"],
    IGNORED: ["Nickname", "Creation Source", "First Visit", "Last Visit", "Transaction Count",
              "Total Spend", "Reference ID", "Groups"],
})

# Our own export: its column keys (models/customers/columns.py) and the field each fills; computed
# columns (aggregates, points, dates we keep) are ignored, and so is our customer ID, which means
# nothing in another organization. The full name counts only in a file without first and last
# name columns (an export of chosen columns).
OWN_EXPORT_KEYS: dict[str, str] = {
    "TYPE": "type", "FIRST_NAME": "first_name", "LAST_NAME": "last_name",
    "FULL_NAME": "full_name", "EMAIL": "email",
    "PHONE": "phone", "ADDRESS_LINE1": "address.line1", "ADDRESS_LINE2": "address.line2",
    "CITY": "address.city", "POSTAL_CODE": "address.postal_code", "REGION": "address.region",
    "COUNTRY": "address.country", "MAIN_STORE": "main_store",
    "MARKETING_CONSENT": "subscribed", "BIRTHDAY": "birthday", "EXTERNAL_ID": "external_id",
    "SHOPPER_LEVEL": "shopper_level", "RISK_LEVEL": "risk_level",
    "COMPANY_NAME": "company_name", "TAX_EXEMPT": "tax_exempt",
    "AGE_RESTRICTED_ALLOWED": "age_restricted_allowed", "NOTES": "notes",
}


def own_export_table() -> dict[str, str]:
    """Both languages' headers of every export column."""
    table = {}
    for column in COLUMNS:
        for header in (column.en, column.es):
            table[header_key(header)] = OWN_EXPORT_KEYS.get(column.key, IGNORED)
    return table


@dataclass(frozen=True)
class FormatSpec:
    format: ImportFormat
    headers: dict[str, str]
    # Header keys any one of which, present, identifies the format (first match wins).
    marks: frozenset[str] = field(default_factory=frozenset)


def _marks(*headers: str) -> frozenset[str]:
    return frozenset(header_key(h) for h in headers)


FORMATS: tuple[FormatSpec, ...] = (
    FormatSpec(ImportFormat.CUSTOMERHUB, own_export_table(),
               _marks("Customer type", "Tipo de cliente")),
    FormatSpec(ImportFormat.SHOPIFY, SHOPIFY,
               _marks("Accepts Email Marketing", "Default Address Address1")),
    FormatSpec(ImportFormat.SQUARE, SQUARE,
               _marks("Square Customer ID", "Email Subscription Status", "Street Address 1")),
    FormatSpec(ImportFormat.GENERIC, GENERIC),
)
SPEC = {spec.format: spec for spec in FORMATS}


@dataclass(frozen=True)
class ColumnMap:
    """What each column of a file fills: by position, the field or IGNORED or None (unknown)."""

    format: ImportFormat
    headers: tuple[str, ...]
    targets: tuple[str | None, ...]

    @property
    def unknown(self) -> list[str]:
        return [h for h, t in zip(self.headers, self.targets, strict=True) if t is None and h]

    @property
    def ignored(self) -> list[str]:
        return [h for h, t in zip(self.headers, self.targets, strict=True) if t == IGNORED]

    def mapped(self) -> dict[str, str]:
        """{field: header} of the columns that fill a field (the first column wins)."""
        result: dict[str, str] = {}
        for header, target in zip(self.headers, self.targets, strict=True):
            if target is not None and target != IGNORED:
                result.setdefault(target, header)
        return result


def recognise(headers: Sequence[str], chosen: ImportFormat | None = None) -> ColumnMap:
    """The format of a file by its header row (or the one chosen) and what each column fills."""
    keys = [header_key(h) for h in headers]
    if chosen is None:
        chosen = next((spec.format for spec in FORMATS
                       if spec.marks and spec.marks & set(keys)), ImportFormat.GENERIC)
    table = SPEC[chosen].headers
    targets = tuple(table.get(k) if k else None for k in keys)
    return ColumnMap(chosen, tuple(h.strip() for h in headers), targets)
