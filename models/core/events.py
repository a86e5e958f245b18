"""The outbox of domain events, appended in the same transaction as the write they describe.

The events are also the audit log (`Customer.activity`): each says who acted, when, and what
changed (`models/core/changes.py` builds the `changed` part of a payload).
"""

from contextvars import ContextVar
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.core.actors import Actor
from models.core.base import Base, BigId, TenantScoped, enum_column, utcnow
from models.core.enums import ActorKind


class EventKind(StrEnum):
    """Every kind of event a rule records; `record_event` refuses any other, so that the
    activity log (`resolvers/customers/activity_entries.py`) can name and summarise every event
    it reads."""

    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    CUSTOMER_REGISTERED = "customer.registered"
    CUSTOMER_CONSENT_CHANGED = "customer.consent_changed"
    CUSTOMER_MERGED = "customer.merged"
    CUSTOMER_ERASED = "customer.erased"
    CUSTOMER_SIGNED_IN = "customer.signed_in"
    ORDER_RECORDED = "order.recorded"
    ORDER_STATUS_CHANGED = "order.status_changed"
    ORDER_DELIVERY_TIMES_CHANGED = "order.delivery_times_changed"
    LOYALTY_POINTS_CHANGED = "loyalty.points_changed"
    ORGANIZATION_SETTINGS_UPDATED = "organization.settings_updated"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    STAFF_USER_CREATED = "staff_user.created"
    STAFF_USER_UPDATED = "staff_user.updated"
    STAFF_USER_PASSWORD_CHANGED = "staff_user.password_changed"


# The request an event is written in, so that an audit entry can be matched with the server's
# logs. Whoever assigns request IDs sets it once per request (rules never pass it around); it
# stays empty where nobody does (the CLI, and the server until it assigns request IDs).
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


class DomainEvent(TenantScoped, Base):
    __tablename__ = "domain_events"
    __table_args__ = (
        Index("ix_domain_events_org_id", "organization_id", "id"),
        # A customer's activity is read newest first, a page at a time, by id.
        Index("ix_domain_events_customer", "customer_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_kind: Mapped[ActorKind] = mapped_column(enum_column(ActorKind))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    request_id: Mapped[str | None] = mapped_column(String(64))


def event_values(actor: Actor, kind: EventKind | str, customer_id: int | None,
                 payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """An event's row as values: what `record_event` adds one at a time and a bulk writer
    (models/imports/batch.py) inserts many at a time, so that both write the same thing.

    `kind` is an `EventKind` or its value (a kind it does not know is a ValueError). The
    payload must be JSON, and small: what changed (`models/core/changes.py`), not copies of rows.
    """
    return {"organization_id": actor.organization_id, "customer_id": customer_id,
            "kind": EventKind(kind).value, "payload": payload or {}, "actor_kind": actor.kind,
            "actor_id": actor.id, "request_id": current_request_id.get()}


def record_event(session: AsyncSession, actor: Actor, kind: EventKind | str,
                 customer_id: int | None, payload: dict[str, Any] | None = None
                 ) -> DomainEvent:
    """Append an event to the outbox, in the caller's transaction (see `event_values`)."""
    event = DomainEvent(**event_values(actor, kind, customer_id, payload))
    session.add(event)
    return event
