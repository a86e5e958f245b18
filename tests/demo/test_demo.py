"""The demo data set: realistic enough to show every feature, and consistent with its own rules.

Seeded once, with the defaults, into the database of this run of the suite (SQLite or
PostgreSQL), under a slug of its own.
"""

import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import phonenumbers
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from demo.seed import DemoAlreadySeededError, earned_points, plan_demo, seed_demo
from models import (
    ConsentEvent,
    Customer,
    CustomerAddress,
    CustomerStore,
    DomainEvent,
    LoyaltyAccount,
    LoyaltyLedgerEntry,
    Order,
    OrderItem,
    Organization,
    Store,
)
from models.core.enums import (
    CustomerSource,
    CustomerType,
    FulfilmentType,
    LedgerKind,
    OrderChannel,
    OrderStatus,
    Punctuality,
)
from models.customers.table import search_name, search_text
from models.orders.aggregates import compute_aggregates, stored_aggregates
from server.db import Database

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


@dataclass
class Seeded:
    db: Database
    org_id: int
    slug: str


@pytest.fixture(scope="module")
async def seeded(db: Database) -> Seeded:
    """The defaults, seeded once into this run's database under a slug of its own."""
    slug = f"demo-{uuid4().hex[:10]}"
    async with db.admin_session() as session:
        organization = await seed_demo(session, slug=slug)
        await session.commit()
    return Seeded(db, organization.id, slug)


@pytest.fixture
async def session(seeded: Seeded) -> AsyncIterator[AsyncSession]:
    async with seeded.db.admin_session() as s:
        yield s


async def _customers(session: AsyncSession, org_id: int) -> list[Customer]:
    rows = await session.scalars(
        select(Customer).where(Customer.organization_id == org_id).order_by(Customer.id))
    return list(rows)


async def _orders(session: AsyncSession, org_id: int) -> list[Order]:
    rows = await session.scalars(
        select(Order).where(Order.organization_id == org_id).order_by(Order.id))
    return list(rows)


async def test_organization_and_counts(seeded: Seeded, session: AsyncSession) -> None:
    org = await session.get_one(Organization, seeded.org_id)
    assert (org.slug, org.default_country, org.currency, org.timezone) == (
        seeded.slug, "ES", "EUR", "Europe/Madrid")
    stores = list(await session.scalars(select(Store).where(Store.organization_id == org.id)))
    assert len(stores) == 3
    assert all(s.code and s.address_line1 and s.city and s.postal_code for s in stores)
    assert len(await _customers(session, org.id)) >= 2000
    assert len(await _orders(session, org.id)) >= 10000


async def test_customers_cover_every_source_and_type(seeded: Seeded,
                                                      session: AsyncSession) -> None:
    customers = await _customers(session, seeded.org_id)
    assert {c.source for c in customers} == set(CustomerSource)
    assert {c.type for c in customers} == set(CustomerType)
    guests = [c for c in customers if c.type is CustomerType.GUEST]
    assert any(c.email is None for c in guests)
    assert any(c.first_name is None and c.phone_e164 is None for c in guests)  # email only
    assert all(c.email or c.phone_e164 for c in customers)


async def test_registered_customers_have_their_profile(seeded: Seeded,
                                                        session: AsyncSession) -> None:
    customers = await _customers(session, seeded.org_id)
    with_address = set(await session.scalars(
        select(CustomerAddress.customer_id)
        .where(CustomerAddress.organization_id == seeded.org_id)))
    registered = [c for c in customers if c.type is CustomerType.REGISTERED]
    for c in registered:
        assert c.main_store_id is not None
        assert c.registered_at is not None
        assert c.first_name
        assert c.last_name
        assert c.email
        assert c.id in with_address
        assert c.registered_at >= c.created_at
        assert c.last_access_at is not None
        assert c.last_access_at >= c.registered_at
    for c in customers:
        if c.type is CustomerType.GUEST:
            assert c.main_store_id is None
            assert c.registered_at is None
        assert c.last_activity_at is not None
        assert c.last_activity_at >= c.created_at
    for column in ("birthday", "external_id", "shopper_level", "risk_level", "notes",
                   "company_name"):
        assert any(getattr(c, column) is not None for c in customers), column
    assert any(c.tax_exempt for c in customers)
    assert any(c.age_restricted_allowed for c in customers)
    assert any(c.registered_at != c.created_at for c in registered)  # guests who registered


