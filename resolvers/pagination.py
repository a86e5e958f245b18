"""Connection arguments (`first`/`after`, `last`/`before`) and opaque cursors."""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from resolvers.common import PageInfo
from resolvers.engine.errors import ClientError
from resolvers.engine.limits.errors import limit_exceeded

DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Window:
    """The slice of a list asked for: `size` rows after (or, backwards, before) a cursor."""

    size: int
    cursor: str | None
    backwards: bool


def window(first: int | None, after: str | None, last: int | None, before: str | None,
           max_size: int) -> Window:
    if first is not None and last is not None:
        raise ClientError("Pass `first` or `last`, not both.")
    if (after is not None and last is not None) or (before is not None and first is not None):
        raise ClientError("Use `after` with `first`, and `before` with `last`.")
    backwards = last is not None or before is not None
    size = (last if backwards else first)
    if size is None:
        size = DEFAULT_PAGE_SIZE
    if size < 0:
        raise ClientError("`first` and `last` cannot be negative.")
    if size > max_size:
        # Operations over the limit are refused before they run (resolvers/engine/limits/cost.py);
        # this is the same refusal for callers that run a resolver without that check.
        argument = "last" if backwards else "first"
        raise limit_exceeded(
            f"A page holds at most {max_size} items; `{argument}` asked for {size}. "
            "Page through with `after`/`before`.", "PAGE_SIZE_EXCEEDED", max_size, size)
    return Window(size, before if backwards else after, backwards)


def page_info(window: Window, cursors: Sequence[str], has_more: bool) -> PageInfo:
    return PageInfo(
        has_next_page=has_more if not window.backwards else window.cursor is not None,
        has_previous_page=has_more if window.backwards else window.cursor is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def encode_cursor(kind: str, values: Sequence[Any]) -> str:
    """An opaque cursor for a row of a list read in the order named by `kind`."""
    encoded = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(orjson.dumps([kind, encoded])).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> list[Any]:
    """The values inside `cursor`; a cursor from another list or order is a client error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found_kind, values = orjson.loads(base64.urlsafe_b64decode(padded))
        if found_kind != kind or not isinstance(values, list):
            raise ValueError(kind)
        return [datetime.fromisoformat(v["t"]) if isinstance(v, dict) else v for v in values]
    except (binascii.Error, ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise ClientError("This cursor does not belong to this list and sort order; "
                          "start again without `after`/`before`.", code="INVALID_CURSOR"
                          ) from None
