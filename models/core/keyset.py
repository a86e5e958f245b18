"""Keyset (cursor) pagination over any ordered list of columns.

A page is read with `ORDER BY k1, k2, ..., id` and continues strictly after the last row's
values, so that paging never repeats or skips a row, however the rows tie.

Where NULLs go is a property of each key, chosen so that one b-tree index serves the key in
both directions: `nulls_low` keys treat NULL as smaller than every value (first ascending,
last descending); the others as larger. A column that cannot be NULL gets no NULLS clause at
all, since PostgreSQL only walks an index for an ORDER BY whose NULLS placement it matches.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute


@dataclass(frozen=True, slots=True)
class SortKey:
    column: InstrumentedAttribute[Any]
    descending: bool = False
    nulls_low: bool = False

    @property
    def nullable(self) -> bool:
        return bool(self.column.property.columns[0].nullable)

    def _ascending(self, reverse: bool) -> bool:
        return self.descending == reverse

    def _nulls_first(self, reverse: bool) -> bool:
        return self._ascending(reverse) == self.nulls_low

    def order_by(self, reverse: bool = False) -> ColumnElement[Any]:
        ordered = self.column.asc() if self._ascending(reverse) else self.column.desc()
        if not self.nullable:
            return ordered
        return ordered.nulls_first() if self._nulls_first(reverse) else ordered.nulls_last()

    def beyond(self, value: Any, reverse: bool = False) -> ColumnElement[bool]:
        """Rows whose value for this key comes strictly after `value` in reading order."""
        column = self.column
        nulls_first = self.nullable and self._nulls_first(reverse)
        if value is None:
            return column.is_not(None) if nulls_first else false()
        after_value = column > value if self._ascending(reverse) else column < value
        if self.nullable and not nulls_first:
            return or_(after_value, column.is_(None))
        return after_value


def order_by(keys: Sequence[SortKey], reverse: bool = False) -> list[ColumnElement[Any]]:
    return [key.order_by(reverse) for key in keys]


def after(keys: Sequence[SortKey], values: Sequence[Any], reverse: bool = False
          ) -> ColumnElement[bool]:
    """Rows strictly after the row whose key values are `values` (lexicographic order)."""
    alternatives: list[ColumnElement[bool]] = []
    equal_prefix: list[ColumnElement[bool]] = []
    for key, value in zip(keys, values, strict=True):
        alternatives.append(and_(true(), *equal_prefix, key.beyond(value, reverse)))
        equal_prefix.append(key.column.is_(None) if value is None else key.column == value)
    return or_(*alternatives)
