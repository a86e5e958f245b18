"""Load a large organization into the benchmark PostgreSQL with COPY.

    .venv/bin/python -m bench.generate --customers 1000000 --orders 5000000

The database is dropped and created again, brought to the newest schema by the project's own
migrations, and given an organization, three stores and an API key through the models (the key
goes to `bench/data/api_key.txt`). Customers, the stores they ordered at, loyalty accounts,
orders, their items and the loyalty ledger are then drawn from one `random.Random(seed)` and
written with COPY. The customer rows carry the order aggregates and loyalty balances that
`models.orders.aggregates.compute_aggregates` would derive from the orders and the ledger
(computed here, while generating); `--verify N` checks N random customers against it afterwards.

By default the secondary indexes, unique and foreign-key constraints of the loaded tables are
dropped before the load and created again after it (faster than maintaining them row by row;
`--keep-indexes` loads into the migrated tables as they are, to compare). Then VACUUM (FREEZE,
ANALYZE), so that the visibility map is set and counts can use index-only scans.

Times are UTC integers (seconds) while generating; a customer's orders never share a second, so
"the latest order" needs no tie-break beyond what the ids give.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import gc
import itertools
import json
import random
import sys
import time
import unicodedata
from collections.abc import Awaitable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.pg import DEFAULT_DIRECTORY, bench_postgres
from demo.seed import (
    ENGLISH_EMAIL_DOMAINS,
    ENGLISH_FIRST_NAMES,
    ENGLISH_SURNAMES,
    MENU,
    SPANISH_EMAIL_DOMAINS,
    SPANISH_FIRST_NAMES,
    SPANISH_SURNAMES,
    STORES,
)
from models.core.enums import (
    ConsentSource,
    CustomerSource,
    CustomerType,
    FulfilmentType,
    OrderChannel,
    OrderStatus,
    Punctuality,
    RiskLevel,
    ShopperLevel,
)
from models.customers.table import search_name, search_text
from models.orders.aggregates import average

DATA = Path(__file__).resolve().parent / "data"
HISTORY_SECONDS = 730 * 86400
ORG_SLUG = "bench"
LOADED_TABLES = ("customers", "customer_stores", "loyalty_accounts", "orders", "order_items",
                 "loyalty_ledger")

# Enum names, as the tables store them.
SOURCES = [s.name for s in CustomerSource]
SOURCE_WEIGHTS = {True: (30, 35, 12, 5, 3, 10, 5), False: (30, 5, 20, 15, 25, 3, 2)}
CONSENT_SOURCE = {"WEB": "WEB", "MOBILE_APP": "MOBILE_APP", "POS": "POS", "PHONE": "PHONE",
                  "DELIVERY_PLATFORM": "DELIVERY_PLATFORM", "IMPORT": "IMPORT",
                  "MANUAL": ConsentSource.ADMIN.name}
CHANNELS = [c.name for c in OrderChannel]
CHANNEL_WEIGHTS = (30, 30, 20, 8, 12)
USUAL_CHANNEL = {s: CHANNELS.index(s) for s in SOURCES if s in CHANNELS}
IN_PROGRESS = ("PENDING", "CONFIRMED", "PREPARING", "READY", "OUT_FOR_DELIVERY")
COMPLETED, CANCELLED = OrderStatus.COMPLETED.name, OrderStatus.CANCELLED.name
DELIVERY, PICKUP, DINE_IN = (f.name for f in FulfilmentType)
ON_TIME, DELAYED = Punctuality.ON_TIME.name, Punctuality.DELAYED.name
RISK = [None, RiskLevel.LOW.name, RiskLevel.MEDIUM.name, RiskLevel.HIGH.name]
PLATFORMS = ("glovo", "ubereats", "justeat")
REGISTERED, GUEST = CustomerType.REGISTERED.name, CustomerType.GUEST.name
PROVIDER = "customerhub"
ITEM_COUNT_WEIGHTS = (30, 30, 20, 12, 8)  # 1..5 distinct lines, 2.38 on average
QUANTITY_WEIGHTS = (75, 18, 5, 2)  # 1..4


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


@dataclass(slots=True)
class Dataset:
    """What was generated: customer rows are streamed, the rest is kept for the COPYs after."""

    organization_id: int
    store_ids: list[int]
    # orders: (placed_at, customer index, store index, channel, status, fulfilment, promised,
    # delivered, punctuality, items ((menu index, quantity), ...), total); sorted by time later.
    orders: list[tuple[Any, ...]] = field(default_factory=list)
    customer_stores: list[tuple[Any, ...]] = field(default_factory=list)
    loyalty_accounts: list[tuple[Any, ...]] = field(default_factory=list)
    # Loyalty members' start (seconds), 0 for others: orders after it earn points.
    member_since: list[int] = field(default_factory=list)
    extra_ledger: list[tuple[Any, ...]] = field(default_factory=list)  # welcome bonus, redeems
    total_spent: list[int] = field(default_factory=list)


def ts(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


class Generator:
    """Draws customers one by one (with all their orders), in id order."""

    def __init__(self, seed: int, now: int, customers: int, orders: int, data: Dataset) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.data = data
        self.count = customers
        start = now - HISTORY_SECONDS
        rand = self.rng.random
        # Customers are created over two years, more of them recently; ids follow creation.
        self.created = sorted(start + int((HISTORY_SECONDS - 86400) * rand() ** 0.6)
                              for _ in range(customers))
        self.registered = [rand() < 0.68 for _ in range(customers)]
        self.order_counts = self._order_counts(orders)
        self.store_cum = cumulative([s.weight for s in STORES])
        self.channel_cum = cumulative(CHANNEL_WEIGHTS)
        self.source_cum = {k: cumulative(v) for k, v in SOURCE_WEIGHTS.items()}
        self.menu_cum = cumulative([m.weight for m in MENU])
        self.lines_cum = cumulative(ITEM_COUNT_WEIGHTS)
        self.quantity_cum = cumulative(QUANTITY_WEIGHTS)
        self.ascii = {name: _ascii(name) for name in
                      (*SPANISH_FIRST_NAMES, *ENGLISH_FIRST_NAMES, *SPANISH_SURNAMES,
                       *ENGLISH_SURNAMES)}

    def _order_counts(self, total: int) -> list[int]:
        """Skewed counts that add up to `total` exactly: 15% of registered customers never
        ordered; every other customer ordered at least once (guests exist because they did)."""
        rng = self.rng
        ordering = [not (r and rng.random() < 0.15) for r in self.registered]
        buyers = sum(ordering)
        base = 1 if total >= buyers else 0
        weights = [rng.lognormvariate(0, 1.0) if o else 0.0 for o in ordering]
        rest, weight_sum = total - base * buyers, sum(weights)
        counts, running, given = [], 0.0, 0
        for o, w in zip(ordering, weights, strict=True):
            running += w
            upto = round(rest * running / weight_sum) if weight_sum else 0
            counts.append((base if o else 0) + upto - given)
            given = upto
        return counts

    def pick(self, cum: list[float]) -> int:
        return bisect.bisect(cum, self.rng.random() * cum[-1])

    def customer_rows(self, organization_id: int) -> Iterator[tuple[Any, ...]]:
        for index in range(self.count):
            yield self._customer(index, organization_id)

    def _customer(self, index: int, org: int) -> tuple[Any, ...]:
        rng, rand, now, data = self.rng, self.rng.random, self.now, self.data
        cid = index + 1
        registered = self.registered[index]
        created = self.created[index]
        source = SOURCES[self.pick(self.source_cum[registered])]
        store = self.pick(self.store_cum)
        english = rand() < 0.2
        first: str | None
        last: str | None
        first, last = self._name(english)
        email: str | None = None
        phone: str | None = None
        external_id: str | None = None
        address = self._email(first, last, english, cid)
        if registered:
            email = address
            phone = self._phone(cid) if rand() < 0.85 else None
        else:  # guests leave what checkout asked for
            shape = rand()
            if shape < 0.25:
                email, first, last = address, None, None
            elif shape < 0.45:
                phone, last = self._phone(cid), None
            elif shape < 0.6:
                email, last = address, None
            else:
                email, phone = address, self._phone(cid)
        if source == "IMPORT":
            external_id = f"LEG-{cid:07d}"
        elif source == "DELIVERY_PLATFORM" and rand() < 0.5:
            external_id = f"{PLATFORMS[cid % 3]}:cust-{cid:07d}"
        elif registered and rand() < 0.08:
            external_id = f"CRM-{cid:07d}"
        registered_at = None
        if registered:
            registered_at = created
            if rand() < 0.15:  # ordered as a guest first, registered later
                registered_at = min(created + int(rand() * 200 * 86400), now - 6 * 3600)
        member = registered and rand() < 0.65
        membership_id = f"CH-{10_000_000 + cid}" if member else None
        member_since = (registered_at or created) if member else 0
        data.member_since.append(member_since)

        orders = self._orders(index, created, store, source, self.order_counts[index])
        count = spent = earned = 0
        first_at = last_at = last_status = last_punctuality = None
        per_store: dict[int, list[int]] = {}
        online_at = registered_at or created
        for o in orders:
            placed, status = o[0], o[4]
            if o[3] < 2:  # WEB, MOBILE_APP
                online_at = max(online_at, placed)
            if status == CANCELLED:
                continue
            count += 1
            spent += o[10]
            if first_at is None:
                first_at = placed
            last_at, last_status, last_punctuality = placed, status, o[8]
            seen = per_store.get(o[2])
            if seen is None:
                per_store[o[2]] = [1, placed, placed]
            else:
                seen[0] += 1
                seen[2] = placed
            if member and status == COMPLETED and placed >= member_since:
                earned += o[10] // 100  # one point per euro, as EARN entries in the ledger
        data.orders.extend(orders)
        data.total_spent.append(spent)
        for s, (n, s_first, s_last) in sorted(per_store.items()):
            data.customer_stores.append((len(data.customer_stores) + 1, org, cid,
                                         data.store_ids[s], n, ts(s_first), ts(s_last)))
        balance = earned
        if member:
            data.loyalty_accounts.append((len(data.loyalty_accounts) + 1, org, cid, PROVIDER,
                                          membership_id, ts(member_since)))
            if rand() < 0.5:
                balance += 100
                data.extra_ledger.append((cid, "ADJUST", 100, "Bono de bienvenida", None,
                                          member_since + 60))
            if balance >= 250 and rand() < 0.4:
                redeemed = 100 * rng.randint(1, min(10, balance // 100))
                balance -= redeemed
                data.extra_ledger.append((cid, "REDEEM", -redeemed, "Canje", None,
                                          (last_at or member_since) + 3600))

        shopper = None
        last_access = None
        if registered:
            shopper = (ShopperLevel.NEW if count <= 1 else ShopperLevel.OCCASIONAL if count <= 5
                       else ShopperLevel.REGULAR if count <= 15 else ShopperLevel.VIP).name
            last_access = min(now, online_at + int(rand() * 20 * 86400))
        elif rand() < 0.3:
            shopper = ShopperLevel.NEW.name
        subscribed, consent_at, consent_source = False, None, None
        if rand() < 0.6:
            subscribed = rand() < 0.7
            consent_at = min(now, created + int(rand() * 30 * 86400))
            consent_source = CONSENT_SOURCE[source]
        activity = max(x for x in (created, last_at, registered_at, last_access, consent_at)
                       if x is not None)
        risk = RISK[0] if rand() < 0.8 else RISK[rng.randint(1, 3)]
        return (
            cid, org, REGISTERED if registered else GUEST, first, last, email, phone, source,
            data.store_ids[store] if registered else None, ts(registered_at), ts(last_access),
            ts(activity), subscribed, ts(consent_at), consent_source, None, external_id,
            shopper, risk, None, None, False, False,
            count, spent, average(spent, count), ts(first_at), ts(last_at), last_status,
            last_punctuality, balance, earned,
            search_text(first, last, email, phone, external_id, membership_id),
            search_name(first, last), ts(created), ts(activity),
        )

    def _name(self, english: bool) -> tuple[str, str]:
        choice, rand = self.rng.choice, self.rng.random
        if english:
            return choice(ENGLISH_FIRST_NAMES), choice(ENGLISH_SURNAMES)
        first = choice(SPANISH_FIRST_NAMES)
        if rand() < 0.1:
            first = f"{first} {choice(SPANISH_FIRST_NAMES)}"
        last = choice(SPANISH_SURNAMES)
        if rand() < 0.6:
            last = f"{last} {choice(SPANISH_SURNAMES)}"
        return first, last

    def _email(self, first: str, last: str, english: bool, cid: int) -> str:
        domains = ENGLISH_EMAIL_DOMAINS if english else SPANISH_EMAIL_DOMAINS
        given = self.ascii[first.split()[0]]
        family = self.ascii[last.split()[0]]
        return f"{given}.{family}{cid}@{domains[cid % len(domains)]}"  # the id makes it unique

    @staticmethod
    def _phone(cid: int) -> str:
        # 48271 is prime to 10**8, so the eight digits differ for every customer id.
        return f"+346{cid * 48271 % 10**8:08d}"

    def _orders(self, index: int, created: int, store: int, source: str, n: int
                ) -> list[tuple[Any, ...]]:
        if n == 0:
            return []
        rng, rand, now = self.rng, self.rng.random, self.now
        span = now - created
        # A guest exists because of a first order, placed when the customer was created.
        times = sorted({created + int(span * rand()) for _ in range(n - 1)} | {created + 30})
        while len(times) < n:  # two draws fell on the same second
            times = sorted(set(times) | {created + int(span * rand())})
        usual_channel = USUAL_CHANNEL.get(source)
        orders = []
        for placed in times:
            where = store if rand() < 0.85 else self.pick(self.store_cum)
            channel = (usual_channel if usual_channel is not None and rand() < 0.6
                       else self.pick(self.channel_cum))
            channel_name = CHANNELS[channel]
            if channel_name == "DELIVERY_PLATFORM":
                fulfilment = DELIVERY
            elif channel_name == "POS":
                fulfilment = DINE_IN if rand() < 0.6 else PICKUP
            else:
                r = rand()
                fulfilment = DELIVERY if r < 0.5 else PICKUP if r < 0.85 else DINE_IN
            if placed > now - 2 * 3600:
                status = IN_PROGRESS[rng.randrange(len(IN_PROGRESS))]
            else:
                status = CANCELLED if rand() < 0.04 else COMPLETED
            promised = delivered = punctuality = None
            if fulfilment == DELIVERY and channel_name != "DELIVERY_PLATFORM":
                promised = placed + 45 * 60
                if status == COMPLETED:
                    delivered = promised + rng.randint(-15 * 60, 25 * 60)
                    punctuality = ON_TIME if delivered <= promised else DELAYED
            items = self._items()
            total = sum(MENU[m].price * q for m, q in items)
            orders.append((placed, index, where, channel, status, fulfilment, promised,
                           delivered, punctuality, items, total))
        return orders

    def _items(self) -> tuple[tuple[int, int], ...]:
        lines = self.pick(self.lines_cum) + 1
        chosen: list[int] = []
        while len(chosen) < lines:
            m = self.pick(self.menu_cum)
            if m not in chosen:
                chosen.append(m)
        return tuple((m, self.pick(self.quantity_cum) + 1) for m in chosen)


def _ascii(text: str) -> str:
    """`Núñez` -> `nunez`: what goes into an email's local part."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


