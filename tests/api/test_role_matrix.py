"""The role matrix, generated from the schema and checked against README.md.

Every root field of the built schema must declare exactly one `Requires`, appear in exactly one
row of README.md's role matrix (with the permission it declares), and have an example in
`EXAMPLES`. Each example then runs, in process, as every kind of caller in README's columns, and
each must get what its cell says. The expectation is README's table, never
`models.permissions.denial` (which would only test the code against itself).
"""

import base64
import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from models.actors import Actor
from models.api_keys import ALL_SCOPES
from models.enums import ActorKind, CustomerType, OrderStatus, StaffRole
from resolvers.permissions import Requires
from resolvers.schema import schema
from server.db import Database

from conftest import ROOT, ActorGraphQL
from factories import OrgFixture, create_organization
from snapshots import organization_state

README = ROOT / "README.md"
MATRIX_HEADING = "### Role matrix"
ROOT_TYPES = ("Query", "Mutation", "Subscription")
CALLERS = ("owner", "manager", "manager, other store", "viewer", "viewer + grants",
           "key with the scope", "key without it", "customer", "other organization", "nobody")
OUTCOMES = {"yes", "none", "null", "FORBIDDEN", "UNAUTHENTICATED"}
NOTES_ROW = "Customer.notes"  # a field, not a root field: hidden per caller, checked here too
NOTE = "Allergic to nuts; VIP at MAD"
HIDING_CODES = {"NOT_FOUND", "OUT_OF_SCOPE"}


# --- README's table --------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    fields: tuple[str, ...]
    permission: str
    scope: str | None
    cells: dict[str, str]


