"""Recording an order from any channel: the customer it belongs to, guest checkout, idempotency,
and what the order changes on the customer, all in one transaction.

The customer is found by customer ID, then the customer's external ID, then email, then phone;
when none matches, a guest is created whose source is the order's channel. A guest order placed
on a device (`WEB`, `MOBILE_APP`) whose guest checkout setting is not `ENABLED` is refused.

An external ID makes the order idempotent: the same external ID again returns the order already
recorded. Two identical requests may race; the loser meets the unique index on (organization,
external ID), rolls back and returns the winner's order. A new guest's email or phone may meet
its unique index the same way; the lookup then runs again and finds the guest the other request
created. `record_order` therefore owns its transaction: it may roll back and start over, so it
must be the only write in the session it is given.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.actors import Actor
from models.core.base import utcnow
from models.core.changes import changed
from models.core.enums import (
    CustomerSource,
    CustomerType,
    Device,
    FulfilmentType,
    OrderChannel,
    OrderStatus,
    Punctuality,
)
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import EventKind, record_event
from models.core.money import to_minor
from models.core.store_scope import default_store, store_error
from models.core.tenancy import has_store_scope, organization_wide
from models.core.validation import normal_email, normal_name, normal_phone
from models.customers.profile import organization_of
from models.customers.table import Customer, locked_customer
from models.loyalty.ledger import earn_for_order
from models.orders.aggregates import recompute_aggregates
from models.orders.table import Order, OrderItem
from models.organizations.storefront import storefront_policy
from models.organizations.stores import Store
from models.organizations.table import Organization

MAX_ITEMS = 500
MAX_QUANTITY = 100_000
MAX_TOTAL = 10**13  # minor units: far beyond any real ticket, far within a bigint
MAX_EXTERNAL_ID = 100
MAX_ITEM_NAME = 200
MAX_SKU = 64
FUTURE_SLACK = timedelta(days=1)  # clocks and time zones of the sending systems
ATTEMPTS = 3

# Without an explicit device, the channels that are a shopper's own device stand for it.
DEVICE_OF_CHANNEL = {OrderChannel.WEB: Device.WEB, OrderChannel.MOBILE_APP: Device.MOBILE_APP}
NUMBER_PREFIX = {OrderChannel.WEB: "WEB", OrderChannel.MOBILE_APP: "APP",
                 OrderChannel.POS: "POS", OrderChannel.PHONE: "TEL",
                 OrderChannel.DELIVERY_PLATFORM: "DLV"}


@dataclass(frozen=True, slots=True)
class ItemFields:
    name: str
    quantity: int
    unit_price: Decimal  # in the organization's currency
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerFields:
    """Who placed the order, as the sending system knows them."""

    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class FulfilmentFields:
    type: FulfilmentType = FulfilmentType.PICKUP
    promised_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderFields:
    channel: OrderChannel
    items: Sequence[ItemFields]
    external_id: str | None = None
    store_id: int | None = None
    device: Device | None = None
    placed_at: datetime | None = None  # now when not given
    customer_id: int | None = None
    customer: CustomerFields | None = None
    fulfilment: FulfilmentFields = field(default_factory=FulfilmentFields)
    status: OrderStatus = OrderStatus.COMPLETED


@dataclass(frozen=True, slots=True)
class _Clean:
    """The order's fields in their normal form, and the customer keys to look for."""

    external_id: str | None
    placed_at: datetime
    items: list[OrderItem]
    total: int
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    customer_external_id: str | None
    store: Store | None


def punctuality(fulfilment: FulfilmentType, promised_at: datetime | None,
                delivered_at: datetime | None) -> Punctuality | None:
    """Own-fleet delivery only: DELAYED when delivered after the promised time, else ON_TIME."""
    if fulfilment is not FulfilmentType.DELIVERY or promised_at is None or delivered_at is None:
        return None
    return Punctuality.DELAYED if delivered_at > promised_at else Punctuality.ON_TIME


