"""The append-only history of a customer's marketing consent decisions."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, TenantScoped, enum_column
from models.enums import ActorKind, ConsentSource


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