# --------------------------------------------------------------------------------------------
# Rows for the COPYs after the customers: orders in time order, their items, the ledger
# --------------------------------------------------------------------------------------------


def order_rows(data: Dataset) -> Iterator[tuple[Any, ...]]:
    org, store_ids = data.organization_id, data.store_ids
    codes = [s.code for s in STORES]
    for oid, o in enumerate(data.orders, 1):
        placed, cust, store, channel, status, fulfilment, promised, delivered, punct = o[:9]
        channel_name = CHANNELS[channel]
        if channel_name == "DELIVERY_PLATFORM":
            external = f"{PLATFORMS[oid % 3]}-{oid:09d}"
        elif channel_name == "POS" and oid % 2:
            external = f"TPV-{codes[store]}-{oid:09d}"
        else:
            external = None
        at = ts(placed)
        yield (oid, org, f"{codes[store]}-{100000 + oid}", external, store_ids[store], cust + 1,
               channel_name, status, at, o[10], fulfilment, ts(promised), ts(delivered), punct,
               at)


def item_rows(data: Dataset) -> Iterator[tuple[Any, ...]]:
    org = data.organization_id
    item_id = 0
    for oid, o in enumerate(data.orders, 1):
        for position, (m, quantity) in enumerate(o[9]):
            item_id += 1
            menu = MENU[m]
            yield (item_id, org, oid, position, menu.name, menu.sku, quantity, menu.price)


