"""Rows for tests, written straight through the models into the real database.

The write rules (add customer, record order) arrive with their own API; until then tests build
their data here and let `recompute_aggregates` derive what the rules would keep.
"""

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from models.access.api_keys import create_api_key
from models.core.enums import (
    CustomerSource,
    CustomerType,
    FulfilmentType,
    LedgerKind,
    OrderChannel,
    OrderStatus,
)
from models.customers.table import Customer, CustomerAddress, search_name, search_text
from models.loyalty.ledger import LoyaltyAccount, LoyaltyLedgerEntry
from models.orders.aggregates import recompute_aggregates
from models.orders.table import Order, OrderItem
from models.organizations.stores import Store
from models.organizations.table import Organization
from server.db import Database

_serial = itertools.count(1)
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@dataclass
class OrgFixture:
    id: int
    slug: str
    api_key: str
    store_ids: list[int]
    currency: str = "EUR"
    db: Database = field(repr=False, default=None)  # type: ignore[assignment]

    async def customer(self, **fields: Any) -> int:
        return await add_customer(self.db, self.id, **fields)

    async def order(self, customer_id: int, **fields: Any) -> int:
        return await add_order(self.db, self.id, customer_id, **fields)


async def create_organization(db: Database, country: str = "ES", currency: str = "EUR"
                              ) -> OrgFixture:
    n = next(_serial)
    async with db.admin_session() as session:
        org = Organization(slug=f"org-{n}-{id(db)}", name=f"Org {n}", default_country=country,
                           currency=currency)
        session.add(org)
        await session.flush()
        stores = [Store(organization_id=org.id, name=name, code=code, city=name)
                  for name, code in (("Madrid", "MAD"), ("Barcelona", "BCN"),
                                     ("Valencia", "VLC"))]
        session.add_all(stores)
        await session.flush()
        _, key = await create_api_key(session, org.id, "tests")
        await session.commit()
        return OrgFixture(id=org.id, slug=org.slug, api_key=key,
                          store_ids=[s.id for s in stores], currency=currency, db=db)


async def add_customer(db: Database, organization_id: int, *, membership_id: str | None = None,
                       loyalty_provider: str | None = None, addresses: int = 0,
                       **fields: Any) -> int:
    n = next(_serial)
    values: dict[str, Any] = {
        "type": CustomerType.REGISTERED, "source": CustomerSource.WEB,
        "first_name": f"First{n}", "last_name": f"Last{n}", "email": f"c{n}@example.com",
        "created_at": NOW - timedelta(days=n % 400), "registered_at": NOW - timedelta(days=n % 400),
    }
    values.update(fields)
    async with db.admin_session() as session:
        customer = Customer(organization_id=organization_id, **values)
        customer.sort_name = search_name(customer.first_name, customer.last_name)
        customer.search_text = search_text(customer.first_name, customer.last_name,
                                           customer.email, customer.phone_e164,
                                           customer.external_id, membership_id)
        session.add(customer)
        await session.flush()
        if loyalty_provider or membership_id:
            session.add(LoyaltyAccount(organization_id=organization_id, customer_id=customer.id,
                                       provider=loyalty_provider or "customerhub",
                                       membership_id=membership_id))
        for position in range(addresses):
            session.add(CustomerAddress(organization_id=organization_id,
                                        customer_id=customer.id, position=position,
                                        line1=f"Calle {position + 1}", city="Madrid",
                                        country="ES"))
        await session.commit()
        return customer.id


async def add_order(db: Database, organization_id: int, customer_id: int, *,
                    store_id: int | None = None, total: int = 1000,
                    placed_at: datetime | None = None, status: OrderStatus = OrderStatus.COMPLETED,
                    items: int = 2, points: int = 0, **fields: Any) -> int:
    n = next(_serial)
    async with db.admin_session() as session:
        order = Order(organization_id=organization_id, customer_id=customer_id,
                      store_id=store_id, number=f"N{n}", channel=OrderChannel.WEB,
                      status=status, placed_at=placed_at or NOW - timedelta(hours=n),
                      total=total, fulfilment_type=FulfilmentType.PICKUP, **fields)
        session.add(order)
        await session.flush()
        share, rest = divmod(total, max(items, 1))
        for position in range(items):
            session.add(OrderItem(organization_id=organization_id, order_id=order.id,
                                  position=position, name=f"Item {position}",
                                  sku=f"SKU{position}", quantity=1,
                                  unit_price=share + (rest if position == 0 else 0)))
        if points:
            session.add(LoyaltyLedgerEntry(organization_id=organization_id,
                                           customer_id=customer_id, kind=LedgerKind.EARN,
                                           points=points, order_id=order.id))
        await session.flush()
        await recompute_aggregates(session, [customer_id])
        await session.commit()
        return order.id