def aware(value: datetime | None, path: str, errors: list[UserError]) -> datetime | None:
    """A timestamp with its UTC offset; one without is a user error (it names no instant)."""
    if value is not None and value.tzinfo is None:
        errors.append(error(path, ErrorCode.INVALID,
                            "Give the time with its UTC offset, e.g. `2026-11-01T12:00:00Z`."))
        return None
    return value


async def record_order(session: AsyncSession, actor: Actor, fields: OrderFields
                       ) -> tuple[Order, bool]:
    """Record an order; returns it and whether it was created just now (False: it was there).

    Rolls back and starts over when a concurrent request wins a unique index (see the module's
    docstring); refuses with `Rejected` before writing anything when the input is bad.
    """
    for attempt in range(ATTEMPTS):
        try:
            return await _record_once(session, actor, fields)
        except IntegrityError:
            await session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _record_once(session: AsyncSession, actor: Actor, fields: OrderFields
                       ) -> tuple[Order, bool]:
    external_id = " ".join((fields.external_id or "").split()) or None
    existing = await _existing(session, external_id)
    if existing is not None:
        return existing
    await _check_external_id_elsewhere(session, external_id)
    if fields.store_id is None and (store := default_store(actor)) is not None:
        fields = replace(fields, store_id=store)  # a manager of one store records there
    org = await organization_of(session, actor)
    clean = await _validate(session, actor, org, fields, external_id)
    found = await _find_customer(session, fields.customer_id, clean)
    _check_guest_checkout(org, fields, found)
    # The order is at one of the caller's stores and its customer is settled (see
    # `_find_customer`): what the order changes on that customer comes from all of its rows.
    with organization_wide(session):
        if found is None:
            guest = await _create_guest(session, actor, org, fields.channel, clean)
            found = guest.id, guest.type
        customer = await locked_customer(session, found[0], "customerId")
        if external_id is not None:  # a request that held the lock before us may have it
            existing = await _existing(session, external_id)
            if existing is not None:
                await session.rollback()
                existing = await _existing(session, external_id)
                assert existing is not None
                return existing
        order = await _insert_order(session, org, fields, clean, customer)
        if customer.last_activity_at is None or customer.last_activity_at < clean.placed_at:
            customer.last_activity_at = clean.placed_at
        if order.status is OrderStatus.COMPLETED:
            await earn_for_order(session, actor, customer, order, org.loyalty_earn_rate,
                                 org.currency)
        await session.flush()
        await recompute_aggregates(session, [customer.id])
        await session.refresh(customer)
        record_event(session, actor, EventKind.ORDER_RECORDED, customer.id,
                     _event_payload(order))
        await session.flush()
    return order, True


async def _existing(session: AsyncSession, external_id: str | None
                    ) -> tuple[Order, bool] | None:
    if external_id is None:
        return None
    order = await session.scalar(select(Order).where(Order.external_id == external_id))
    return (order, False) if order is not None else None


async def _check_external_id_elsewhere(session: AsyncSession, external_id: str | None) -> None:
    """An external ID is unique in the organization; a store-scoped caller who cannot see the
    order holding it is told so rather than given that order."""
    if external_id is None or not has_store_scope(session):
        return
    with organization_wide(session):
        taken = await _existing(session, external_id)
    if taken is not None:
        raise Rejected([error("externalId", ErrorCode.DUPLICATE,
                              "An order with this external ID was recorded at a store that is "
                              "not one of yours.")])