def ledger_rows(data: Dataset) -> Iterator[tuple[Any, ...]]:
    """EARN for each completed order of a member (placed since joining), then the rest."""
    org, since = data.organization_id, data.member_since
    entry_id = 0
    for oid, o in enumerate(data.orders, 1):
        start = since[o[1]]
        if start and o[4] == COMPLETED and o[0] >= start:
            entry_id += 1
            yield (entry_id, org, o[1] + 1, "EARN", o[10] // 100, f"Pedido {oid}", oid,
                   ts((o[7] or o[0]) + 300))
    for cid, kind, points, reason, order_id, at in data.extra_ledger:
        entry_id += 1
        yield (entry_id, org, cid, kind, points, reason, order_id, ts(at))


CUSTOMER_COLUMNS = (
    "id", "organization_id", "type", "first_name", "last_name", "email", "phone_e164", "source",
    "main_store_id", "registered_at", "last_access_at", "last_activity_at", "subscribed",
    "consent_updated_at", "consent_source", "birthday", "external_id", "shopper_level",
    "risk_level", "notes", "company_name", "tax_exempt", "age_restricted_allowed",
    "order_count", "total_spent", "average_spend", "first_order_at", "last_order_at",
    "last_order_status", "last_order_punctuality", "points_balance", "points_earned",
    "search_text", "sort_name", "created_at", "updated_at",
)
COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": CUSTOMER_COLUMNS,
    "customer_stores": ("id", "organization_id", "customer_id", "store_id", "order_count",
                        "first_order_at", "last_order_at"),
    "loyalty_accounts": ("id", "organization_id", "customer_id", "provider", "membership_id",
                         "created_at"),
    "orders": ("id", "organization_id", "number", "external_id", "store_id", "customer_id",
               "channel", "status", "placed_at", "total", "fulfilment_type", "promised_at",
               "delivered_at", "punctuality", "created_at"),
    "order_items": ("id", "organization_id", "order_id", "position", "name", "sku", "quantity",
                    "unit_price"),
    "loyalty_ledger": ("id", "organization_id", "customer_id", "kind", "points", "reason",
                       "order_id", "created_at"),
}


