"""Request limits: each refused just over its value and accepted at it, with an error that names
the limit, its value and what the request had; introspection only for staff and keys."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse

from models.core.actors import Actor
from models.core.enums import ActorKind, StaffRole
from resolvers.engine.internals import graphql_schema_of, validation_cache
from resolvers.engine.limits.cost import CostLimiter, compile_plan
from resolvers.engine.limits.setup import Limits
from resolvers.schema import schema
from server.app import create_app
from server.db import Database
from server.settings import Settings

from clients import ActorGraphQL, GraphQL, StaffUsers
from environment import ROOT
from factories import OrgFixture

CONTRACT = sorted((ROOT / "frontend-contract").rglob("*.graphql"))


@asynccontextmanager
async def limited(db: Database, org: OrgFixture, **limits: Any) -> AsyncIterator[GraphQL]:
    """A client, as the organization's key, of an app of its own with these settings."""
    settings = Settings(database_url="unused://", **limits)
    transport = httpx.ASGITransport(app=create_app(settings, db=db))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield GraphQL(client, org.api_key)


def only_error(body: dict[str, Any], code: str) -> dict[str, Any]:
    assert body["data"] is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, error
    return error


# --------------------------------------------------------------------------- depth


async def test_depth_at_the_limit_runs_and_one_more_level_is_refused(db, org) -> None:
    async with limited(db, org, max_query_depth=3) as gql:
        await gql.data("{ customers { nodes { mainStore { name } } } }")  # 3 levels
        body = await gql.post("query Deep { customers { nodes { orders { nodes { id } } } } }")
    error = only_error(body, "QUERY_TOO_DEEP")
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 3, "actual": 4}
    assert error["message"].startswith("`Deep` is 4 levels deep; the limit is 3.")


async def test_depth_counts_through_fragments(db, org) -> None:
    query = """
      query { customers { ...Page } }
      fragment Page on CustomerConnection { nodes { ...Row } }
      fragment Row on Customer { orders { nodes { id } } }
    """
    async with limited(db, org, max_query_depth=3) as gql:
        body = await gql.post(query)
    assert only_error(body, "QUERY_TOO_DEEP")["extensions"]["actual"] == 4


# --------------------------------------------------------------------------- aliases


async def test_aliases_at_the_limit_run_and_one_more_is_refused(db, org) -> None:
    async with limited(db, org, max_aliases=3) as gql:
        data = await gql.data("{ a: stores { id } b: stores { id } c: stores { name } }")
        assert len(data["a"]) == 3
        body = await gql.post("{ a: stores { id } b: stores { id } c: stores { id } "
                              "d: stores { id } }")
    error = only_error(body, "TOO_MANY_ALIASES")
    assert error["extensions"] == {"code": "TOO_MANY_ALIASES", "limit": 3, "actual": 4}
    assert "uses 4 aliases; the limit is 3" in error["message"]


async def test_an_alias_counts_each_time_its_fragment_is_spread(db, org) -> None:
    # 20 fragments each spreading the next twice: 2**20 aliases, counted without expanding them.
    fragments = "".join(
        f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}\n" for n in range(20))
    query = f"query {{ ...F0 }}\n{fragments}fragment F20 on Query {{ s: stores {{ id }} }}"
    async with limited(db, org, max_aliases=30, max_tokens=5000) as gql:
        body = await gql.post(query)
    errors = [e for e in body["errors"] if e["extensions"]["code"] == "TOO_MANY_ALIASES"]
    assert errors[0]["extensions"]["actual"] == 2**20


# --------------------------------------------------------------------------- tokens


async def test_tokens_at_the_limit_run_and_one_more_is_refused(db, org) -> None:
    async with limited(db, org, max_tokens=6) as gql:
        await gql.data("{ stores { id } }")  # { stores { id } } : 6 tokens
        body = await gql.post("{ stores { id name } }")
    error = only_error(body, "TOO_MANY_TOKENS")
    assert error["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": 6, "actual": 7}
    assert error["message"].startswith("The document has 7 tokens; the limit is 6.")


async def test_a_huge_document_is_counted_only_so_far(db, org) -> None:
    async with limited(db, org, max_tokens=6) as gql:
        body = await gql.post("{ stores { " + "id " * 10_000 + "} }")
    error = only_error(body, "TOO_MANY_TOKENS")
    assert "more than 60 tokens" in error["message"]


async def test_a_syntax_error_within_the_token_limit_stays_a_syntax_error(db, org) -> None:
    async with limited(db, org, max_tokens=100) as gql:
        errors = await gql.errors("{ stores { id }")
    assert errors[0]["message"].startswith("Syntax Error")


# --------------------------------------------------------------------------- page size


async def test_page_size_at_the_cap_runs_and_above_it_is_refused_before_running(gql) -> None:
    await gql.data("{ customers(first: 250) { nodes { id } } }")
    body = await gql.post(
        "query($n: Int) { customers(first: 2) { nodes { orders(first: $n) { totalCount } } } }",
        {"n": 251})
    # One error for the whole request, not one per customer: nothing ran.
    error = only_error(body, "PAGE_SIZE_EXCEEDED")
    assert error["extensions"] == {"code": "PAGE_SIZE_EXCEEDED", "limit": 250, "actual": 251}
    assert "`orders` asked for 251 (`first`)" in error["message"]
    body = await gql.post("{ customers(last: 251) { nodes { id } } }")
    assert "`customers` asked for 251 (`last`)" in only_error(body, "PAGE_SIZE_EXCEEDED")[
        "message"]


# --------------------------------------------------------------------------- cost

COSTLY = "query($n: Int = 99) { customers(first: $n) { nodes { id } } }"  # costs n + 2


