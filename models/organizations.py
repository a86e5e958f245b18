"""A merchant: the tenant every other row belongs to, with the settings its rules read."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, enum_column, utcnow
from models.enums import GuestCheckout, RegistrationStrategy


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    default_country: Mapped[str] = mapped_column(String(2), default="ES")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Madrid")
    guest_checkout_web: Mapped[GuestCheckout] = mapped_column(
        enum_column(GuestCheckout), default=GuestCheckout.ENABLED)
    guest_checkout_mobile_app: Mapped[GuestCheckout] = mapped_column(
        enum_column(GuestCheckout), default=GuestCheckout.ENABLED)
    registration_strategy: Mapped[RegistrationStrategy] = mapped_column(
        enum_column(RegistrationStrategy), default=RegistrationStrategy.EMAIL)
    # Points earned per unit (major) of currency spent on a completed order.
    loyalty_earn_rate: Mapped[Decimal] = mapped_column(Numeric(10, 4), default=Decimal(1))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
