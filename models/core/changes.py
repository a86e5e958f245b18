"""What a write changed, as an event payload keeps it: each field's value before and after.

`changed(...)` gives `{"email": {"from": "a@x.es", "to": "b@x.es"}, ...}`, the `changed` part of
the payload of `customer.created`, `customer.updated`, `customer.registered`, `customer.merged`,
`customer.consent_changed` and `order.delivery_times_changed`. Values are plain JSON and short:
dates as ISO text, enums by name, addresses one line each, and text cut at `MAX_TEXT`
characters (a 5,000-character note would otherwise be copied twice into every edit's event).
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

MAX_TEXT = 200
ERASED = "erased"  # set on a change whose values were wiped when the customer was erased


def plain(value: Any) -> Any:
    """`value` as an event payload holds it."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return _cut(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "line1"):  # an address: the form's fields or a stored row
        return address_line(value)
    raise TypeError(f"no plain form for {type(value).__name__}")


def address_line(address: Any) -> str:
    """`Home: Gran Vía 1, 28013 Madrid, ES`."""
    parts = [address.line1, address.line2,
             " ".join(p for p in (address.postal_code, address.city) if p), address.region,
             address.country]
    line = ", ".join(p for p in parts if p)
    return _cut(f"{address.label}: {line}" if address.label else line)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def changed(pairs: Mapping[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
    """`{field: (before, after)}` as a payload's `changed`, leaving out what did not change."""
    result = {}
    for name, (before, after) in pairs.items():
        old, new = plain(before), plain(after)
        if old != new:
            result[name] = {"from": old, "to": new}
    return result


def without_values(payload: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The payload with the values of `fields` wiped from its changes (and the names of merged
    customers), keeping which fields changed. For erasure: the log keeps that something
    changed, and no longer what it was."""
    wiped = frozenset(fields)
    result = dict(payload)
    changes = payload.get("changed")
    if isinstance(changes, dict):
        result["changed"] = {
            name: ({"from": None, "to": None, ERASED: True} if name in wiped else change)
            for name, change in changes.items()}
    merged = payload.get("merged")
    if isinstance(merged, list):
        result["merged"] = [{**m, "name": None} for m in merged if isinstance(m, dict)]
    return result
