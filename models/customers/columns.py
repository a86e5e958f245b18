"""The columns of a customer export, in their default order: key, headers, kind and value.

The keys are GraphQL's `CustomerColumn` values; the headers are what a spreadsheet shows, and
what the import recognises our own export by, so no two columns share a header in any language.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from models.core.money import exponent, monthly_spend


class ColumnKind(Enum):
    TEXT = "TEXT"
    INTEGER = "INTEGER"
    MONEY = "MONEY"
    DATETIME = "DATETIME"
    DATE = "DATE"
    BOOLEAN = "BOOLEAN"


@dataclass(frozen=True, slots=True)
class Field:
    """A column of the customer row as it is stored, an enum by its name (`WEB`), as GraphQL
    shows it; `address_*` are the columns of the main address."""

    name: str


@dataclass(frozen=True, slots=True)
class MoneyField(Field):
    """An amount kept in minor units, shown in the organization's currency (`Decimal`)."""


@dataclass(frozen=True, slots=True)
class ExportContext:
    """What a computed column needs besides the row: the organization's store names by id, its
    currency, and the moment the export started."""

    store_names: dict[int, str]
    currency: str
    now: datetime


@dataclass(frozen=True, slots=True)
class Computed:
    """A value computed from some fields of the row: `make(context)` gives the function that
    takes those fields' values, in order, and returns the cell. `store_ids` is the ids of the
    stores the customer ordered at (`"1,3"`, or None)."""

    fields: tuple[str, ...]
    make: Callable[[ExportContext], Callable[..., Any]]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    en: str
    es: str
    kind: ColumnKind
    value: Field | Computed

    def header(self, locale: str) -> str:
        return self.es if locale.upper() == "ES" else self.en


def full_name(first: str | None, last: str | None) -> str:
    """The names that are there, a space apart."""
    return f"{first} {last}" if first and last else first or last or ""


def _full_name(_context: ExportContext) -> Callable[[str | None, str | None], str]:
    return full_name


def _main_store(context: ExportContext) -> Callable[[int], str | None]:
    get: Callable[[int], str | None] = context.store_names.get
    return get


# Distinct store lists kept by `_stores`; past it each new one is made again every time.
STORE_LISTS_KEPT = 10_000


def _stores(context: ExportContext) -> Callable[[str | None], str]:
    """The names of the stores, by id, comma separated. A customer of a few stores among a few
    hundred: the same lists come back again and again, so each is made once."""
    names, made = context.store_names, {None: "", "": ""}

    def stores(ids: str | None) -> str:
        found = made.get(ids)
        if found is None and ids is not None:
            found = ", ".join(names.get(i, "") for i in sorted(map(int, ids.split(","))))
            if len(made) < STORE_LISTS_KEPT:
                made[ids] = found
        return found or ""
    return stores


def _monthly(context: ExportContext) -> Callable[[int, datetime | None], Decimal]:
    """`monthly_spend` in the currency (`to_decimal`, whose quantize is a no-op here)."""
    now, places = context.now, -exponent(context.currency)

    def monthly(total_spent: int, first_order_at: datetime | None) -> Decimal:
        if first_order_at is None:
            return Decimal(0).scaleb(places)
        return Decimal(monthly_spend(total_spent, first_order_at, now)).scaleb(places)
    return monthly


T, INT, M, DT, D, B = (ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.MONEY,
                     ColumnKind.DATETIME, ColumnKind.DATE, ColumnKind.BOOLEAN)

