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

from models.money import monthly_spend, to_decimal


class ColumnKind(Enum):
    TEXT = "TEXT"
    INTEGER = "INTEGER"
    MONEY = "MONEY"
    DATETIME = "DATETIME"
    DATE = "DATE"
    BOOLEAN = "BOOLEAN"


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """A customer as the export reads it: the row (its columns by name), its store names and the
    currency."""

    customer: Any
    main_store: str | None
    stores: tuple[str, ...]
    currency: str
    now: datetime


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    en: str
    es: str
    kind: ColumnKind
    value: Callable[[CustomerRow], Any]

    def header(self, locale: str) -> str:
        return self.es if locale.upper() == "ES" else self.en


def _field(name: str) -> Callable[[CustomerRow], Any]:
    return lambda row: getattr(row.customer, name)


def _name(name: str) -> Callable[[CustomerRow], Any]:
    """An enum's name (`WEB`), as GraphQL shows it."""
    def value(row: CustomerRow) -> str | None:
        member = getattr(row.customer, name)
        return member.name if member is not None else None
    return value


def _money(name: str) -> Callable[[CustomerRow], Decimal]:
    return lambda row: to_decimal(getattr(row.customer, name), row.currency)


def _monthly(row: CustomerRow) -> Decimal:
    c = row.customer
    return to_decimal(monthly_spend(c.total_spent, c.first_order_at, row.now), row.currency)


def _full_name(row: CustomerRow) -> str:
    return " ".join(p for p in (row.customer.first_name, row.customer.last_name) if p)


T, INT, M, DT, D, B = (ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.MONEY,
                     ColumnKind.DATETIME, ColumnKind.DATE, ColumnKind.BOOLEAN)

COLUMNS: tuple[Column, ...] = (
    Column("ID", "Customer ID", "ID de cliente", INT, _field("id")),
    Column("TYPE", "Customer type", "Tipo de cliente", T, _name("type")),
    Column("FIRST_NAME", "First name", "Nombre", T, _field("first_name")),
    Column("LAST_NAME", "Last name", "Apellidos", T, _field("last_name")),
    Column("FULL_NAME", "Full name", "Nombre completo", T, _full_name),
    Column("EMAIL", "Email", "Correo electrónico", T, _field("email")),
    Column("PHONE", "Phone", "Teléfono", T, _field("phone_e164")),
    Column("SOURCE", "Source", "Origen", T, _name("source")),
    Column("MAIN_STORE", "Main store", "Tienda principal", T, lambda row: row.main_store),
    Column("STORES", "Stores", "Tiendas", T, lambda row: ", ".join(row.stores)),
    Column("REGISTERED_AT", "Registration", "Fecha de registro", DT, _field("registered_at")),
    Column("LAST_ACCESS_AT", "Last access", "Último acceso", DT, _field("last_access_at")),
    Column("LAST_ACTIVITY_AT", "Last activity", "Última actividad", DT,
           _field("last_activity_at")),
    Column("MARKETING_CONSENT", "Marketing communications", "Comunicaciones comerciales", B,
           _field("subscribed")),
    Column("CONSENT_UPDATED_AT", "Consent updated", "Consentimiento actualizado", DT,
           _field("consent_updated_at")),
    Column("CONSENT_SOURCE", "Consent source", "Origen del consentimiento", T,
           _name("consent_source")),
    Column("BIRTHDAY", "Birthday", "Fecha de nacimiento", D, _field("birthday")),
    Column("EXTERNAL_ID", "External ID", "ID externo", T, _field("external_id")),
    Column("SHOPPER_LEVEL", "Shopper level", "Nivel de comprador", T, _name("shopper_level")),
    Column("RISK_LEVEL", "Risk level", "Nivel de riesgo", T, _name("risk_level")),
    Column("COMPANY_NAME", "Company", "Empresa", T, _field("company_name")),
    Column("TAX_EXEMPT", "Tax exempt", "Exento de impuestos", B, _field("tax_exempt")),
    Column("AGE_RESTRICTED_ALLOWED", "Age-restricted products allowed",
           "Productos con restricción de edad permitidos", B, _field("age_restricted_allowed")),
    Column("NOTES", "Notes", "Notas", T, _field("notes")),
    Column("ORDER_COUNT", "Orders", "Pedidos", INT, _field("order_count")),
    Column("TOTAL_SPENT", "Total spent", "Gasto total", M, _money("total_spent")),
    Column("AVERAGE_SPEND", "Average spend", "Gasto medio", M, _money("average_spend")),
    Column("MONTHLY_SPEND", "Monthly spend", "Gasto mensual", M, _monthly),
    Column("FIRST_ORDER_AT", "First order", "Primer pedido", DT, _field("first_order_at")),
    Column("LAST_ORDER_AT", "Last order", "Último pedido", DT, _field("last_order_at")),
    Column("LAST_ORDER_STATUS", "Last order status", "Estado del último pedido", T,
           _name("last_order_status")),
    Column("LAST_ORDER_PUNCTUALITY", "Last order punctuality", "Puntualidad del último pedido",
           T, _name("last_order_punctuality")),
    Column("POINTS", "Points", "Puntos", INT, _field("points_balance")),
    Column("EARNED_POINTS", "Earned points", "Puntos ganados", INT, _field("points_earned")),
    Column("CREATED_AT", "Created", "Fecha de alta", DT, _field("created_at")),
    Column("UPDATED_AT", "Updated", "Fecha de modificación", DT, _field("updated_at")),
)

BY_KEY = {column.key: column for column in COLUMNS}
# The keys as an enum (GraphQL's `CustomerColumn`), in the default order.
CustomerColumn = Enum(  # type: ignore[misc]
    "CustomerColumn", {column.key: column.key for column in COLUMNS})


def columns_for(keys: Sequence[str] | None) -> list[Column]:
    """The columns with these keys in this order, or every column; unknown keys raise KeyError."""
    return [BY_KEY[key] for key in keys] if keys else list(COLUMNS)