async def _validate(session: AsyncSession, actor: Actor, org: Organization,
                    fields: OrderFields, external_id: str | None) -> _Clean:
    errors: list[UserError] = []
    if external_id is not None and len(external_id) > MAX_EXTERNAL_ID:
        errors.append(error("externalId", ErrorCode.INVALID,
                            f"At most {MAX_EXTERNAL_ID} characters."))
    now = utcnow()
    placed_at = aware(fields.placed_at, "placedAt", errors) or now
    if placed_at > now + FUTURE_SLACK:
        errors.append(error("placedAt", ErrorCode.INVALID,
                            "The order is placed more than a day in the future."))
    fulfilment = fields.fulfilment
    aware(fulfilment.promised_at, "fulfilment.promisedAt", errors)
    delivered_at = aware(fulfilment.delivered_at, "fulfilment.deliveredAt", errors)
    if delivered_at is not None and delivered_at < placed_at:
        errors.append(error("fulfilment.deliveredAt", ErrorCode.INVALID,
                            "Delivered before the order was placed."))
    store = None
    if fields.store_id is not None:
        store = await session.get(Store, fields.store_id)
        if store is None:
            errors.append(error("storeId", ErrorCode.NOT_FOUND, "No such store."))
    if store is not None or fields.store_id is None:
        problem = store_error(actor, fields.store_id, "storeId")  # a manager's own stores
        if problem is not None:
            errors.append(problem)
    items = _items(fields.items, org, errors)
    total = sum(i.quantity * i.unit_price for i in items)
    if total > MAX_TOTAL:
        errors.append(error("items", ErrorCode.INVALID, "The order's total is too large."))
    who = fields.customer or CustomerFields()
    email = normal_email(who.email, "customer.email", errors)
    phone = normal_phone(who.phone, org.default_country, "customer.phone", errors)
    first_name = normal_name(who.first_name, "customer.firstName", "First name", errors)
    last_name = normal_name(who.last_name, "customer.lastName", "Last name", errors)
    customer_external_id = " ".join((who.external_id or "").split()) or None
    if customer_external_id is not None and len(customer_external_id) > MAX_EXTERNAL_ID:
        errors.append(error("customer.externalId", ErrorCode.INVALID,
                            f"At most {MAX_EXTERNAL_ID} characters."))
    if fields.customer_id is None and not (
            (who.email or "").strip() or (who.phone or "").strip() or customer_external_id):
        errors.append(error("customer", ErrorCode.REQUIRED,
                            "Send `customerId`, or a customer with an email, a phone or an "
                            "external ID."))
    if errors:
        raise Rejected(errors)
    return _Clean(external_id=external_id, placed_at=placed_at, items=items, total=total,
                  email=email, phone=phone, first_name=first_name, last_name=last_name,
                  customer_external_id=customer_external_id, store=store)


def _items(raw: Sequence[ItemFields], org: Organization, errors: list[UserError]
           ) -> list[OrderItem]:
    if not raw:
        errors.append(error("items", ErrorCode.REQUIRED, "An order has at least one item."))
        return []
    if len(raw) > MAX_ITEMS:
        errors.append(error("items", ErrorCode.INVALID, f"At most {MAX_ITEMS} items."))
        return []
    items = []
    for n, item in enumerate(raw):
        path = f"items.{n}"
        name = " ".join((item.name or "").split())
        if not name:
            errors.append(error(f"{path}.name", ErrorCode.REQUIRED, "An item needs a name."))
        elif len(name) > MAX_ITEM_NAME:
            errors.append(error(f"{path}.name", ErrorCode.INVALID,
                                f"At most {MAX_ITEM_NAME} characters."))
        sku = (item.sku or "").strip() or None
        if sku is not None and len(sku) > MAX_SKU:
            errors.append(error(f"{path}.sku", ErrorCode.INVALID,
                                f"At most {MAX_SKU} characters."))
        if not 0 < item.quantity <= MAX_QUANTITY:
            errors.append(error(f"{path}.quantity", ErrorCode.INVALID,
                                f"Quantity is between 1 and {MAX_QUANTITY}."))
        price = item.unit_price
        if not price.is_finite() or price < 0:
            errors.append(error(f"{path}.unitPrice", ErrorCode.INVALID,
                                "The unit price is a number of zero or more."))
            continue
        minor = to_minor(price, org.currency)
        if minor > MAX_TOTAL:
            errors.append(error(f"{path}.unitPrice", ErrorCode.INVALID,
                                "The unit price is too large."))
            continue
        items.append(OrderItem(organization_id=org.id, position=n, name=name, sku=sku,
                               quantity=item.quantity, unit_price=minor))
    return items