# --------------------------------------------------------------------------------------------
# Schema, organization, constraints
# --------------------------------------------------------------------------------------------


async def recreate_database(admin_dsn: str, database: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()


async def create_organization(url: str) -> tuple[int, list[int], str]:
    """Organization, stores and API key, through the models as the application makes them."""
    from demo.seed import COUNTRY, CURRENCY, TIMEZONE
    from models.access.api_keys import create_api_key
    from models.organizations.stores import Store
    from models.organizations.table import Organization
    from server.db import Database

    db = Database.connect(url)
    try:
        async with db.admin_session() as session:
            org = Organization(slug=ORG_SLUG, name="Benchmark Restaurants",
                               default_country=COUNTRY, currency=CURRENCY, timezone=TIMEZONE)
            session.add(org)
            await session.flush()
            stores = [Store(organization_id=org.id, name=s.name, code=s.code,
                            address_line1=s.address_line1, city=s.city,
                            postal_code=s.postal_code, country=COUNTRY) for s in STORES]
            session.add_all(stores)
            await session.flush()
            _, key = await create_api_key(session, org.id, "benchmark")
            await session.commit()
            return org.id, [s.id for s in stores], key
    finally:
        await db.dispose()


@dataclass(frozen=True, slots=True)
class Constraints:
    """What `--keep-indexes` would maintain row by row, as DDL to drop and create again."""

    drop: list[str]
    create: list[str]  # primary keys, unique constraints, indexes: independent of each other
    foreign_keys: list[str]  # after the keys they reference


async def read_constraints(conn: asyncpg.Connection) -> Constraints:
    tables = list(LOADED_TABLES)
    fks = await conn.fetch(
        """SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
           FROM pg_constraint WHERE contype = 'f'
             AND (conrelid::regclass::text = ANY($1) OR confrelid::regclass::text = ANY($1))
           ORDER BY conrelid::regclass::text, conname""", tables)
    keys = await conn.fetch(
        """SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
           FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid::regclass::text = ANY($1)
           ORDER BY contype, conrelid::regclass::text, conname""", tables)
    indexes = await conn.fetch(
        """SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
           FROM pg_index i WHERE i.indrelid::regclass::text = ANY($1)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
           ORDER BY 1""", tables)
    drop = [f'ALTER TABLE {r["tbl"]} DROP CONSTRAINT "{r["conname"]}"' for r in fks]
    drop += [f'ALTER TABLE {r["tbl"]} DROP CONSTRAINT "{r["conname"]}"' for r in keys]
    drop += [f'DROP INDEX "{r["name"]}"' for r in indexes]
    create = [f'ALTER TABLE {r["tbl"]} ADD CONSTRAINT "{r["conname"]}" {r["def"]}' for r in keys]
    # The trigram index takes longest: start it first so that the other worker does the rest.
    create += sorted((r["def"] for r in indexes), key=lambda d: "gin" not in d)
    foreign_keys = [f'ALTER TABLE {r["tbl"]} ADD CONSTRAINT "{r["conname"]}" {r["def"]}'
                    for r in fks]
    return Constraints(drop, create, foreign_keys)


async def run_parallel(dsn: str, statements: Sequence[str], workers: int = 2) -> None:
    """Run independent statements on `workers` connections (each in its own transaction)."""
    queue = list(statements)

    async def worker() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            while queue:
                statement = queue.pop(0)
                started = time.monotonic()
                await conn.execute(statement)
                log(f"  {time.monotonic() - started:6.1f} s  {statement[:110]}")
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(workers)))


