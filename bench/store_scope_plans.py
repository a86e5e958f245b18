"""EXPLAIN ANALYZE of what a manager's store scope adds to the customer list and its loaders.

    .venv/bin/python -m bench.store_scope_plans --customers 100000

Starts a throwaway PostgreSQL (`tests/services.postgres_server`), migrates it, fills one
organization with generate_series (5 stores; a main store for 6 customers in 7; 7 in 10 ordered
at one store, 3 in 10 at two; 3 orders each for those; one address each), VACUUM ANALYZE, then
runs each statement through a session scoped like a manager of store 1 (and the list and count
also unscoped, as an owner), capturing the SQL the ORM sends and printing its plan.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from models.core.tenancy import session_info
from models.customers.search import (
    DEFAULT_ORDER,
    CustomerCriteria,
    Page,
    count_customers,
    customer_stats,
    list_customers,
)
from models.customers.table import CustomerAddress
from models.orders.search import OrderCriteria, items_of_orders, orders_of_customers
from server.db import Database
from server.migrate import upgrade

from services import postgres_server

FILL = """
INSERT INTO organizations (id, slug, name, default_country, currency, timezone,
  guest_checkout_web, guest_checkout_mobile_app, registration_strategy, loyalty_earn_rate,
  created_at)
  SELECT 1, 'o', 'O', 'ES', 'EUR', 'Europe/Madrid', 'ENABLED', 'ENABLED', 'EMAIL', 1, now();
INSERT INTO stores (id, organization_id, name, code, created_at)
  SELECT s, 1, 'S' || s, 'C' || s, now() FROM generate_series(1, 5) s;
INSERT INTO customers (id, organization_id, type, source, main_store_id, subscribed, tax_exempt,
  age_restricted_allowed, order_count, total_spent, average_spend, points_balance, points_earned,
  search_text, sort_name, created_at, updated_at, email)
  SELECT i, 1, 'REGISTERED', 'WEB',
    CASE WHEN i % 7 = 0 THEN NULL ELSE 1 + (i::bigint * 7919) % 5 END, false, false, false,
    0, 0, 0, 0, 0, 'c' || i, 'c' || i, now() - (i || ' minutes')::interval, now(),
    'c' || i || '@x.es'
  FROM generate_series(1, :n) i;
INSERT INTO customer_stores (organization_id, customer_id, store_id, order_count)
  SELECT 1, i, 1 + (i::bigint * 31) % 5, 1 FROM generate_series(1, :n) i WHERE i % 10 < 7;
INSERT INTO customer_stores (organization_id, customer_id, store_id, order_count)
  SELECT 1, i, 1 + (i::bigint * 31 + 1) % 5, 1 FROM generate_series(1, :n) i WHERE i % 10 < 3;
INSERT INTO orders (organization_id, number, store_id, customer_id, channel, status, placed_at,
  total, fulfilment_type, created_at)
  SELECT 1, 'N' || g, 1 + (c::bigint * 31 + g % 2) % 5, c, 'POS', 'COMPLETED',
    now() - (g || ' minutes')::interval, 1000, 'PICKUP', now()
  FROM generate_series(1, :n) c, generate_series(1, 3) g WHERE c % 10 < 7;
INSERT INTO customer_addresses (organization_id, customer_id, position, line1)
  SELECT 1, i, 0, 'x' FROM generate_series(1, :n) i
"""

Statement = Callable[[AsyncSession], Awaitable[Any]]


def statements() -> list[tuple[str, Statement, bool]]:
    """(label, what to run, also as an owner)."""
    everyone = CustomerCriteria()
    ids = list(range(1000, 1100, 2))
    return [
        ("list page", lambda s: list_customers(s, everyone, DEFAULT_ORDER, Page(50), "ES"), True),
        ("count", lambda s: count_customers(s, everyone, "ES"), True),
        ("stats", lambda s: customer_stats(s, everyone, "ES"), False),
        ("list page, filter storeIds [2]", lambda s: list_customers(
            s, CustomerCriteria(store_ids=(2,)), DEFAULT_ORDER, Page(50), "ES"), False),
        ("addresses of 50 customers", lambda s: s.execute(
            select(CustomerAddress).where(CustomerAddress.customer_id.in_(ids))), False),
        ("orders of 50 customers", lambda s: orders_of_customers(
            s, ids, OrderCriteria(), 4), False),
        ("items of 100 orders", lambda s: items_of_orders(s, list(range(2000, 2100))), False),
    ]


async def explain(customers: int) -> None:
    with postgres_server() as pg:
        await upgrade(pg.url)
        db = Database.connect(pg.url)
        async with db.engine.begin() as conn:
            for sql in FILL.split(";\n"):
                await conn.execute(text(sql), {"n": customers} if ":n" in sql else {})
        async with db.engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
                text("VACUUM ANALYZE"))
        sent: list[tuple[str, Any]] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute",
                     lambda _c, _cur, sql, params, *_: sent.append((sql, params)))
        for label, run, as_owner in statements():
            for scope in ([(1,), None] if as_owner else [(1,)]):
                sent.clear()
                async with db.sessions(info=session_info(1, store_scope=scope)) as session:
                    await run(session)
                sql, params = sent[-1]
                async with db.engine.connect() as conn:
                    raw = (await conn.get_raw_connection()).driver_connection
                    plan = await raw.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *params)
                who = "manager of store 1" if scope else "owner"
                print(f"==== {label} ({who})\n" + "\n".join(row[0] for row in plan) + "\n")
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    asyncio.run(explain(parser.parse_args(argv).customers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
