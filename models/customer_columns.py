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


@dataclass(frozen=True, slots=True)
class Field:
    """A column of the customer row as it is: an enum by its name (`WEB`), as GraphQL shows it.

    The export reads these by position (models/customer_export.py); anything else is computed
    from the whole `CustomerRow`."""

    name: str

    def __call__(self, row: CustomerRow) -> Any:
        value = getattr(row.customer, self.name)
        return value.name if isinstance(value, Enum) else value


@dataclass(frozen=True, slots=True)
class MoneyField(Field):
    """An amount kept in minor units, in the organization's currency."""

    def __call__(self, row: CustomerRow) -> Decimal:
        return to_decimal(getattr(row.customer, self.name), row.currency)




def _monthly(row: CustomerRow) -> Decimal:
    c = row.customer
    return to_decimal(monthly_spend(c.total_spent, c.first_order_at, row.now), row.currency)


def _full_name(row: CustomerRow) -> str:
    return " ".join(p for p in (row.customer.first_name, row.customer.last_name) if p)


T, INT, M, DT, D, B = (ColumnKind.TEXT, ColumnKind.INTEGER, ColumnKind.MONEY,
                     ColumnKind.DATETIME, ColumnKind.DATE, ColumnKind.BOOLEAN)

COLUMNS: tuple[Column, ...] = (
    Column("ID", "Customer ID", "ID de cliente", INT, Field("id")),
    Column("TYPE", "Customer type", "Tipo de cliente", T, Field("type")),
    Column("FIRST_NAME", "First name", "Nombre", T, Field("first_name")),
    Column("LAST_NAME", "Last name", "Apellidos", T, Field("last_name")),
    Column("FULL_NAME", "Full name", "Nombre completo", T, _full_name),
    Column("EMAIL", "Email", "Correo electrónico", T, Field("email")),
    Column("PHONE", "Phone", "Teléfono", T, Field("phone_e164")),
    Column("ADDRESS_LINE1", "Address line 1", "Dirección, línea 1", T, Field("address_line1")),
    Column("ADDRESS_LINE2", "Address line 2", "Dirección, línea 2", T, Field("address_line2")),
    Column("CITY", "City", "Ciudad", T, Field("address_city")),
    Column("POSTAL_CODE", "Postal code", "Código postal", T, Field("address_postal_code")),
    Column("REGION", "Region", "Provincia", T, Field("address_region")),
    Column("COUNTRY", "Country", "País", T, Field("address_country")),
    Column("SOURCE", "Source", "Origen", T, Field("source")),
    Column("MAIN_STORE", "Main store", "Tienda principal", T, lambda row: row.main_store),
    Column("STORES", "Stores", "Tiendas", T, lambda row: ", ".join(row.stores)),
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
    Column("MONTHLY_SPEND", "Monthly spend", "Gasto mensual", M, _monthly),
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
