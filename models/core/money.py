"""Money in minor units (integers) and its decimal form in the currency's own precision."""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies whose minor unit is not the cent; everything else has two decimals.
_EXPONENTS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def to_decimal(minor: int, currency: str) -> Decimal:
    """`1234` EUR -> `Decimal("12.34")`, always with the currency's number of decimals."""
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def to_minor(amount: Decimal, currency: str) -> int:
    """`Decimal("12.345")` EUR -> `1235`: rounded half up to the currency's minor unit."""
    return int(amount.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


AVERAGE_MONTH_DAYS = 30.436875


def monthly_spend(total_spent: int, first_order_at: datetime | None,
                  now: datetime | None = None) -> int:
    """Total spent (minor units) divided by the months since the first order, at least one."""
    if first_order_at is None:
        return 0
    days = ((now or datetime.now(UTC)) - first_order_at).total_seconds() / 86400
    months = max(1.0, days / AVERAGE_MONTH_DAYS)
    return round(total_spent / months)
