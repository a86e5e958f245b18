"""Types shared across the schema: money, ranges, paging info and sort direction."""

from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache

import strawberry

from models.core.money import to_decimal


@strawberry.type(description="An amount of money in a currency; `amount` is a decimal string.")
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, minor: int, currency: str) -> "Money":
        return _money(minor, currency)


@lru_cache(maxsize=65536)
def _money(minor: int, currency: str) -> Money:
    # Prices and totals repeat across a page: one shared, never-mutated object per amount.
    return Money(amount=to_decimal(minor, currency), currency=currency)


@strawberry.enum
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="`from` inclusive, `to` exclusive; either may be left out.")
class DateTimeRange:
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None


@strawberry.input(description="Inclusive bounds; either may be left out.")
class IntRange:
    min: int | None = None
    max: int | None = None


@strawberry.input(description="Inclusive bounds in the organization's currency, e.g. `\"25.50\"`.")
class DecimalRange:
    min: Decimal | None = None
    max: Decimal | None = None


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None
