"""A page of customers with their stores, loyalty, summary and latest orders costs the same
number of SQL statements for 5 customers as for 100."""

from factories import OrgFixture

PAGE = """query($first: Int) { customers(first: $first, sort: [{field: TOTAL_SPENT,
                                                                direction: DESC}]) {
  totalCount
  nodes { id fullName mainStore { name } stores { code } addresses { city }
    loyalty { pointsBalance } orderSummary { totalOrders totalSpent { amount } }
    marketingConsent { subscribed } consentHistory { subscribed }
    orders(first: 3) { totalCount nodes { number total { amount } store { name }
                                          items { name quantity } customer { id } } } } } }"""


async def statements_for(gql, sql_counter, first: int) -> int:
    before = sql_counter.count
    page = (await gql.data(PAGE, {"first": first}))["customers"]
    assert len(page["nodes"]) == first
    assert all(len(n["orders"]["nodes"]) == min(3, n["orders"]["totalCount"])
               for n in page["nodes"])
    return sql_counter.count - before


async def test_statement_count_does_not_grow_with_the_page(gql, org: OrgFixture,
                                                           sql_counter) -> None:
    for n in range(100):
        cid = await org.customer(main_store_id=org.store_ids[n % 3], membership_id=f"M{n}",
                                 addresses=1)
        for k in range(n % 5):
            await org.order(cid, store_id=org.store_ids[k % 3], total=100 * (k + 1), points=1)

    await gql.data("{ stores { id } }")  # resolves (and caches) the API key first
    small = await statements_for(gql, sql_counter, 5)
    large = await statements_for(gql, sql_counter, 100)

    assert small == large, sql_counter.statements[-large:]
    # list, count, main stores, stores ordered at, addresses, loyalty, consent, orders, order
    # count, items, customer of each order: one statement each.
    assert large == 11
