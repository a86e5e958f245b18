"""`totalCount` is kept a few seconds per process (resolvers/engine/count_cache.py): pages of one
filter count once, a write through the process shows at once, other writers within the TTL."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.db import Database
from server.settings import Settings

from clients import GraphQL
from factories import OrgFixture, create_organization

COUNT = """query($filter: CustomerFilter) { customers(filter: $filter, first: 1) { totalCount } }"""
ADD = """mutation($input: AddCustomerInput!) { addCustomer(input: $input) {
  customer { id } userErrors { code } } }"""


@pytest.fixture
async def cached(db: Database, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url, count_cache_seconds=0.5), db=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def total(gql: GraphQL, filter: dict[str, Any] | None = None) -> int:
    return int((await gql.data(COUNT, {"filter": filter}))["customers"]["totalCount"])


async def test_a_total_is_counted_once_then_refreshed_by_a_write_or_the_ttl(
        cached: httpx.AsyncClient, org: OrgFixture) -> None:
    gql = GraphQL(cached, org.api_key)
    await org.customer()
    assert await total(gql) == 1
    await org.customer()  # written outside this process's API: seen after the TTL
    assert await total(gql) == 1
    added = await gql.data(ADD, {"input": {
        "firstName": "Ana", "lastName": "Ruiz", "email": "ana@example.com", "phone": "612 34 56 78",
        "address": {"line1": "Gran Vía 1", "city": "Madrid"}}})
    assert added["addCustomer"]["userErrors"] == []
    assert await total(gql) == 3  # a write through the process drops the organization's totals
    await org.customer()
    assert await total(gql) == 3
    await asyncio.sleep(0.6)
    assert await total(gql) == 4


async def test_totals_are_kept_apart_by_filter_and_organization(
        cached: httpx.AsyncClient, org: OrgFixture, db: Database) -> None:
    other = await create_organization(db)
    await org.customer(first_name="Zoe")
    await org.customer(first_name="Ana")
    await other.customer(first_name="Ana")
    ours, theirs = GraphQL(cached, org.api_key), GraphQL(cached, other.api_key)
    assert await total(ours) == 2
    assert await total(ours, {"name": "zoe"}) == 1
    assert await total(theirs) == 1
    assert await total(theirs, {"name": "zoe"}) == 0
