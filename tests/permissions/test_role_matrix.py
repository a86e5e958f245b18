"""The role matrix, generated from the schema and checked against README.md.

Every root field of the built schema must declare exactly one `Requires`, appear in exactly one
row of README.md's role matrix (with the permission it declares), and have an example in
`EXAMPLES`. Each example then runs, in process, as every kind of caller in README's columns, and
each must get what its cell says. The expectation is README's table, never
`models.access.permissions.denial` (which would only test the code against itself).
"""

import asyncio
import base64
import io
import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from starlette.datastructures import UploadFile

from models import access, customers, organizations
from models.access.api_keys import ALL_SCOPES, create_api_key
from models.access.credentials import set_password
from models.access.sessions import start_session
from models.access.staff import create_staff_user
from models.core.actors import Actor
from models.core.enums import ActorKind, CustomerType, OrderStatus, RegistrationStrategy, StaffRole
from models.core.tenancy import session_info
from models.exports.jobs import ExportFormat, ExportKind, create_export_job
from resolvers import request_context
from resolvers.permissions import Requires
from resolvers.schema import schema
from server.auth import ANONYMOUS
from server.db import Database

from clients import organization_profile
from environment import ROOT
from factories import OrgFixture, create_organization
from snapshots import organization_state

README = ROOT / "README.md"
MATRIX_HEADING = "### Role matrix"
ROOT_TYPES = ("Query", "Mutation", "Subscription")
CALLERS = ("owner", "manager", "manager, other store", "viewer", "viewer + grants",
           "key with the scope", "key without it", "customer", "other organization", "nobody")
OUTCOMES = {"yes", "none", "null", "error", "FORBIDDEN", "UNAUTHENTICATED"}
NOTES_ROW = "Customer.notes"  # a field, not a root field: hidden per caller, checked here too
NOTE = "Allergic to nuts; VIP at MAD"
PASSWORD = "correct horse battery"
# The staff users behind the staff callers, one each (a real row: `viewer` reads it).
STAFF = {"owner": (StaffRole.OWNER, ""), "manager": (StaffRole.MANAGER, "a"),
         "manager, other store": (StaffRole.MANAGER, "b"), "viewer": (StaffRole.VIEWER, ""),
         "viewer + grants": (StaffRole.VIEWER, "")}
GRANTS = {"viewer + grants": ("notes", "exports")}
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
    staff: dict[str, int] = field(default_factory=dict)  # caller -> staff user id
    their_owner: int = 0
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

    async def staff_user(self, role: StaffRole, *, stores: tuple[int, ...] = (),
                         grants: tuple[str, ...] = (), theirs: bool = False) -> int:
        org = self.theirs if theirs else self.ours
        email = f"staff{next(_serial)}@example.es"
        async with org.db.sessions(info=session_info(org.id)) as session:
            user = await create_staff_user(session, Actor.system(org.id), email=email,
                                           password=PASSWORD, role=role, store_ids=stores,
                                           grants=grants)
            await session.commit()
        if not theirs:
            self.markers |= {gid("StaffUser", user.id), email}
        return user.id

    async def api_key(self) -> int:
        async with self.ours.db.sessions(info=session_info(self.ours.id)) as session:
            key, _ = await create_api_key(session, self.ours.id, "Role matrix")
            await session.commit()
        self.markers.add(gid("ApiKey", key.id))
        return key.id

    async def sign_in_session(self, actor: Actor) -> int | None:
        """A signed-in session of a staff user or customer (for `signOut`); None for others."""
        if actor.kind not in (ActorKind.STAFF_USER, ActorKind.CUSTOMER) or actor.id is None:
            return None
        async with self.ours.db.sessions(info=session_info(actor.organization_id)) as session:
            row, _, _ = await start_session(session, actor.organization_id, actor.kind,
                                            int(actor.id))
            await session.commit()
            return row.id


Variables = Callable[[World], Awaitable[dict[str, Any]]]


