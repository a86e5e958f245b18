"""A domain event row read as an `ActivityEntry`: its summary line and its changes.

Payloads are read leniently (`.get`): events written before a payload gained a key still show.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Row

from models.core.changes import ERASED
from models.core.enums import ActorKind
from models.core.events import EventKind
from resolvers.common import Money
from resolvers.customers.activity import (
    ACTIVITY_CURSOR,
    ActivityActor,
    ActivityChange,
    ActivityConnection,
    ActivityEdge,
    ActivityEntry,
)
from resolvers.node import to_global_id
from resolvers.pagination import Window, encode_cursor, page_info

ActorKey = tuple[ActorKind, str]
# What the API calls a field whose column has another name, and how a summary says it.
API_NAMES = {"phone_e164": "phone"}
LABELS = {"phone_e164": "phone", "main_store_id": "main store"}
ACTOR_TYPES = {ActorKind.STAFF_USER: "StaffUser", ActorKind.API_KEY: "ApiKey",
               ActorKind.CUSTOMER: "Customer"}
ACTOR_NAMES = {ActorKind.CUSTOMER: "the customer", ActorKind.SYSTEM: "system"}
# Fields whose values only callers with the notes permission may read.
NOTES_FIELDS = frozenset({"notes"})


def activity_entry(row: Row[Any], currency: str, names: Mapping[ActorKey, str | None],
                   show_notes: bool) -> ActivityEntry:
    kind = EventKind(row.kind)
    payload: dict[str, Any] = row.payload or {}
    return ActivityEntry(
        id=to_global_id("ActivityEntry", row.id), occurred_at=row.occurred_at, kind=kind,
        summary=SUMMARIES[kind](payload, currency),
        actor=_actor(row.actor_kind, row.actor_id, names),
        changes=_changes(kind, payload, show_notes), request_id=row.request_id)


def activity_connections(keys: Sequence[int], events: Sequence[Sequence[Row[Any]]],
                         page: Window, names: Mapping[ActorKey, str | None], currency: str,
                         show_notes: bool) -> list[ActivityConnection]:
    """The connection of each customer of `keys` from their event rows (up to one past the
    page, newest first). `show_notes`: as `Customer.notes`, decided once per request."""
    connections = []
    for key, rows in zip(keys, events, strict=True):
        edges = [ActivityEdge(cursor=encode_cursor(ACTIVITY_CURSOR, [row.id]),
                              node=activity_entry(row, currency, names, show_notes))
                 for row in rows[: page.size]]
        connections.append(ActivityConnection(
            edges=edges, page_info=page_info(page, [e.cursor for e in edges],
                                             len(rows) > page.size),
            customer_pk=key))
    return connections


def named_actor(kind: ActorKind, actor_id: str | None) -> ActorKey | None:
    """The key under which an actor's name is looked up, when it has to be."""
    if kind in (ActorKind.API_KEY, ActorKind.STAFF_USER) and actor_id is not None:
        return kind, actor_id
    return None


def _actor(kind: ActorKind, actor_id: str | None, names: Mapping[ActorKey, str | None]
           ) -> ActivityActor:
    type_name = ACTOR_TYPES.get(kind)
    global_id = (to_global_id(type_name, int(actor_id))
                 if type_name and actor_id is not None and actor_id.isdigit() else None)
    key = named_actor(kind, actor_id)
    name = names.get(key) if key is not None else ACTOR_NAMES.get(kind)
    return ActivityActor(kind=kind, id=global_id, name=name)


def _changes(kind: EventKind, payload: Mapping[str, Any], show_notes: bool
             ) -> list[ActivityChange]:
    if kind is EventKind.ORDER_STATUS_CHANGED and "from" in payload:
        return [ActivityChange(field="status", from_=payload["from"], to=payload.get("to"),
                               redacted=False)]
    changed = payload.get("changed")
    if isinstance(changed, list):  # events written before values were kept: names only
        return [ActivityChange(field=_api_name(name), from_=None, to=None, redacted=True)
                for name in changed]
    if not isinstance(changed, dict):
        return []
    result = []
    for name, change in changed.items():
        if change.get(ERASED) or (name in NOTES_FIELDS and not show_notes):
            result.append(ActivityChange(field=_api_name(name), from_=None, to=None,
                                         redacted=True))
        else:
            result.append(ActivityChange(
                field=_api_name(name), from_=_text(name, change.get("from")),
                to=_text(name, change.get("to")), redacted=False))
    return result


def _api_name(name: str) -> str:
    name = API_NAMES.get(name, name)
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # addresses, one line each
        return "; ".join(str(v) for v in value) or None
    if name == "main_store_id" and isinstance(value, int):
        return to_global_id("Store", value)
    return str(value)


