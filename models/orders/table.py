"""Orders with their items and fulfilment, as they arrive from every channel."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.core.base import Base, BigId, TenantScoped, enum_column, utcnow
from models.core.enums import FulfilmentType, OrderChannel, OrderStatus, Punctuality


class Order(TenantScoped, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("organization_id", "external_id"),
        Index("ix_orders_customer_placed_at", "customer_id", "placed_at", "id"),
        Index("ix_orders_org_placed_at", "organization_id", "placed_at", "id"),
        Index("ix_orders_store", "store_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(100))
    store_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("stores.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="SET NULL"))
    channel: Mapped[OrderChannel] = mapped_column(enum_column(OrderChannel))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus))
    placed_at: Mapped[datetime]
    total: Mapped[int] = mapped_column(BigInteger)  # minor units of the organization's currency
    fulfilment_type: Mapped[FulfilmentType] = mapped_column(enum_column(FulfilmentType))
    promised_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    punctuality: Mapped[Punctuality | None] = mapped_column(enum_column(Punctuality))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderItem(TenantScoped, Base):
    __tablename__ = "order_items"
    __table_args__ = (Index("ix_order_items_order", "order_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)  # minor units