COLUMNS: tuple[Column, ...] = (
    Column("ID", "Customer ID", "ID de cliente", INT, Field("id")),
    Column("TYPE", "Customer type", "Tipo de cliente", T, Field("type")),
    Column("FIRST_NAME", "First name", "Nombre", T, Field("first_name")),
    Column("LAST_NAME", "Last name", "Apellidos", T, Field("last_name")),
    Column("FULL_NAME", "Full name", "Nombre completo", T,
           Computed(("first_name", "last_name"), _full_name)),
    Column("EMAIL", "Email", "Correo electrónico", T, Field("email")),
    Column("PHONE", "Phone", "Teléfono", T, Field("phone_e164")),
    Column("ADDRESS_LINE1", "Address line 1", "Dirección, línea 1", T, Field("address_line1")),
    Column("ADDRESS_LINE2", "Address line 2", "Dirección, línea 2", T, Field("address_line2")),
    Column("CITY", "City", "Ciudad", T, Field("address_city")),
    Column("POSTAL_CODE", "Postal code", "Código postal", T, Field("address_postal_code")),
    Column("REGION", "Region", "Provincia", T, Field("address_region")),
    Column("COUNTRY", "Country", "País", T, Field("address_country")),
    Column("SOURCE", "Source", "Origen", T, Field("source")),
    Column("MAIN_STORE", "Main store", "Tienda principal", T,
           Computed(("main_store_id",), _main_store)),
    Column("STORES", "Stores", "Tiendas", T, Computed(("store_ids",), _stores)),
    Column("REGISTERED_AT", "Registration", "Fecha de registro", DT, Field("registered_at")),
    Column("LAST_ACCESS_AT", "Last access", "Último acceso", DT, Field("last_access_at")),
    Column("LAST_ACTIVITY_AT", "Last activity", "Última actividad", DT,
           Field("last_activity_at")),
    Column("MARKETING_CONSENT", "Marketing communications", "Comunicaciones comerciales", B,
           Field("subscribed")),
    Column("CONSENT_UPDATED_AT", "Consent updated", "Consentimiento actualizado", DT,
           Field("consent_updated_at")),
    Column("CONSENT_SOURCE", "Consent source", "Origen del consentimiento", T,
           Field("consent_source")),
    Column("BIRTHDAY", "Birthday", "Fecha de nacimiento", D, Field("birthday")),
    Column("EXTERNAL_ID", "External ID", "ID externo", T, Field("external_id")),
    Column("SHOPPER_LEVEL", "Shopper level", "Nivel de comprador", T, Field("shopper_level")),
    Column("RISK_LEVEL", "Risk level", "Nivel de riesgo", T, Field("risk_level")),
    Column("COMPANY_NAME", "Company", "Empresa", T, Field("company_name")),
    Column("TAX_EXEMPT", "Tax exempt", "Exento de impuestos", B, Field("tax_exempt")),
    Column("AGE_RESTRICTED_ALLOWED", "Age-restricted products allowed",
           "Productos con restricción de edad permitidos", B, Field("age_restricted_allowed")),
    Column("NOTES", "Notes", "Notas", T, Field("notes")),
    Column("ORDER_COUNT", "Orders", "Pedidos", INT, Field("order_count")),
    Column("TOTAL_SPENT", "Total spent", "Gasto total", M, MoneyField("total_spent")),
    Column("AVERAGE_SPEND", "Average spend", "Gasto medio", M, MoneyField("average_spend")),
    Column("MONTHLY_SPEND", "Monthly spend", "Gasto mensual", M,
           Computed(("total_spent", "first_order_at"), _monthly)),
    Column("FIRST_ORDER_AT", "First order", "Primer pedido", DT, Field("first_order_at")),
    Column("LAST_ORDER_AT", "Last order", "Último pedido", DT, Field("last_order_at")),
    Column("LAST_ORDER_STATUS", "Last order status", "Estado del último pedido", T,
           Field("last_order_status")),
    Column("LAST_ORDER_PUNCTUALITY", "Last order punctuality", "Puntualidad del último pedido",
           T, Field("last_order_punctuality")),
    Column("POINTS", "Points", "Puntos", INT, Field("points_balance")),
    Column("EARNED_POINTS", "Earned points", "Puntos ganados", INT, Field("points_earned")),
    Column("CREATED_AT", "Created", "Fecha de alta", DT, Field("created_at")),
    Column("UPDATED_AT", "Updated", "Fecha de modificación", DT, Field("updated_at")),
)

BY_KEY = {column.key: column for column in COLUMNS}
# The keys as an enum (GraphQL's `CustomerColumn`), in the default order.
CustomerColumn = Enum(  # type: ignore[misc]
    "CustomerColumn", {column.key: column.key for column in COLUMNS})


def columns_for(keys: Sequence[str] | None) -> list[Column]:
    """The columns with these keys in this order, or every column; unknown keys raise KeyError."""
    return [BY_KEY[key] for key in keys] if keys else list(COLUMNS)
