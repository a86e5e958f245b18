"""The append-only history of a customer's marketing consent decisions."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.actors import Actor
from models.base import Base, BigId, TenantScoped, enum_column, utcnow
from models.changes import changed
from models.customers import Customer, locked_customer
from models.enums import ActorKind, ConsentSource
from models.events import EventKind, record_event


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


async def set_consent(session: AsyncSession, actor: Actor, customer_id: int, subscribed: bool,
                      source: ConsentSource) -> tuple[Customer, bool]:
    """Record a marketing consent decision; the same decision again changes nothing.

    Returns the customer and whether anything changed.
    """
    customer = await locked_customer(session, customer_id)
    if customer.consent_updated_at is not None and customer.subscribed == subscribed:
        return customer, False
    now = utcnow()
    before = customer.subscribed
    customer.subscribed = subscribed
    customer.consent_updated_at = now
    customer.consent_source = source
    customer.updated_at = now
    session.add(ConsentEvent(organization_id=customer.organization_id, customer_id=customer.id,
                             subscribed=subscribed, source=source, actor_kind=actor.kind,
                             actor_id=actor.id, occurred_at=now))
    record_event(session, actor, EventKind.CUSTOMER_CONSENT_CHANGED, customer.id,
                 {"subscribed": subscribed, "source": source.value,
                  "changed": changed({"subscribed": (before, subscribed)})})
    await session.flush()
    return customer, True