async def test_cost_at_the_limit_runs_and_one_more_is_refused(db, org) -> None:
    async with limited(db, org, max_query_cost=100) as gql:
        await gql.data("{ customers(first: 98) { nodes { id } } }")
        body = await gql.post("query Big { customers(first: 99) { nodes { id } } }")
    error = only_error(body, "QUERY_TOO_COSTLY")
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "limit": 100, "actual": 101}
    assert error["message"].startswith("`Big` would cost 101; the limit is 100.")


async def test_cost_follows_each_requests_variables(db, org) -> None:
    async with limited(db, org, max_query_cost=100) as gql:
        # The same document (one cached plan) under different variables.
        assert only_error(await gql.post(COSTLY), "QUERY_TOO_COSTLY")["extensions"][
            "actual"] == 101
        await gql.data(COSTLY, {"n": 98})
        assert only_error(await gql.post(COSTLY, {"n": 99}), "QUERY_TOO_COSTLY")
        await gql.data(COSTLY, {"n": None})  # null: the field's default page of 50


def test_cost_multiplies_pages_and_lists_and_counts_the_connection_once() -> None:
    query = """{ customers(first: 4) { totalCount pageInfo { hasNextPage }
                  edges { cursor node { id orders(first: 2) { nodes { id items { name } } } } } }
               }"""
    document = parse(query)
    plan = compile_plan(graphql_schema_of(schema), document, document.definitions[0])  # type: ignore[arg-type]
    items = 1 + 10 * 1  # a list without a page size counts 10 items
    order = 1 + items  # id, items
    orders = 1 + 1 + 2 * order  # orders, nodes, two orders
    node = 1 + 1 + orders  # node, id, orders
    edge = 1 + node  # cursor, node
    connection = 1 + 1 + (1 + 1) + 1 + 4 * edge  # customers, totalCount, pageInfo, edges
    assert plan.cost({}) == connection


def contract_cost(limiter: CostLimiter, query: str, variables: dict[str, Any]) -> None:
    error = limiter.check(graphql_schema_of(schema), parse(query), query, None, variables)
    assert error is None, error.message


@pytest.mark.parametrize("path", CONTRACT, ids=lambda p: p.name)
def test_every_front_end_document_passes_the_default_cost(path: Path) -> None:
    limits = Limits()
    contract_cost(CostLimiter(limits.max_cost, limits.max_page_size), path.read_text(), {})


def test_the_admin_list_with_orders_and_items_passes_the_default_cost() -> None:
    # 50 customers with their 3 newest orders and each order's items (README, "Try it"),
    # and the admin list page at the largest page.
    limits = Limits()
    limiter = CostLimiter(limits.max_cost, limits.max_page_size)
    readme = (ROOT / "README.md").read_text().split("```graphql")[1].split("```")[0]
    assert "orders(first: 3)" in readme
    contract_cost(limiter, readme, {})
    page = (ROOT / "frontend-contract/admin/CustomerListPage.graphql").read_text()
    contract_cost(limiter, page, {"first": 250})


# --------------------------------------------------------------------------- introspection

INTROSPECT = "{ __schema { queryType { name } } }"


async def test_introspection_for_keys_and_staff(gql, owner_gql) -> None:
    assert (await gql.data(INTROSPECT))["__schema"]["queryType"]["name"] == "Query"
    assert (await owner_gql.data(INTROSPECT))["__schema"]["queryType"]["name"] == "Query"
    full = await owner_gql.data(get_introspection_query(descriptions=True))  # GraphiQL's
    assert full["__schema"]["types"]


async def test_over_http_anonymous_callers_sign_in_without_introspection_and_staff_introspect(
        client: httpx.AsyncClient, staff_gql: StaffUsers) -> None:
    email, password = await staff_gql.create(StaffRole.VIEWER)
    anonymous = await client.post("/graphql", json={"query": INTROSPECT})
    assert anonymous.status_code == 200
    assert "introspection" in anonymous.json()["errors"][0]["message"].lower()
    # Signing in needs no introspection: a caller with no credentials still reaches it.
    staff = await staff_gql.sign_in(email, password)
    assert (await staff.data(INTROSPECT))["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("kind", [ActorKind.CUSTOMER, ActorKind.ANONYMOUS])
async def test_no_introspection_for_customers_or_anonymous_callers(
        org, as_actor: Callable[[Actor], Awaitable[ActorGraphQL]], kind: ActorKind) -> None:
    caller = await as_actor(Actor(organization_id=org.id, kind=kind, id="someone"))
    errors = await caller.errors(INTROSPECT)
    assert "introspection" in errors[0]["message"].lower()
    errors = await caller.errors('{ __type(name: "Customer") { name } }')
    assert "introspection" in errors[0]["message"].lower()
    # `__typename` is no introspection: a client library may add it anywhere.
    assert (await caller.post("{ __typename }"))["data"] == {"__typename": "Query"}


async def test_both_rule_sets_hit_the_validation_cache(
        org, owner_gql, as_actor: Callable[[Actor], Awaitable[ActorGraphQL]]) -> None:
    cache = validation_cache(1024)
    customer = await as_actor(Actor(organization_id=org.id, kind=ActorKind.CUSTOMER, id="c"))
    manager = await as_actor(Actor(organization_id=org.id, kind=ActorKind.STAFF_USER, id="m",
                                   role=StaffRole.MANAGER))
    query = "{ __typename limitsCacheProbe: __typename }"
    for caller in (owner_gql, customer):
        await caller.post(query)
    hits = cache.cache_info().hits
    for caller in (manager, customer, owner_gql):
        await caller.post(query)
    assert cache.cache_info().hits == hits + 3
