"""Keyset (cursor) pagination over any ordered list of columns, with NULLs always last.

A page is read with `ORDER BY k1, k2, ..., id` and continues strictly after the last row's
values, so that paging never repeats or skips a row, however the rows tie.
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

    def order_by(self, reverse: bool = False) -> ColumnElement[Any]:
        descending = self.descending != reverse
        ordered = self.column.desc() if descending else self.column.asc()
        # NULLs go last in the list's own order, and so first when it is read backwards.
        return ordered.nulls_first() if reverse else ordered.nulls_last()

    def beyond(self, value: Any, reverse: bool = False) -> ColumnElement[bool]:
        """Rows whose value for this key comes strictly after `value` in reading order."""
        column = self.column
        if reverse:
            # Reading backwards, NULLs come first: beyond a NULL lies every non-NULL value.
            if value is None:
                return column.is_not(None)
            return column > value if self.descending else column < value
        if value is None:
            return false()
        return or_(column < value if self.descending else column > value, column.is_(None))


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
