"""Our execution context (resolvers/engine/execution.py) answers exactly as Strawberry's stock one:
the same data, the same errors at the same paths, the same null propagation."""

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest
import strawberry
from graphql import OperationType, parse

from models.core.actors import Actor
from models.core.enums import ActorKind, StaffRole
from resolvers import request_context
from resolvers.context import Context
from resolvers.engine.execution import ExecutionContext
from resolvers.schema import build_schema, schema

from clients import organization_profile
from environment import ROOT
from factories import OrgFixture

STOCK = build_schema(execution_context_class=None)
DOCUMENTS = {path: path.read_text()
             for path in sorted((ROOT / "frontend-contract").glob("*/*.graphql"))}


def queries() -> list[Path]:
    return [path for path, text in DOCUMENTS.items()
            if any(d.operation is OperationType.QUERY  # type: ignore[attr-defined]
                   for d in parse(text).definitions)]


async def both(context_of: Any, query: str, variables: dict[str, Any] | None = None
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = []
    for candidate in (STOCK, schema):
        result = await candidate.execute(query, variables, context_value=await context_of())
        answers.append({"data": result.data,
                        "errors": [e.formatted for e in result.errors or []]})
    return answers[0], answers[1]


@pytest.fixture
async def data(org: OrgFixture) -> dict[str, Any]:
    """Customers of every shape the list and profile show."""
    full = await org.customer(phone_e164="+34612345678", membership_id="M-1",
                              loyalty_provider="house", addresses=2, notes="VIP")
    bare = await org.customer(first_name=None, email=None)
    guest = await org.customer(phone_e164="+447911123456")
    for index in range(4):
        await org.order(full, store_id=org.store_ids[index % 3], items=3)
    await org.order(guest, store_id=None, items=1)
    return {"full": full, "bare": bare, "guest": guest}


@pytest.fixture
def context_of(db: Any, org: OrgFixture) -> Any:
    owner = Actor(organization_id=org.id, kind=ActorKind.STAFF_USER, id="1",
                  role=StaffRole.OWNER)

    async def make(actor: Actor | None = None) -> Context:
        return request_context.build_context(
            actor=actor or owner, organization=await organization_profile(db, org.id),
            read_sessions=db.read_sessions, write_sessions=db.sessions)

    return make


@pytest.mark.parametrize("path", queries(), ids=lambda p: p.stem)
async def test_every_contract_query_answers_the_same(path: Path, data: dict[str, Any],
                                                     context_of: Any, org: OrgFixture) -> None:
    from strawberry.relay import to_base64

    variables = {"device": "WEB", "id": to_base64("Customer", data["full"])}
    if "me {" in DOCUMENTS[path]:  # the storefronts' account screen: a signed-in customer's
        customer = Actor(organization_id=org.id, kind=ActorKind.CUSTOMER,
                         id=str(data["full"]), customer_id=data["full"])
        stock, ours = await both(lambda: context_of(customer), DOCUMENTS[path], variables)
    else:
        stock, ours = await both(context_of, DOCUMENTS[path], variables)
    assert ours == stock
    assert stock["data"] is not None


async def test_lists_with_fragments_aliases_and_typenames_answer_the_same(
        data: dict[str, Any], context_of: Any) -> None:
    query = """
      query($ids: [ID!]) {
        customers(first: 10, sort: [{field: NAME, direction: ASC}], filter: {ids: $ids}) {
          totalCount
          nodes { ...card  again: fullName  __typename
                  phone { e164 national }  mainStore { name __typename }
                  orders(first: 2) { totalCount nodes { number store { code }
                                                        items { name quantity } } }
                  recent: orders(first: 1) { nodes { number } } }
          edges { cursor node { id } }
        }
      }
      fragment card on Customer { id type email fullName loyalty { pointsBalance } }
    """
    from strawberry.relay import to_base64

    for ids in (None, [to_base64("Customer", pk) for pk in data.values()]):
        stock, ours = await both(context_of, query, {"ids": ids})
        assert ours == stock
        assert stock["errors"] == []


# A schema of its own for what the real one never does: values that fail to complete.

@strawberry.type
class Thing:
    name: str
    maybe_name: str | None
    count: int

    @strawberry.field
    def shout(self) -> str:
        if self.name == "boom":
            raise ValueError("shout failed")
        return self.name.upper()

    @strawberry.field(graphql_type=str | None)
    def later(self, info: strawberry.Info) -> Awaitable[str | None]:
        async def value() -> str | None:
            await asyncio.sleep(0)
            return None if self.name == "none" else self.name
        return asyncio.ensure_future(value())

    @strawberry.field(graphql_type=str)
    def later_required(self, info: strawberry.Info) -> Awaitable[str]:
        async def value() -> Any:
            return None if self.name == "none" else self.name
        return asyncio.ensure_future(value())

    @strawberry.field(graphql_type=str)
    def later_fails(self, info: strawberry.Info) -> Awaitable[str]:
        async def value() -> str:
            raise ValueError("later failed")
        return asyncio.ensure_future(value())

    @strawberry.field
    async def slow(self) -> str:
        await asyncio.sleep(0)
        if self.name == "boom":
            raise ValueError("slow failed")
        return self.name

    @strawberry.field
    def twice(self, times: int = 2) -> str:
        return self.name * times


@strawberry.type
class Box:
    thing: Thing
    maybe_thing: Thing | None
    things: list[Thing]


def thing(name: str, count: Any = 1, maybe_name: str | None = None) -> Thing:
    return Thing(name=name, maybe_name=maybe_name, count=count)


@strawberry.type
class ToyQuery:
    @strawberry.field
    def boxes(self) -> list[Box | None]:
        return [
            Box(thing=thing("a"), maybe_thing=None, things=[thing("b"), thing("c", 3)]),
            Box(thing=thing("boom"), maybe_thing=thing("d"), things=[]),
            Box(thing=thing("none"), maybe_thing=thing("x", count="not a number"),
                things=[thing("e"), None]),  # type: ignore[list-item]
            Box(thing=None, maybe_thing=None, things=[]),  # type: ignore[arg-type]
        ]


TOY_STOCK = strawberry.Schema(query=ToyQuery)
TOY_OURS = strawberry.Schema(query=ToyQuery, execution_context_class=ExecutionContext)


@pytest.mark.parametrize("selection", [
    "thing { name count shout }",
    "maybeThing { name maybeName count }",
    "things { name count twice(times: 3) }",
    "thing { later laterRequired }",
    "maybeThing { later name } thing { laterRequired }",
    "things { name } thing { name }",
    "maybeThing { count } things { shout }",
    # Futures that fail, beside others of the same object (completed one after another).
    "maybeThing { later laterFails name } thing { later }",
    "things { later laterRequired laterFails }",
    # ... and beside an async resolver, which runs as a task of its own.
    "thing { later slow laterRequired } maybeThing { slow later }",
    "things { slow later name }",
])
async def test_errors_and_nulls_land_where_the_stock_executor_puts_them(selection: str) -> None:
    query = f"{{ boxes {{ {selection} }} }}"
    stock = await TOY_STOCK.execute(query)
    ours = await TOY_OURS.execute(query)
    assert ours.data == stock.data
    assert [e.formatted for e in ours.errors or []] == [e.formatted for e in stock.errors or []]
    assert stock.errors  # every case above has at least one failing value