async def test_times_are_aware_and_spread_over_two_years(seeded: Seeded,
                                                          session: AsyncSession) -> None:
    customers = await _customers(session, seeded.org_id)
    created = [c.created_at for c in customers]
    assert all(t.tzinfo is not None for t in created)
    now = datetime.now(UTC)
    assert min(created) < now - timedelta(days=600)
    assert max(created) > now - timedelta(days=30)
    assert max(created) <= now


async def test_names_include_accents(seeded: Seeded, session: AsyncSession) -> None:
    customers = await _customers(session, seeded.org_id)
    names = " ".join(f"{c.first_name or ''} {c.last_name or ''}" for c in customers)
    for letter in "áéíóúñÁÍë":
        assert letter in names, letter
    assert not names.isascii()


async def test_phones_are_valid_e164_and_emails_normalised(seeded: Seeded,
                                                           session: AsyncSession) -> None:
    customers = await _customers(session, seeded.org_id)
    phones = [c.phone_e164 for c in customers if c.phone_e164]
    assert len(phones) == len(set(phones))
    for phone in phones:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone
    assert any(p.startswith("+346") for p in phones)
    assert any(p.startswith("+447") for p in phones)
    emails = [c.email for c in customers if c.email]
    assert len(emails) == len(set(emails))
    assert all(re.fullmatch(r"[a-z0-9._]+@[a-z0-9.]+\.[a-z]+", e) for e in emails)


async def test_search_columns_are_filled(seeded: Seeded, session: AsyncSession) -> None:
    membership = dict((await session.execute(
        select(LoyaltyAccount.customer_id, LoyaltyAccount.membership_id)
        .where(LoyaltyAccount.organization_id == seeded.org_id))).all())
    for c in await _customers(session, seeded.org_id):
        assert c.sort_name == search_name(c.first_name, c.last_name)
        assert c.search_text == search_text(c.first_name, c.last_name, c.email, c.phone_e164,
                                            c.external_id, membership.get(c.id))
        assert c.search_text


async def test_consent_history_ends_on_the_current_decision(seeded: Seeded,
                                                            session: AsyncSession) -> None:
    events: dict[int, list[ConsentEvent]] = defaultdict(list)
    for event in await session.scalars(
            select(ConsentEvent).where(ConsentEvent.organization_id == seeded.org_id)
            .order_by(ConsentEvent.occurred_at, ConsentEvent.id)):
        events[event.customer_id].append(event)
    customers = await _customers(session, seeded.org_id)
    for c in customers:
        history = events.get(c.id, [])
        assert len(history) <= 3
        if not history:
            assert (c.subscribed, c.consent_updated_at, c.consent_source) == (False, None, None)
            continue
        last = history[-1]
        assert (c.subscribed, c.consent_updated_at, c.consent_source) == (
            last.subscribed, last.occurred_at, last.source)
    decided = [c for c in customers if c.consent_updated_at is not None]
    assert any(c.subscribed for c in decided)
    assert any(not c.subscribed for c in decided)  # unsubscribed
    assert any(c.consent_updated_at is None for c in customers)  # never asked
    assert any(len(h) == 3 for h in events.values())


async def test_orders_are_consistent(seeded: Seeded, session: AsyncSession) -> None:
    orders = await _orders(session, seeded.org_id)
    item_sums = dict((await session.execute(
        select(OrderItem.order_id, func.sum(OrderItem.quantity * OrderItem.unit_price))
        .where(OrderItem.organization_id == seeded.org_id)
        .group_by(OrderItem.order_id))).all())
    item_counts = Counter((await session.scalars(
        select(OrderItem.order_id).where(OrderItem.organization_id == seeded.org_id))).all())
    assert len({o.number for o in orders}) == len(orders)
    for o in orders:
        assert o.total == item_sums[o.id], o.number
        assert 1 <= item_counts[o.id] <= 5
        assert o.customer_id is not None
        assert o.store_id is not None
        if o.fulfilment_type is FulfilmentType.DELIVERY:
            assert o.promised_at is not None
        if o.fulfilment_type is FulfilmentType.DELIVERY and o.status is OrderStatus.COMPLETED:
            assert o.delivered_at is not None
            late = o.delivered_at > o.promised_at
            assert o.punctuality is (Punctuality.DELAYED if late else Punctuality.ON_TIME)
        else:
            assert o.punctuality is None
            assert o.delivered_at is None
    assert {o.channel for o in orders} == set(OrderChannel)
    assert {o.status for o in orders} == set(OrderStatus)
    assert {o.fulfilment_type for o in orders} == set(FulfilmentType)
    assert {o.punctuality for o in orders} == {None, *Punctuality}
    assert len({o.store_id for o in orders}) == 3
    assert any(o.external_id for o in orders)
    assert any(o.external_id is None for o in orders)
    statuses = Counter(o.status for o in orders)
    assert statuses[OrderStatus.COMPLETED] > 0.85 * len(orders)