def _fields(payload: Mapping[str, Any]) -> str:
    """`email and phone`, `first name, email and addresses`."""
    changed = payload.get("changed") or []
    labels = [LABELS.get(name, name.replace("_", " ")) for name in changed]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _order(payload: Mapping[str, Any]) -> str:
    number = payload.get("number")
    return f"Order {number}" if number else "An order"


def _created(payload: Mapping[str, Any], _currency: str) -> str:
    source = payload.get("source")
    how = "Created as a guest with an order" if payload.get("by") == "order" else "Created"
    return f"{how} (source {source})" if source else how


def _updated(payload: Mapping[str, Any], _currency: str) -> str:
    return f"Updated {_fields(payload)}" if payload.get("changed") else "Updated"


def _registered(payload: Mapping[str, Any], _currency: str) -> str:
    fields = _fields(payload)
    return f"Registered, with {fields}" if fields else "Registered"


def _consent(payload: Mapping[str, Any], _currency: str) -> str:
    decision = ("Subscribed to marketing" if payload.get("subscribed")
                else "Unsubscribed from marketing")
    source = payload.get("source")
    return f"{decision} through {source}" if source else decision


def _merged(payload: Mapping[str, Any], _currency: str) -> str:
    merged = payload.get("merged") or [{"id": i} for i in payload.get("merged_ids") or []]
    count = len(merged)
    line = f"Merged {count} customer{'s' if count != 1 else ''} into this one"
    names = [m["name"] for m in merged if m.get("name")]
    return f"{line}: {', '.join(names)}" if names else line


def _erased(_payload: Mapping[str, Any], _currency: str) -> str:
    return "Personal data erased on request"


def _order_recorded(payload: Mapping[str, Any], currency: str) -> str:
    line = f"{_order(payload)} recorded"
    total = payload.get("total")
    if isinstance(total, int):
        line += f": {Money.of(total, currency).amount} {currency}"
    status = payload.get("status")
    return f"{line} ({status})" if status else line


def _status_changed(payload: Mapping[str, Any], _currency: str) -> str:
    return f"{_order(payload)}: {payload.get('from')} → {payload.get('to')}"


def _delivery_times(payload: Mapping[str, Any], _currency: str) -> str:
    return f"{_order(payload)}: delivery times changed"


def _points(payload: Mapping[str, Any], _currency: str) -> str:
    points = int(payload.get("points") or 0)
    line = f"{points:+d} points ({payload.get('kind')})"
    reason = payload.get("reason")
    return f"{line}: {reason}" if reason else line


def _signed_in(payload: Mapping[str, Any], _currency: str) -> str:
    method = {"password": " with a password", "code": " with a one-time code"}
    return "Signed in" + method.get(payload.get("method") or "", "")


def _settings(payload: Mapping[str, Any], _currency: str) -> str:
    return f"Organization settings changed: {_fields(payload)}"


def _staff_or_key(what: str) -> Callable[[Mapping[str, Any], str], str]:
    """Events about the organization's access (no customer's activity shows them)."""
    def summary(payload: Mapping[str, Any], _currency: str) -> str:
        name = payload.get("name")
        return what.format(name=f" {name}" if name else "")
    return summary


SUMMARIES: dict[EventKind, Callable[[Mapping[str, Any], str], str]] = {
    EventKind.CUSTOMER_CREATED: _created,
    EventKind.CUSTOMER_UPDATED: _updated,
    EventKind.CUSTOMER_REGISTERED: _registered,
    EventKind.CUSTOMER_CONSENT_CHANGED: _consent,
    EventKind.CUSTOMER_MERGED: _merged,
    EventKind.CUSTOMER_ERASED: _erased,
    EventKind.ORDER_RECORDED: _order_recorded,
    EventKind.ORDER_STATUS_CHANGED: _status_changed,
    EventKind.ORDER_DELIVERY_TIMES_CHANGED: _delivery_times,
    EventKind.LOYALTY_POINTS_CHANGED: _points,
    EventKind.CUSTOMER_SIGNED_IN: _signed_in,
    EventKind.ORGANIZATION_SETTINGS_UPDATED: _settings,
    EventKind.API_KEY_CREATED: _staff_or_key("API key{name} created"),
    EventKind.API_KEY_REVOKED: _staff_or_key("API key{name} revoked"),
    EventKind.STAFF_USER_CREATED: _staff_or_key("Staff user created"),
    EventKind.STAFF_USER_UPDATED: _staff_or_key("Staff user changed"),
    EventKind.STAFF_USER_PASSWORD_CHANGED: _staff_or_key("Staff user's password changed"),
}
