"""The append-only history of a customer's marketing consent decisions."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.core.actors import Actor
from models.core.base import Base, BigId, TenantScoped, by_customer, enum_column, utcnow
from models.core.changes import changed
from models.core.enums import ActorKind, ConsentSource
from models.core.events import DomainEvent, EventKind, event_values
from models.customers.table import Customer, locked_customer


class ConsentEvent(TenantScoped, Base):
    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_customer", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"))
    subscribed: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[ConsentSource] = mapped_column(enum_column(ConsentSource))
    actor_kind: Mapped[ActorKind] = mapped_column(enum_column(ActorKind))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime]


def consent_changes(consent_updated_at: datetime | None, current: bool, subscribed: bool
                    ) -> bool:
    """Whether a decision changes anything: the same decision again does not; the first one
    ever (no decision recorded yet) always does, so that the history starts with it."""
    return consent_updated_at is None or current != subscribed


def consent_decision(actor: Actor, customer_id: int, before: bool, subscribed: bool,
                     source: ConsentSource, now: datetime
                     ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A decision that changes something, as (the customer's new values, the history row, the
    `customer.consent_changed` event row): `set_consent` writes them one customer at a time,
    the import (models/imports/batch.py) a batch at a time."""
    customer = {"subscribed": subscribed, "consent_updated_at": now, "consent_source": source,
                "updated_at": now}
    history = {"organization_id": actor.organization_id, "customer_id": customer_id,
               "subscribed": subscribed, "source": source, "actor_kind": actor.kind,
               "actor_id": actor.id, "occurred_at": now}
    event = event_values(actor, EventKind.CUSTOMER_CONSENT_CHANGED, customer_id,
                         {"subscribed": subscribed, "source": source.value,
                          "changed": changed({"subscribed": (before, subscribed)})})
    return customer, history, event


async def set_consent(session: AsyncSession, actor: Actor, customer_id: int, subscribed: bool,
                      source: ConsentSource) -> tuple[Customer, bool]:
    """Record a marketing consent decision; the same decision again changes nothing.

    Returns the customer and whether anything changed.
    """
    customer = await locked_customer(session, customer_id)
    if not consent_changes(customer.consent_updated_at, customer.subscribed, subscribed):
        return customer, False
    values, history, event = consent_decision(actor, customer.id, customer.subscribed,
                                              subscribed, source, utcnow())
    for name, value in values.items():
        setattr(customer, name, value)
    session.add(ConsentEvent(**history))
    session.add(DomainEvent(**event))
    await session.flush()
    return customer, True


async def consent_history_of_customers(session: AsyncSession, customer_ids: Collection[int]
                                       ) -> dict[int, list[ConsentEvent]]:
    """Each customer's consent decisions, oldest first; one statement."""
    rows = await session.scalars(
        select(ConsentEvent).where(ConsentEvent.customer_id.in_(customer_ids))
        .order_by(ConsentEvent.customer_id, ConsentEvent.occurred_at, ConsentEvent.id))
    return by_customer(rows)