async def test_aggregates_match_orders_and_ledger(seeded: Seeded, session: AsyncSession) -> None:
    customers = await _customers(session, seeded.org_id)
    computed = await compute_aggregates(session, [c.id for c in customers])
    for c in customers:
        assert stored_aggregates(c) == computed[c.id], c.id
    assert any(c.order_count == 0 for c in customers)  # some never ordered
    assert any(c.order_count > 10 for c in customers)
    assert await session.scalar(select(func.count()).select_from(CustomerStore)
                                .where(CustomerStore.organization_id == seeded.org_id))


async def test_loyalty_ledger_follows_the_rules(seeded: Seeded, session: AsyncSession) -> None:
    org = await session.get_one(Organization, seeded.org_id)
    accounts = list(await session.scalars(
        select(LoyaltyAccount).where(LoyaltyAccount.organization_id == org.id)))
    assert len(accounts) > 500
    assert all(a.provider == "customerhub" and a.membership_id for a in accounts)
    members = {a.customer_id for a in accounts}
    orders = {o.id: o for o in await _orders(session, org.id)}
    balances: dict[int, int] = defaultdict(int)
    kinds: Counter[LedgerKind] = Counter()
    for entry in await session.scalars(
            select(LoyaltyLedgerEntry).where(LoyaltyLedgerEntry.organization_id == org.id)
            .order_by(LoyaltyLedgerEntry.created_at, LoyaltyLedgerEntry.id)):
        assert entry.customer_id in members
        kinds[entry.kind] += 1
        balances[entry.customer_id] += entry.points
        assert balances[entry.customer_id] >= 0
        if entry.kind is LedgerKind.EARN:
            assert entry.order_id is not None
            order = orders[entry.order_id]
            assert order.status is OrderStatus.COMPLETED
            assert order.customer_id == entry.customer_id
            assert entry.points == earned_points(order.total, org.loyalty_earn_rate)
    assert all(kinds[k] > 0 for k in LedgerKind)


async def test_one_created_event_per_customer(seeded: Seeded, session: AsyncSession) -> None:
    created = Counter((await session.scalars(
        select(DomainEvent.customer_id).where(DomainEvent.organization_id == seeded.org_id,
                                              DomainEvent.kind == "customer.created"))).all())
    customers = await _customers(session, seeded.org_id)
    assert all(created[c.id] == 1 for c in customers)


async def test_seeding_is_deterministic(seeded: Seeded, session: AsyncSession) -> None:
    first = [(c.first_name, c.last_name, c.email, c.phone_e164)
             for c in (await _customers(session, seeded.org_id))[:50]]
    # Names and contacts depend on the seed only, not on the moment of seeding.
    plan = plan_demo(seed=7, now=NOW)
    assert first == [(p.first_name, p.last_name, p.email, p.phone_e164)
                     for p in plan.customers[:50]]
    small = plan_demo(customers=200, orders=900, seed=7, now=NOW)
    assert small == plan_demo(customers=200, orders=900, seed=7, now=NOW)
    assert small != plan_demo(customers=200, orders=900, seed=8, now=NOW)

    snapshots = []
    for suffix in ("-a", "-b"):
        org = await seed_demo(session, customers=150, orders=600, seed=3,
                              slug=seeded.slug + suffix, now=NOW)
        snapshots.append(await _snapshot(session, org.id))
    await session.commit()
    assert snapshots[0] == snapshots[1]


async def _snapshot(session: AsyncSession, org_id: int) -> list[Any]:
    customers = [(c.first_name, c.last_name, c.email, c.phone_e164, c.created_at,
                  c.subscribed, c.total_spent, c.points_balance)
                 for c in await _customers(session, org_id)]
    orders = [(o.number, o.placed_at, o.status, o.total, o.punctuality)
              for o in await _orders(session, org_id)]
    return [customers, orders]


async def test_slug_taken(seeded: Seeded, session: AsyncSession) -> None:
    with pytest.raises(DemoAlreadySeededError):
        await seed_demo(session, slug=seeded.slug)