def read_matrix() -> list[Row]:
    text = README.read_text()
    assert MATRIX_HEADING in text, f"README.md has no `{MATRIX_HEADING}` section"
    lines = text.split(MATRIX_HEADING, 1)[1].splitlines()
    table = list(itertools.takewhile(
        lambda line: line.startswith("|"),
        itertools.dropwhile(lambda line: not line.startswith("|"), lines)))
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    assert header[:3] == ["root fields", "permission", "key scope"], header
    assert tuple(header[3:]) == CALLERS, f"README's callers {header[3:]} != {CALLERS}"
    rows = []
    for line in table[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        names, permission, scope = (re.findall(r"`([^`]+)`", cell) for cell in cells[:3])
        outcomes = dict(zip(CALLERS, cells[3:], strict=True))
        assert set(outcomes.values()) <= OUTCOMES, f"unknown outcome in README: {line}"
        rows.append(Row(tuple(names), permission[0], scope[0] if scope else None, outcomes))
    return rows


MATRIX = read_matrix()
ROW_OF = {name: row for row in MATRIX for name in row.fields}


# --- the schema's root fields ----------------------------------------------------------------

@dataclass(frozen=True)
class RootField:
    name: str
    root_type: str
    requires: list[Requires]


def root_fields() -> dict[str, RootField]:
    found = {}
    name_of = schema.config.name_converter.get_graphql_name
    for root_type in ROOT_TYPES:
        definition = schema.get_type_by_name(root_type)
        if definition is None:
            continue
        for strawberry_field in definition.fields:  # type: ignore[union-attr]
            name = name_of(strawberry_field)
            found[name] = RootField(name, root_type, [
                e for e in strawberry_field.extensions if isinstance(e, Requires)])
    return found


ROOT_FIELDS = root_fields()


# --- the data every example reads or writes --------------------------------------------------

def gid(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


_serial = itertools.count(1)


@dataclass
class World:
    """One organization whose data belongs to store A (`ours`), and another (`theirs`)."""

    ours: OrgFixture
    theirs: OrgFixture
    store_a: int
    store_b: int
    customer: int  # registered at A, ordered at A, with notes
    order: int
    markers: set[str] = field(default_factory=set)  # what a hidden caller must never see

    async def customer_at_a(self, **fields: Any) -> int:
        n = next(_serial)
        pk = await self.ours.customer(main_store_id=self.store_a, email=f"rm{n}@example.es",
                                      **fields)
        self.markers |= {gid("Customer", pk), f"rm{n}@example.es"}
        return pk

    async def order_at_a(self, customer: int, **fields: Any) -> int:
        pk = await self.ours.order(customer, store_id=self.store_a, **fields)
        self.markers.add(gid("Order", pk))
        return pk


Variables = Callable[[World], Awaitable[dict[str, Any]]]


async def no_variables(_world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Example:
    """An operation with arguments that succeed for the callers README's table allows.

    `variables` runs before every call, so that a write gets data of its own (store A's) for
    each caller. `own_organization`: the field answers about the caller's own organization, so
    the owner of another organization gets theirs (checked to hold none of ours) and not null.
    """

    document: str
    variables: Variables = no_variables
    own_organization: bool = False


async def the_customer(world: World) -> dict[str, Any]:
    return {"id": gid("Customer", world.customer)}


async def store_a(world: World) -> dict[str, Any]:
    return {"id": gid("Store", world.store_a)}


async def new_customer_input(world: World) -> dict[str, Any]:
    n = next(_serial)
    world.markers.add(f"new{n}@example.es")
    return {"input": {"firstName": "Nuria", "lastName": f"Roles{n}", "email": f"new{n}@example.es",
                      "phone": f"+3469{n:07d}", "address": {"line1": "Calle Mayor 1",
                                                            "city": "Madrid"},
                      "mainStoreId": gid("Store", world.store_a)}}


async def fresh_customer(world: World, key: str = "id", **extra: Any) -> dict[str, Any]:
    return {"input": {key: gid("Customer", await world.customer_at_a()), **extra}}


async def guest_to_register(world: World) -> dict[str, Any]:
    guest = await world.customer_at_a(type=CustomerType.GUEST, registered_at=None)
    return {"input": {"customerId": gid("Customer", guest), "firstName": "Gala",
                      "lastName": "Invitada", "address": {"line1": "Calle 2", "city": "Madrid"}}}


async def two_to_merge(world: World) -> dict[str, Any]:
    target, source = await world.customer_at_a(), await world.customer_at_a()
    return {"input": {"targetId": gid("Customer", target),
                      "sourceIds": [gid("Customer", source)]}}


async def order_to_record(world: World) -> dict[str, Any]:
    n = next(_serial)
    world.markers |= {f"till{n}@example.es", f"ROLES-{n}"}
    return {"input": {"channel": "POS", "storeId": gid("Store", world.store_a),
                      "externalId": f"ROLES-{n}", "customer": {"email": f"till{n}@example.es"},
                      "items": [{"name": "Café", "quantity": 1, "unitPrice": "2.50"}]}}


async def pending_order(world: World) -> dict[str, Any]:
    order = await world.order_at_a(await world.customer_at_a(), status=OrderStatus.PENDING)
    return {"input": {"orderId": gid("Order", order), "status": "CONFIRMED"}}


CUSTOMER_PAYLOAD = "{ customer { id email } userErrors { field code message } }"

# Keyed by root field name. A root field added to the schema needs an entry here (see
# `test_every_root_field_has_an_example`).
EXAMPLES: dict[str, Example] = {
    "customers": Example("{ customers(first: 250) { totalCount nodes { id email } } }"),
    "customer": Example("query($id: ID!) { customer(id: $id) { id email } }", the_customer),
    "customerStats": Example("{ customerStats { total registered } }"),
    "node": Example("query($id: ID!) { node(id: $id) { id ... on Customer { email } } }",
                    the_customer),
    "stores": Example("{ stores { id name } }", own_organization=True),
    "store": Example("query($id: ID!) { store(id: $id) { id name } }", store_a),
    "organization": Example("{ organization { id name } }", own_organization=True),
    "storefrontPolicy": Example("{ storefrontPolicy(device: WEB) { guestCheckout } }",
                                own_organization=True),
    "addCustomer": Example(
        "mutation($input: AddCustomerInput!) { addCustomer(input: $input) "
        + CUSTOMER_PAYLOAD + " }", new_customer_input),
    "updateCustomer": Example(
        "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) "
        + CUSTOMER_PAYLOAD + " }", lambda world: fresh_customer(world, notes="Changed")),
    "setConsent": Example(
        "mutation($input: SetConsentInput!) { setConsent(input: $input) "
        + CUSTOMER_PAYLOAD + " }",
        lambda world: fresh_customer(world, "customerId", subscribed=True)),
    "registerGuest": Example(
        "mutation($input: RegisterGuestInput!) { registerGuest(input: $input) "
        + CUSTOMER_PAYLOAD + " }", guest_to_register),
    "mergeCustomers": Example(
        "mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) "
        + CUSTOMER_PAYLOAD + " }", two_to_merge),
    "eraseCustomer": Example(
        "mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) "
        + CUSTOMER_PAYLOAD + " }", lambda world: fresh_customer(world, "customerId")),
    "adjustLoyaltyPoints": Example(
        "mutation($input: AdjustLoyaltyPointsInput!) { adjustLoyaltyPoints(input: $input) "
        + CUSTOMER_PAYLOAD + " }",
        lambda world: fresh_customer(world, "customerId", points=5, kind="ADJUST",
                                     reason="Goodwill")),
    "recordOrder": Example(
        "mutation($input: RecordOrderInput!) { recordOrder(input: $input) "
        "{ order { id customer { id email } } userErrors { field code message } } }",
        order_to_record),
    "updateOrderStatus": Example(
        "mutation($input: UpdateOrderStatusInput!) { updateOrderStatus(input: $input) "
        "{ order { id status } userErrors { field code message } } }", pending_order),
    "updateOrganizationSettings": Example(
        "mutation { updateOrganizationSettings(input: { registrationStrategy: EMAIL }) "
        "{ organization { id name } userErrors { field code message } } }",
        own_organization=True),
    NOTES_ROW: Example("query($id: ID!) { customer(id: $id) { id notes } }", the_customer),
}


# --- who calls -------------------------------------------------------------------------------

def caller(name: str, world: World, scope: str | None) -> Actor:
    ours = world.ours.id

    def staff(role: StaffRole, **extra: Any) -> Actor:
        return Actor(organization_id=ours, kind=ActorKind.STAFF_USER, id=name, role=role,
                     **extra)

    every = frozenset(ALL_SCOPES)
    actors = {
        "owner": lambda: staff(StaffRole.OWNER),
        "manager": lambda: staff(StaffRole.MANAGER, store_ids=frozenset({world.store_a})),
        "manager, other store": lambda: staff(StaffRole.MANAGER,
                                              store_ids=frozenset({world.store_b})),
        "viewer": lambda: staff(StaffRole.VIEWER),
        "viewer + grants": lambda: staff(StaffRole.VIEWER, grants=frozenset({"notes", "exports"})),
        "key with the scope": lambda: Actor(organization_id=ours, kind=ActorKind.API_KEY,
                                            id="key", scopes=frozenset({scope}) if scope
                                            else every),
        "key without it": lambda: Actor(organization_id=ours, kind=ActorKind.API_KEY, id="key",
                                        scopes=every - {scope} if scope else frozenset()),
        "customer": lambda: Actor(organization_id=ours, kind=ActorKind.CUSTOMER,
                                  id=str(world.customer), customer_id=world.customer),
        "other organization": lambda: Actor(organization_id=world.theirs.id,
                                            kind=ActorKind.STAFF_USER, id="their-owner",
                                            role=StaffRole.OWNER),
        "nobody": lambda: Actor(organization_id=ours, kind=ActorKind.ANONYMOUS),
    }
    return actors[name]()


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    """One pair of organizations for the whole module: the examples make what they change."""
    ours, theirs = await create_organization(db), await create_organization(db)
    store_a, store_b, _ = ours.store_ids
    made = World(ours, theirs, store_a, store_b, customer=0, order=0)
    made.customer = await made.customer_at_a(notes=NOTE, first_name="Rosa")
    made.order = await made.order_at_a(made.customer)
    return made


# --- the checks ------------------------------------------------------------------------------

def missing_example_message(name: str) -> str:
    root = ROOT_FIELDS[name]
    permission = root.requires[0].permission.value if len(root.requires) == 1 else "?"
    graphql_type = schema._schema.get_type(root.root_type)
    arguments = graphql_type.fields[name].args  # type: ignore[union-attr]
    declared = ", ".join(f"${arg}: {kind.type}" for arg, kind in arguments.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in arguments)
    operation = root.root_type.lower() + (f"({declared})" if declared else "")
    call = f"{name}({passed})" if passed else name
    return (
        f"Root field `{name}` ({root.root_type}) has no example in the role matrix test. Add to "
        f"EXAMPLES in tests/api/test_role_matrix.py:\n\n"
        f'    "{name}": Example("{operation} {{ {call} {{ ... }} }}", variables),\n\n'
        f"where `async def variables(world)` returns arguments with which the call succeeds "
        f"for every caller that README.md's role matrix allows (make the data it changes with "
        f"world.customer_at_a(), so that each caller gets its own; leave it out when there are "
        f"no arguments). Then list `{name}` in the row of README.md's role matrix whose "
        f"permission is `{permission}` (or add a row).")


def test_every_root_field_declares_exactly_one_requires() -> None:
    wrong = {name: len(root.requires) for name, root in ROOT_FIELDS.items()
             if len(root.requires) != 1}
    assert not wrong, (f"root fields must declare exactly one "
                       f"`extensions=requires(Permission.X)`: {wrong}")


def test_every_root_field_has_an_example() -> None:
    missing = [name for name in ROOT_FIELDS if name not in EXAMPLES]
    assert not missing, "\n\n".join(missing_example_message(name) for name in missing)
    stale = set(EXAMPLES) - set(ROOT_FIELDS) - {NOTES_ROW}
    assert not stale, f"EXAMPLES names fields the schema no longer has: {sorted(stale)}"


def test_readme_lists_every_root_field_once_with_the_permission_it_declares() -> None:
    listed = [name for row in MATRIX for name in row.fields]
    twice = {name for name in listed if listed.count(name) > 1}
    assert not twice, f"README.md's role matrix lists these in more than one row: {twice}"
    for name, root in ROOT_FIELDS.items():
        declared = root.requires[0].permission.value
        assert name in ROW_OF, (f"README.md's role matrix does not list `{name}`: add it to the "
                                f"row whose permission is `{declared}`")
        assert ROW_OF[name].permission == declared, (
            f"`{name}` declares `{declared}` but README.md's role matrix lists it under "
            f"`{ROW_OF[name].permission}`")
    unknown = set(listed) - set(ROOT_FIELDS) - {NOTES_ROW}
    assert not unknown, f"README.md's role matrix lists fields the schema lacks: {unknown}"


def _cases() -> list[Any]:
    names = [*ROOT_FIELDS, NOTES_ROW]
    return [pytest.param(name, who, id=f"{name}-{who}") for name in names for who in CALLERS]


async def run(actor: Actor, db: Database, example: Example, variables: dict[str, Any]
              ) -> dict[str, Any]:
    return await ActorGraphQL(db, actor).post(example.document, variables)


def strings_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return [value] if isinstance(value, str) else []


def leaked(body: dict[str, Any], markers: set[str]) -> set[str]:
    """Our organization's IDs and emails found anywhere in a response."""
    return {s for s in strings_in(body) for marker in markers if marker in s}


def is_empty(value: Any) -> bool:
    """Null, an empty list, zero counts, or a payload refused as not found."""
    if value is None or value == []:
        return True
    if not isinstance(value, dict):
        return False
    if "totalCount" in value:
        return value["totalCount"] == 0 and value.get("nodes", []) == []
    if "total" in value:
        return value["total"] == 0
    if "userErrors" in value:
        codes = {e["code"] for e in value["userErrors"]}
        objects = [v for k, v in value.items() if k != "userErrors"]
        return bool(codes) and codes <= HIDING_CODES and all(v is None for v in objects)
    return False


def is_full(value: Any) -> bool:
    """What `yes` means: something came back, and a write did what it was asked."""
    if not isinstance(value, dict):
        return bool(value)
    if "userErrors" in value:
        return value["userErrors"] == [] and any(
            v is not None for k, v in value.items() if k != "userErrors")
    return not is_empty(value)


@pytest.mark.parametrize(("name", "who"), _cases())
async def test_each_caller_gets_what_the_matrix_says(
        name: str, who: str, world: World, db: Database) -> None:
    if name not in EXAMPLES:
        pytest.fail(missing_example_message(name))
    assert name in ROW_OF, f"README.md's role matrix does not list `{name}`"
    root = ROOT_FIELDS.get(name)
    if root is not None and root.root_type == "Subscription":
        pytest.fail("The role matrix test runs queries and mutations only: teach `run` to "
                    f"subscribe before adding the subscription `{name}`.")
    row, example = ROW_OF[name], EXAMPLES[name]
    expected = row.cells[who]
    field_name = "customer" if name == NOTES_ROW else name
    variables = await example.variables(world)
    writes = example.document.lstrip().startswith("mutation")
    before = await organization_state(db, world.ours.id) if writes and expected == "none" else None

    body = await run(caller(who, world, row.scope), db, example, variables)
    value = (body.get("data") or {}).get(field_name)
    errors = body.get("errors") or []
    where = f"`{name}` as {who} (README says {expected}): {body}"

    if expected in ("FORBIDDEN", "UNAUTHENTICATED"):
        assert [e.get("extensions", {}).get("code") for e in errors] == [expected], where
        assert value is None, where
        assert not leaked(body, world.markers), where
        return
    assert not errors, where
    if expected == "yes":
        assert is_full(value), where
        if name == NOTES_ROW:
            assert value["notes"] == NOTE, where
    elif expected == "null":
        assert value is not None, where
        assert value["notes"] is None, where
    else:  # none: nothing of ours, and a write changed nothing of ours
        hidden = world.markers | ({gid("Store", s) for s in world.ours.store_ids}
                                  | {gid("Organization", world.ours.id)}
                                  if who == "other organization" else set())
        assert not leaked(body, hidden), where
        if not (example.own_organization and who == "other organization"):
            assert is_empty(value), where
        if before is not None:
            assert await organization_state(db, world.ours.id) == before, where