async def no_variables(_world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Example:
    """An operation with arguments that succeed for the callers README's table allows.

    `variables` runs before every call, so that a write gets data of its own (store A's) for
    each caller. `own_organization`: the field answers about the caller's own organization, so
    the owner of another organization gets theirs (checked to hold none of ours) and not null.
    `signed_in_session`: staff users and customers call with a session of their own, as with an
    access token (`signOut` ends it). `public_answer`: what the field tells is public (a
    storefront's policy), so the owner of another organization gets it as anyone does, and
    nothing in it says whose it is.
    """

    document: str
    variables: Variables = no_variables
    own_organization: bool = False
    signed_in_session: bool = False  # the call carries the session of the caller's token
    public_answer: bool = False


async def our_slug(world: World) -> dict[str, Any]:
    return {"org": world.ours.slug}


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


async def file_to_import(world: World) -> dict[str, Any]:
    """A file that updates one of store A's customers, found by email (a caller who cannot see
    them fails on the email that another customer holds)."""
    customer = await world.customer_at_a()
    async with world.ours.db.admin_session() as session:
        email = await session.scalar(select(customers.Customer.email).where(
            customers.Customer.id == customer))
    content = ("First name,Last name,Email,Phone,Address,City\n"
               f"Nuria,Importada,{email},+3468{next(_serial):07d},Calle Mayor 1,Madrid\n")
    return {"input": {"file": UploadFile(io.BytesIO(content.encode()), filename="c.csv")}}


async def pending_order(world: World) -> dict[str, Any]:
    order = await world.order_at_a(await world.customer_at_a(), status=OrderStatus.PENDING)
    return {"input": {"orderId": gid("Order", order), "status": "CONFIRMED"}}


async def owner_credentials(world: World) -> dict[str, Any]:
    async with world.ours.db.admin_session() as session:
        email = await session.scalar(select(access.StaffUser.email).where(
            access.StaffUser.id == world.staff["owner"]))
    return {"input": {"organization": world.ours.slug, "email": email, "password": PASSWORD}}


async def refresh_token(world: World) -> dict[str, Any]:
    async with world.ours.db.sessions(info=session_info(world.ours.id)) as session:
        _, _, refresh = await start_session(session, world.ours.id, ActorKind.STAFF_USER,
                                            world.staff["owner"])
        await session.commit()
    return {"input": {"refreshToken": refresh}}


async def new_staff_user(_world: World) -> dict[str, Any]:
    return {"input": {"email": f"hired{next(_serial)}@example.es", "password": PASSWORD,
                      "role": "VIEWER"}}


async def staff_user_to_rename(world: World) -> dict[str, Any]:
    user = await world.staff_user(StaffRole.VIEWER)
    return {"input": {"id": gid("StaffUser", user), "name": "Renamed"}}


async def key_to_revoke(world: World) -> dict[str, Any]:
    return {"input": {"id": gid("ApiKey", await world.api_key())}}


async def fresh_history(world: World) -> dict[str, Any]:
    return {"input": {"customerId": gid("Customer", await world.customer_at_a())}}


async def owners_export_job(world: World) -> dict[str, Any]:
    """A job the owner asked for (no store scope): a manager may not see it."""
    async with world.ours.db.sessions(info=session_info(world.ours.id)) as session:
        job = await create_export_job(session, Actor.system(world.ours.id), ExportKind.CUSTOMERS,
                                      ExportFormat.CSV, {})
        await session.commit()
    world.markers.add(gid("ExportJob", job.id))
    return {"id": gid("ExportJob", job.id)}


async def sign_out(_world: World) -> dict[str, Any]:
    return {"input": {}}


async def customer_sign_up(world: World) -> dict[str, Any]:
    n = next(_serial)
    world.markers.add(f"shopper{n}@example.es")
    return {"input": {"organization": world.ours.slug, "firstName": "Lola", "lastName": f"Web{n}",
                      "channel": "WEB", "email": f"shopper{n}@example.es", "password": PASSWORD,
                      "addresses": [{"line1": "Calle Mayor 3", "city": "Madrid"}]}}


async def code_request(world: World) -> dict[str, Any]:
    return {"input": {"organization": world.ours.slug, "phone": f"+3466{next(_serial):07d}"}}


async def customer_credentials(world: World) -> dict[str, Any]:
    customer = await world.customer_at_a()
    async with world.ours.db.sessions(info=session_info(world.ours.id)) as session:
        row = await session.get(customers.Customer, customer)
        assert row is not None
        await set_password(session, row, PASSWORD)
        await session.commit()
        email = row.email
    return {"input": {"organization": world.ours.slug, "email": email, "password": PASSWORD}}


class KeptCodes:
    """A code sender that keeps what it was asked to send (the log sender, without the log)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send_code(self, organization: str, phone_e164: str, code: str,
                        expires_at: Any) -> None:
        self.sent.append((phone_e164, code))


CUSTOMER_PAYLOAD = "{ customer { id email } userErrors { field code message } }"
CUSTOMER_SESSION_PAYLOAD = ("{ accessToken customer { id email } "
                            "userErrors { field code message } }")
TOKENS_PAYLOAD = "{ accessToken refreshToken user { id email } userErrors { field code message } }"

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
    "storefrontPolicy": Example(
        "query($org: String) { storefrontPolicy(device: WEB, organization: $org) "
        "{ guestCheckout } }", our_slug, public_answer=True),
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
    "importCustomers": Example(
        "mutation($input: ImportCustomersInput!) { importCustomers(input: $input) "
        "{ report { created updated failed } userErrors { field code message } } }",
        file_to_import, own_organization=True),
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
        "mutation { updateOrganizationSettings(input: { registrationStrategy: EMAIL_OR_PHONE }) "
        "{ organization { id name } userErrors { field code message } } }",
        own_organization=True),
    "signIn": Example(
        "mutation($input: SignInInput!) { signIn(input: $input) " + TOKENS_PAYLOAD + " }",
        owner_credentials),
    "refreshToken": Example(
        "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) "
        + TOKENS_PAYLOAD + " }", refresh_token),
    "signOut": Example(
        "mutation($input: SignOutInput!) { signOut(input: $input) "
        "{ signedOut userErrors { field code message } } }", sign_out,
        own_organization=True, signed_in_session=True),
    "viewer": Example("{ viewer { id email role } }", own_organization=True),
    "staffUsers": Example("{ staffUsers { id email } }", own_organization=True),
    "createStaffUser": Example(
        "mutation($input: CreateStaffUserInput!) { createStaffUser(input: $input) "
        "{ staffUser { id email } userErrors { field code message } } }", new_staff_user,
        own_organization=True),
    "updateStaffUser": Example(
        "mutation($input: UpdateStaffUserInput!) { updateStaffUser(input: $input) "
        "{ staffUser { id email } userErrors { field code message } } }",
        staff_user_to_rename),
    "apiKeys": Example("{ apiKeys { id name } }", own_organization=True),
    "createApiKey": Example(
        "mutation { createApiKey(input: { name: \"Role matrix\", scopes: [\"customers:read\"] }) "
        "{ key apiKey { id } userErrors { field code message } } }", own_organization=True),
    "revokeApiKey": Example(
        "mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) "
        "{ apiKey { id revokedAt } userErrors { field code message } } }", key_to_revoke),
    "me": Example("{ me { id email } }"),
    "updateMe": Example(
        "mutation { updateMe(input: { lastName: \"Roles\" }) "
        "{ me { id email } userErrors { field code message } } }"),
    "setMyConsent": Example(
        "mutation { setMyConsent(input: { subscribed: true, channel: MOBILE_APP }) "
        "{ me { id email } userErrors { field code message } } }"),
    "customerSignUp": Example(
        "mutation($input: CustomerSignUpInput!) { customerSignUp(input: $input) "
        + CUSTOMER_SESSION_PAYLOAD + " }", customer_sign_up),
    "requestSignInCode": Example(
        "mutation($input: RequestSignInCodeInput!) { requestSignInCode(input: $input) "
        "{ sent userErrors { field code message } } }", code_request),
    "customerSignIn": Example(
        "mutation($input: CustomerSignInInput!) { customerSignIn(input: $input) "
        + CUSTOMER_SESSION_PAYLOAD + " }", customer_credentials),
    "exportCustomers": Example(
        "mutation { exportCustomers(input: { columns: [EMAIL] }) "
        "{ job { id status } userErrors { field code message } } }", own_organization=True),
    "exportCustomerHistory": Example(
        "mutation($input: ExportCustomerHistoryInput!) { exportCustomerHistory(input: $input) "
        "{ job { id status } userErrors { field code message } } }", fresh_history),
    "exportJob": Example("query($id: ID!) { exportJob(id: $id) { id status } }",
                         owners_export_job),
    "exportJobUpdated": Example(
        "subscription($id: ID!) { exportJobUpdated(id: $id) { id status } }", owners_export_job),
    NOTES_ROW: Example("query($id: ID!) { customer(id: $id) { id notes } }", the_customer),
}


# --- who calls -------------------------------------------------------------------------------

def caller(name: str, world: World, scope: str | None) -> Actor:
    ours = world.ours.id

    if name in STAFF:
        role, store = STAFF[name]
        stores = {"a": {world.store_a}, "b": {world.store_b}}.get(store, set())
        return Actor(organization_id=ours, kind=ActorKind.STAFF_USER, id=str(world.staff[name]),
                     role=role, store_ids=frozenset(stores),
                     grants=frozenset(GRANTS.get(name, ())))
    every = frozenset(ALL_SCOPES)
    actors = {
        "key with the scope": lambda: Actor(organization_id=ours, kind=ActorKind.API_KEY,
                                            id="key", scopes=frozenset({scope}) if scope
                                            else every),
        "key without it": lambda: Actor(organization_id=ours, kind=ActorKind.API_KEY, id="key",
                                        scopes=every - {scope} if scope else frozenset()),
        "customer": lambda: Actor(organization_id=ours, kind=ActorKind.CUSTOMER,
                                  id=str(world.customer), customer_id=world.customer),
        "other organization": lambda: Actor(organization_id=world.theirs.id,
                                            kind=ActorKind.STAFF_USER,
                                            id=str(world.their_owner), role=StaffRole.OWNER),
        "nobody": lambda: ANONYMOUS.actor,  # as the server resolves a request without a header
    }
    return actors[name]()


@pytest.fixture(scope="module")
async def world(db: Database) -> World:
    """One pair of organizations for the whole module: the examples make what they change."""
    ours, theirs = await create_organization(db), await create_organization(db)
    store_a, store_b, _ = ours.store_ids
    made = World(ours, theirs, store_a, store_b, customer=0, order=0)
    async with db.admin_session() as session:  # customers may sign in by email or by phone
        organization = await session.get(organizations.Organization, ours.id)
        assert organization is not None
        organization.registration_strategy = RegistrationStrategy.EMAIL_OR_PHONE
        await session.commit()
    made.customer = await made.customer_at_a(notes=NOTE, first_name="Rosa")
    made.order = await made.order_at_a(made.customer)
    for name, (role, store) in STAFF.items():
        stores = {"a": (store_a,), "b": (store_b,)}.get(store, ())
        made.staff[name] = await made.staff_user(role, stores=stores,
                                                 grants=GRANTS.get(name, ()))
    made.their_owner = await made.staff_user(StaffRole.OWNER, theirs=True)
    async with db.admin_session() as session:
        made.markers |= {gid("ApiKey", pk) for pk in await session.scalars(
            select(access.ApiKey.id).where(access.ApiKey.organization_id == ours.id))}
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
        f"EXAMPLES in tests/permissions/test_role_matrix.py:\n\n"
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


async def run(actor: Actor, world: World, db: Database, example: Example,
              variables: dict[str, Any]) -> dict[str, Any]:
    """In process, through the server's schema and a context like the one it builds."""
    organization = (ANONYMOUS.organization if actor.kind is ActorKind.ANONYMOUS
                    else await organization_profile(db, actor.organization_id))
    session_id = await world.sign_in_session(actor) if example.signed_in_session else None
    context = request_context.build_context(
        actor=actor, organization=organization, read_sessions=db.read_sessions,
        write_sessions=db.sessions, auth_session_id=session_id, code_sender=KeptCodes())
    if example.document.lstrip().startswith("subscription"):
        result = await first_event(example.document, variables, context)
    else:
        result = await schema.execute(example.document, variables, context_value=context)
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return body


async def first_event(document: str, variables: dict[str, Any], context: Any) -> Any:
    """A subscription's first event (its current state), then the stream is closed."""
    stream = await schema.subscribe(document, variable_values=variables, context_value=context)
    if not hasattr(stream, "__aiter__"):
        return stream  # refused before it started
    try:
        return await asyncio.wait_for(anext(stream), 10)
    finally:
        await stream.aclose()


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
    if isinstance(value.get("report"), dict):  # an import's report: it wrote nothing
        return value["userErrors"] == [] and value["report"]["created"] == 0 == value[
            "report"]["updated"]
    if "userErrors" in value:
        codes = {e["code"] for e in value["userErrors"]}
        objects = [v for k, v in value.items() if k != "userErrors"]
        return bool(codes) and codes <= HIDING_CODES and all(v is None for v in objects)
    return False


def is_full(value: Any) -> bool:
    """What `yes` means: something came back, and a write did what it was asked."""
    if not isinstance(value, dict):
        return bool(value)
    if isinstance(value.get("report"), dict):  # an import's report: it wrote its row
        return value["userErrors"] == [] and value["report"]["created"] + value["report"][
            "updated"] == 1
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
    subscribes = root is not None and root.root_type == "Subscription"
    row, example = ROW_OF[name], EXAMPLES[name]
    expected = row.cells[who]
    field_name = "customer" if name == NOTES_ROW else name
    variables = await example.variables(world)
    writes = example.document.lstrip().startswith("mutation")
    before = await organization_state(db, world.ours.id) if writes and expected == "none" else None

    body = await run(caller(who, world, row.scope), world, db, example, variables)
    value = (body.get("data") or {}).get(field_name)
    errors = body.get("errors") or []
    where = f"`{name}` as {who} (README says {expected}): {body}"

    if expected in ("FORBIDDEN", "UNAUTHENTICATED"):
        assert [e.get("extensions", {}).get("code") for e in errors] == [expected], where
        assert value is None, where
        assert not leaked(body, world.markers), where
        return
    if subscribes and expected == "none":  # a subscription to what one may not see
        assert [e.get("extensions", {}).get("code") for e in errors] == ["NOT_FOUND"], where
        assert value is None, where
        assert not leaked(body, world.markers - {variables.get("id")}), where
        return
    assert not errors, where
    ours = world.markers | ({gid("Store", s) for s in world.ours.store_ids}
                            | {gid("Organization", world.ours.id)}
                            if who == "other organization" else set())
    if expected == "yes":
        assert is_full(value), where
        if name == NOTES_ROW:
            assert value["notes"] == NOTE, where
        if who == "other organization" and not example.public_answer:  # not merely theirs
            assert leaked(body, ours), where
    elif expected == "null":
        if name == NOTES_ROW:  # the customer, without their notes
            assert value is not None, where
            assert value["notes"] is None, where
        else:
            assert value is None, where
    elif expected == "error":
        assert value is not None, where
        assert value["userErrors"], where
    else:  # none: nothing of ours, and a write changed nothing of ours
        assert not leaked(body, ours), where
        if not (example.own_organization and who == "other organization"):
            assert is_empty(value), where
        if before is not None:
            assert await organization_state(db, world.ours.id) == before, where
