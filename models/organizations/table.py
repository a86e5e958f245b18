"""A merchant: the tenant every other row belongs to, with the settings its rules read and the
rule that changes them. What the settings let guests do is `models/organizations/storefront.py`."""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import phonenumbers
from sqlalchemy import Numeric, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.core.actors import Actor
from models.core.base import Base, BigId, enum_column, utcnow
from models.core.enums import Device, GuestCheckout, RegistrationStrategy
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import EventKind, record_event

MAX_NAME = 200
MAX_EARN_RATE = Decimal(1000)
EARN_RATE_STEP = Decimal("0.0001")  # the column's scale: Numeric(10, 4)


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
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

    def guest_checkout(self, device: Device) -> GuestCheckout:
        if device is Device.WEB:
            return self.guest_checkout_web
        return self.guest_checkout_mobile_app


# The settings `update_organization_settings` accepts: the input field and the label of each.
SETTINGS: dict[str, tuple[str, str]] = {
    "guest_checkout_web": ("guestCheckoutWeb", "Guest checkout on the web"),
    "guest_checkout_mobile_app": ("guestCheckoutMobileApp", "Guest checkout in the mobile app"),
    "registration_strategy": ("registrationStrategy", "The registration strategy"),
    "default_country": ("defaultCountry", "The default country"),
    "loyalty_earn_rate": ("loyaltyEarnRate", "The loyalty earn rate"),
    "name": ("name", "The name"),
    "timezone": ("timezone", "The time zone"),
}


async def organization_id_by_slug(session: AsyncSession, slug: str | None) -> int | None:
    """The organization a sign-in form names."""
    return await session.scalar(select(Organization.id).where(
        Organization.slug == (slug or "").strip()))


async def locked_organization(session: AsyncSession, actor: Actor) -> Organization:
    """The actor's organization, locked for the rest of the transaction."""
    organization = await session.scalar(select(Organization).where(
        Organization.id == actor.organization_id).with_for_update())
    if organization is None:
        raise LookupError(f"organization {actor.organization_id} does not exist")
    return organization


async def update_organization_settings(session: AsyncSession, actor: Actor,
                                       fields: Mapping[str, Any]) -> Organization:
    """Change only the settings sent; every problem is reported at once, before any write."""
    unknown = set(fields) - set(SETTINGS)
    if unknown:
        raise ValueError(f"not a setting: {sorted(unknown)}")
    organization = await locked_organization(session, actor)
    errors: list[UserError] = []
    clean = {name: _checked(name, value, errors) for name, value in fields.items()}
    if errors:
        raise Rejected(errors)
    changed = {}
    for name, value in clean.items():
        before = getattr(organization, name)
        if before != value:
            changed[name] = {"from": _plain(before), "to": _plain(value)}
            setattr(organization, name, value)
    if changed:
        record_event(session, actor, EventKind.ORGANIZATION_SETTINGS_UPDATED, None,
                     {"changed": changed})
        await session.flush()
    return organization


def _checked(name: str, value: Any, errors: list[UserError]) -> Any:
    """The normal form of one setting; a problem goes to `errors`."""
    path, label = SETTINGS[name]
    if isinstance(value, str):
        value = " ".join(value.split()) if name == "name" else value.strip()
    if value is None or value == "":
        errors.append(error(path, ErrorCode.REQUIRED, f"{label} cannot be empty."))
        return None
    problem = None
    if name == "name" and len(value) > MAX_NAME:
        problem = f"{label} is longer than {MAX_NAME} characters."
    elif name == "default_country":
        value = value.upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            problem = (f"`{value}` is not a country code: use a two-letter ISO 3166 code, "
                       "e.g. `ES`.")
    elif name == "timezone" and value not in time_zones():
        problem = f"`{value}` is not an IANA time zone, e.g. `Europe/Madrid`."
    elif name == "loyalty_earn_rate":
        value, problem = _earn_rate(value)
    if problem is not None:
        errors.append(error(path, ErrorCode.INVALID, problem))
    return value


def _earn_rate(rate: Decimal) -> tuple[Decimal, str | None]:
    if not rate.is_finite() or rate < 0 or rate > MAX_EARN_RATE:
        return rate, f"The earn rate must be between 0 and {MAX_EARN_RATE} points per unit."
    if rate != rate.quantize(EARN_RATE_STEP):
        return rate, "The earn rate has at most 4 decimals."
    return rate.quantize(EARN_RATE_STEP), None


@cache
def time_zones() -> frozenset[str]:
    # Debian's zoneinfo folder also holds `localtime` (the host's zone) and `posixrules`: not
    # zone names a merchant could mean.
    return frozenset(available_timezones() - {"localtime", "posixrules"})


def _plain(value: Any) -> Any:
    """A setting as JSON holds it in an event."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


async def organization_by_slug(session: AsyncSession, slug: str) -> Organization | None:
    """The organization with this slug, for the CLI (which names organizations by slug)."""
    return await session.scalar(select(Organization).where(Organization.slug == slug))


async def organization_by_id(session: AsyncSession, organization_id: int) -> Organization:
    """The organization a credential belongs to (it exists: credentials die with it)."""
    return (await session.scalars(
        select(Organization).where(Organization.id == organization_id))).one()