# --------------------------------------------------------------------------------------------
# The load
# --------------------------------------------------------------------------------------------

_started = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - _started:7.1f} s] {message}", file=sys.stderr, flush=True)


async def timed(label: str, work: Awaitable[Any], timings: dict[str, float]) -> Any:
    started = time.monotonic()
    result = await work
    timings[label] = round(time.monotonic() - started, 1)
    log(f"{label}: {timings[label]} s")
    return result


async def load(args: argparse.Namespace, dsn: str, url: str) -> dict[str, Any]:
    timings: dict[str, float] = {}
    started = time.monotonic()
    admin_dsn = dsn.rsplit("/", 1)[0] + "/postgres"
    database = dsn.rsplit("/", 1)[1]
    await timed("recreate database", recreate_database(admin_dsn, database), timings)
    from server.migrate import upgrade

    await timed("migrations", upgrade(url), timings)
    org, store_ids, key = await create_organization(url)
    args.key_file.parent.mkdir(parents=True, exist_ok=True)
    args.key_file.write_text(key + "\n")
    log(f"organization {org}, stores {store_ids}; API key in {args.key_file}")

    now = int(args.now.timestamp())
    data = Dataset(org, store_ids)
    generator = Generator(args.seed, now, args.customers, args.orders, data)
    log("customer plan drawn (creation times, order counts)")

    gc.disable()  # millions of small tuples that live until the end: no cycles to find
    conn = await asyncpg.connect(dsn)
    try:
        constraints = await read_constraints(conn)
        async with conn.transaction():
            if not args.keep_indexes:
                for statement in constraints.drop:
                    await conn.execute(statement)
            # Truncated in the loading transaction: with wal_level=minimal the COPYs skip WAL.
            await conn.execute(f"TRUNCATE {', '.join(LOADED_TABLES)} CASCADE")
            await timed("customers: generate all + COPY customers", conn.copy_records_to_table(
                "customers", records=generator.customer_rows(org),
                columns=COLUMNS["customers"]), timings)
            sorting = time.monotonic()
            data.orders.sort(key=lambda o: o[0])  # stable: ties keep generation order
            timings["sort orders by time"] = round(time.monotonic() - sorting, 1)
            for table, rows in (("customer_stores", data.customer_stores),
                                ("loyalty_accounts", data.loyalty_accounts),
                                ("orders", order_rows(data)), ("order_items", item_rows(data)),
                                ("loyalty_ledger", ledger_rows(data))):
                await timed(f"COPY {table}", conn.copy_records_to_table(
                    table, records=rows, columns=COLUMNS[table]), timings)
        if not args.keep_indexes:
            await timed("primary keys, unique constraints, indexes",
                        run_parallel(dsn, constraints.create), timings)
            await timed("foreign keys", run_parallel(dsn, constraints.foreign_keys), timings)
        for table in LOADED_TABLES:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
    finally:
        await conn.close()
    await timed("VACUUM (FREEZE, ANALYZE)", run_parallel(
        dsn, [f"VACUUM (FREEZE, ANALYZE) {t}" for t in LOADED_TABLES]), timings)
    total = round(time.monotonic() - started, 1)
    log(f"load finished in {total} s")

    counts = {"customers": args.customers, "orders": len(data.orders),
              "order_items": sum(len(o[9]) for o in data.orders),
              "customer_stores": len(data.customer_stores),
              "loyalty_accounts": len(data.loyalty_accounts)}
    spent = sorted(data.total_spent)
    percentiles = {str(p): spent[min(len(spent) - 1, len(spent) * p // 100)]
                   for p in (10, 25, 50, 75, 90, 95, 99, 100)}
    gc.enable()
    return {"organization_id": org, "store_ids": store_ids, "seed": args.seed,
            "now": args.now.isoformat(), "counts": counts, "keep_indexes": args.keep_indexes,
            "total_spent_percentiles_minor": percentiles, "timings_s": timings,
            "load_s": total}


async def table_sizes(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            """SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) AS size
               FROM pg_class WHERE relname = ANY($1) ORDER BY pg_total_relation_size(oid) DESC""",
            list(LOADED_TABLES))
        total = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
    finally:
        await conn.close()
    return {**{r["relname"]: r["size"] for r in rows}, "database": total}


# --------------------------------------------------------------------------------------------
# Verification against the project's own aggregate rules
# --------------------------------------------------------------------------------------------


async def verify(url: str, organization_id: int, customers: int, n: int, seed: int) -> int:
    """Compare N random customers' stored aggregates, stores and search columns with what
    `compute_aggregates` and the search-column rules derive; return the number of mismatches."""
    from sqlalchemy import func, select

    from models.core.enums import OrderStatus
    from models.core.tenancy import session_info
    from models.customers.table import Customer, CustomerStore
    from models.loyalty.ledger import LoyaltyAccount
    from models.orders.aggregates import compute_aggregates, stored_aggregates
    from models.orders.table import Order
    from server.db import Database

    ids = sorted(random.Random(seed + 1).sample(range(1, customers + 1), min(n, customers)))
    db = Database.connect(url)
    bad = 0
    try:
        async with db.sessions(info=session_info(organization_id)) as session:
            expected = await compute_aggregates(session, ids)
            rows = {c.id: c for c in await session.scalars(
                select(Customer).where(Customer.id.in_(ids)))}
            memberships = dict((await session.execute(
                select(LoyaltyAccount.customer_id, LoyaltyAccount.membership_id)
                .where(LoyaltyAccount.customer_id.in_(ids)))).all())
            stores_expected = {tuple(r) for r in await session.execute(
                select(Order.customer_id, Order.store_id, func.count(), func.min(Order.placed_at),
                       func.max(Order.placed_at))
                .where(Order.customer_id.in_(ids), Order.status != OrderStatus.CANCELLED)
                .group_by(Order.customer_id, Order.store_id))}
            stores_stored = {tuple(r) for r in await session.execute(
                select(CustomerStore.customer_id, CustomerStore.store_id,
                       CustomerStore.order_count, CustomerStore.first_order_at,
                       CustomerStore.last_order_at).where(CustomerStore.customer_id.in_(ids)))}
        for cid in ids:
            row = rows[cid]
            stored = stored_aggregates(row)
            if stored != expected[cid]:
                bad += 1
                log(f"customer {cid}: stored {stored} != computed {expected[cid]}")
            search = (row.search_text, row.sort_name)
            row.refresh_search_columns(memberships.get(cid))
            if search != (row.search_text, row.sort_name):
                bad += 1
                log(f"customer {cid}: search columns {search} differ")
        if stores_expected != stores_stored:
            bad += 1
            log(f"customer_stores differ: {len(stores_expected ^ stores_stored)} rows")
    finally:
        await db.dispose()
    log(f"verified {len(ids)} customers: {bad} mismatches")
    return bad


# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--now", type=datetime.fromisoformat,
                        default=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
                        help="the moment the data set ends (ISO 8601 with zone)")
    parser.add_argument("--keep-indexes", action="store_true",
                        help="COPY into the migrated tables with their indexes and constraints")
    parser.add_argument("--verify", type=int, default=0, metavar="N",
                        help="check N random customers against compute_aggregates afterwards")
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY,
                        help="the benchmark PostgreSQL cluster (created on first use)")
    parser.add_argument("--key-file", type=Path, default=DATA / "api_key.txt")
    parser.add_argument("--report", type=Path, default=DATA / "dataset.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.now.tzinfo is None:
        raise SystemExit("--now needs a time zone, e.g. 2026-11-01T12:00:00+00:00")
    with bench_postgres(args.directory) as pg:
        report = asyncio.run(load(args, pg.dsn, pg.url))
        report["sizes"] = asyncio.run(table_sizes(pg.dsn))
        log(f"sizes: {report['sizes']}")
        if args.verify:
            report["verify_mismatches"] = asyncio.run(verify(
                pg.url, report["organization_id"], args.customers, args.verify, args.seed))
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 1 if report.get("verify_mismatches") else 0


if __name__ == "__main__":
    raise SystemExit(main())

