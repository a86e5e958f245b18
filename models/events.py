"""The outbox of domain events, appended in the same transaction as the write they describe."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.actors import Actor
from models.base import Base, BigId, TenantScoped, enum_column, utcnow
from models.enums import ActorKind


class DomainEvent(TenantScoped, Base):
    __tablename__ = "domain_events"
    __table_args__ = (
        Index("ix_domain_events_org_id", "organization_id", "id"),
        Index("ix_domain_events_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_kind: Mapped[ActorKind] = mapped_column(enum_column(ActorKind))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_event(session: AsyncSession, actor: Actor, kind: str, customer_id: int | None,
                 payload: dict[str, Any] | None = None) -> DomainEvent:
    """Append an event to the outbox, in the caller's transaction."""
    event = DomainEvent(organization_id=actor.organization_id, customer_id=customer_id,
                        kind=kind, payload=payload or {}, actor_kind=actor.kind,
                        actor_id=actor.id)
    session.add(event)
    return event
