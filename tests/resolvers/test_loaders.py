"""The domains' batch reads used as they are built to be used: with a `ReadScope` and no GraphQL
at all. Rows come back in the order of the keys (a gap where there is none), merged customers
load as their target, another organization's rows never come back, and a manager's scope
reaches only the customers of their stores."""

from models.core.actors import Actor
from models.core.tenancy import ReadScope, session_info
from models.customers.merge import merge_customers
from models.orders.search import OrderCriteria
from resolvers.customers.loaders import load_addresses, load_customers
from resolvers.loyalty.loaders import load_memberships
from resolvers.orders.loaders import load_order_pages, load_orders
from resolvers.organizations.loaders import load_stores
from server.db import Database

from factories import OrgFixture, add_customer, add_order, create_organization


def scope(db: Database, org: OrgFixture, stores: frozenset[int] | None = None) -> ReadScope:
    return ReadScope(db.read_sessions, org.id, stores, org.currency)


async def test_rows_come_back_in_the_order_of_the_keys_with_gaps(db: Database,
                                                                  org: OrgFixture) -> None:
    first = await add_customer(db, org.id, addresses=2, loyalty_provider="acme",
                               membership_id="M-1")
    second = await add_customer(db, org.id)
    missing = second + 10_000
    rows = await load_customers(scope(db, org), [second, missing, first])
    assert [row.id if row else None for row in rows] == [second, None, first]
    addresses = await load_addresses(scope(db, org), [first, second])
    assert [[a.line1 for a in each] for each in addresses] == [["Calle 1", "Calle 2"], []]
    memberships = await load_memberships(scope(db, org), [second, first])
    assert memberships[0] is None
    assert memberships[1] is not None
    assert memberships[1].membership_id == "M-1"
    stores = await load_stores(scope(db, org), [org.store_ids[1], missing])
    assert stores[0] is not None
    assert stores[0].id == org.store_ids[1]
    assert stores[1] is None


async def test_a_merged_customer_loads_as_the_one_it_was_merged_into(db: Database,
                                                                      org: OrgFixture) -> None:
    target = await add_customer(db, org.id)
    source = await add_customer(db, org.id)
    async with db.sessions(info=session_info(org.id)) as session:
        await merge_customers(session, Actor.system(org.id), target, [source])
        await session.commit()
    [row] = await load_customers(scope(db, org), [source])
    assert row is not None
    assert row.id == target


async def test_another_organizations_rows_never_come_back(db: Database, org: OrgFixture
                                                           ) -> None:
    other = await create_organization(db)
    theirs = await add_customer(db, other.id, addresses=1)
    order = await add_order(db, other.id, theirs, store_id=other.store_ids[0])
    ours = scope(db, org)
    assert await load_customers(ours, [theirs]) == [None]
    assert await load_addresses(ours, [theirs]) == [[]]
    assert await load_orders(ours, [order]) == [None]
    assert await load_stores(ours, [other.store_ids[0]]) == [None]


async def test_a_managers_scope_reaches_only_their_stores_customers(db: Database,
                                                                     org: OrgFixture) -> None:
    mine = await add_customer(db, org.id, main_store_id=org.store_ids[0])
    elsewhere = await add_customer(db, org.id)
    await add_order(db, org.id, elsewhere, store_id=org.store_ids[1])
    manager = scope(db, org, frozenset({org.store_ids[0]}))
    rows = await load_customers(manager, [mine, elsewhere])
    assert [row.id if row else None for row in rows] == [mine, None]
    pages = await load_order_pages(manager, OrderCriteria(), 3, None,
                                                 [elsewhere])
    assert pages.orders.get(elsewhere, []) == []
    owner_pages = await load_order_pages(scope(db, org), OrderCriteria(), 3,
                                                       None, [elsewhere])
    assert len(owner_pages.orders[elsewhere]) == 1
