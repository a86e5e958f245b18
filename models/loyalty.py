"""Loyalty membership and its ledger. The balance on the customer row follows the ledger."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, TenantScoped, enum_column, utcnow
from models.enums import LedgerKind


class LoyaltyAccount(TenantScoped, Base):
    __tablename__ = "loyalty_accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), unique=True)
    provider: Mapped[str] = mapped_column(String(64))
    membership_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoyaltyLedgerEntry(TenantScoped, Base):
    __tablename__ = "loyalty_ledger"
    __table_args__ = (
        Index("ix_loyalty_ledger_customer", "customer_id", "created_at"),
        Index("ix_loyalty_ledger_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[LedgerKind] = mapped_column(enum_column(LedgerKind))
    points: Mapped[int] = mapped_column(BigInteger)  # signed: earn > 0, redeem and expire < 0
    reason: Mapped[str | None] = mapped_column(String(200))
    order_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