async def _find_customer(session: AsyncSession, customer_id: int | None, clean: _Clean
                         ) -> tuple[int, CustomerType] | None:
    """By customer ID, then external ID, then email, then phone; None: a new guest.

    Only the id and type are read, or the row is read locked: what the order changes on the
    row must start from its latest committed state.

    A customer ID must name a customer the caller sees (NOT_FOUND otherwise, as for one that
    does not exist: IDs can be guessed). The keys a customer gives at the till (external ID,
    email, phone) are unique in the whole organization and find them there: the order belongs
    to that customer, and from then on links them to the store it was placed at.
    """
    if customer_id is not None:  # the ID of a customer merged away leads to its target
        customer = await locked_customer(session, customer_id, "customerId")
        if customer.erased_at is not None:
            raise Rejected([error("customerId", ErrorCode.INVALID,
                                  "This customer's data was erased: record the order without "
                                  "`customerId`.")])
        return customer.id, customer.type
    columns = select(Customer.id, Customer.type)
    for column, value in ((Customer.external_id, clean.customer_external_id),
                          (Customer.email, clean.email), (Customer.phone_e164, clean.phone)):
        if value is None:
            continue
        with organization_wide(session):
            found = (await session.execute(
                columns.where(column == value).order_by(Customer.id).limit(1))).first()
        if found is not None:
            return found[0], found[1]
    return None


def _check_guest_checkout(org: Organization, fields: OrderFields,
                          found: tuple[int, CustomerType] | None) -> None:
    device = fields.device or DEVICE_OF_CHANNEL.get(fields.channel)
    is_guest = found is None or found[1] is CustomerType.GUEST
    if device is None or not is_guest:
        return
    policy = storefront_policy(org, device)  # the answer the storefronts read too
    if not policy.guests_may_check_out:
        raise Rejected([error("customer", ErrorCode.GUEST_CHECKOUT_DISABLED,
                              f"Guest checkout is not enabled on {device.value} "
                              f"({policy.guest_checkout.value}); the customer must sign in.")])


async def _create_guest(session: AsyncSession, actor: Actor, org: Organization,
                        channel: OrderChannel, clean: _Clean) -> Customer:
    now = utcnow()
    guest = Customer(organization_id=org.id, type=CustomerType.GUEST,
                     source=CustomerSource(channel.value), email=clean.email,
                     phone_e164=clean.phone, first_name=clean.first_name,
                     last_name=clean.last_name, external_id=clean.customer_external_id,
                     created_at=now, updated_at=now)
    guest.refresh_search_columns()
    session.add(guest)
    await session.flush()
    record_event(session, actor, EventKind.CUSTOMER_CREATED, guest.id,
                 {"source": guest.source.value, "type": guest.type.value, "by": "order",
                  "changed": changed({name: (None, getattr(guest, name)) for name in (
                      "first_name", "last_name", "email", "phone_e164", "external_id")})})
    return guest


async def _insert_order(session: AsyncSession, org: Organization, fields: OrderFields,
                        clean: _Clean, customer: Customer) -> Order:
    fulfilment = fields.fulfilment
    order = Order(organization_id=org.id, number="", external_id=clean.external_id,
                  store_id=clean.store.id if clean.store else None, customer_id=customer.id,
                  channel=fields.channel, status=fields.status, placed_at=clean.placed_at,
                  total=clean.total, fulfilment_type=fulfilment.type,
                  promised_at=fulfilment.promised_at, delivered_at=fulfilment.delivered_at,
                  punctuality=punctuality(fulfilment.type, fulfilment.promised_at,
                                          fulfilment.delivered_at),
                  created_at=utcnow())
    session.add(order)
    await session.flush()
    order.number = order_number(order, clean.store)
    for item in clean.items:
        item.order_id = order.id
    session.add_all(clean.items)
    await session.flush()
    return order


def order_number(order: Order, store: Store | None) -> str:
    """The store's code (or the channel's) and the order's id: unique, and gaps are harmless."""
    prefix = store.code[:20] if store is not None else NUMBER_PREFIX[order.channel]
    return f"{prefix}-{order.id:08d}"


def _event_payload(order: Order) -> dict[str, Any]:
    return {"order_id": order.id, "number": order.number, "external_id": order.external_id,
            "channel": order.channel.value, "status": order.status.value,
            "total": order.total, "placed_at": order.placed_at.isoformat(),
            "store_id": order.store_id}
