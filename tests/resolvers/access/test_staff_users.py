"""Staff users over HTTP: owners create and change them; every refusal is a user error that
changes nothing; the last active owner stays one; a change reaches the user's next request."""

from typing import Any

import httpx
import pytest

from models.core.enums import StaffRole
from resolvers.node import to_global_id

from clients import StaffGraphQL, StaffUsers
from factories import OrgFixture, create_organization
from snapshots import organization_state

USER = "id email name role grants stores { code } disabledAt lastSignInAt"
CREATE = f"""mutation($input: CreateStaffUserInput!) {{ createStaffUser(input: $input) {{
  staffUser {{ {USER} }} userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation($input: UpdateStaffUserInput!) {{ updateStaffUser(input: $input) {{
  staffUser {{ {USER} }} userErrors {{ field code message }} }} }}"""
STAFF = f"{{ staffUsers {{ {USER} }} }}"


def store(org: OrgFixture, index: int) -> str:
    return to_global_id("Store", org.store_ids[index])


async def create(owner: StaffGraphQL, **input: Any) -> dict[str, Any]:
    fields = {"email": "lucia@shop.example", "password": "a long enough one", "role": "VIEWER",
              **input}
    payload: dict[str, Any] = (await owner.data(CREATE, {"input": fields}))["createStaffUser"]
    return payload


async def change(owner: StaffGraphQL, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await owner.data(UPDATE, {"input": input}))["updateStaffUser"]
    return payload


async def test_an_owner_creates_staff_who_can_sign_in(staff_gql: StaffUsers,
                                                      org: OrgFixture) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    made = await create(owner, email=" Lucia@Shop.EXAMPLE ", name="Lucía  Pérez",
                        role="MANAGER", storeIds=[store(org, 1), store(org, 0)])
    assert made["userErrors"] == []
    user = made["staffUser"]
    assert (user["email"], user["name"], user["role"]) == (
        "lucia@shop.example", "Lucía Pérez", "MANAGER")
    assert sorted(s["code"] for s in user["stores"]) == ["BCN", "MAD"]
    assert user["lastSignInAt"] is None
    manager = await staff_gql.sign_in("lucia@shop.example", "a long enough one")
    viewer = (await manager.data("{ viewer { id role stores { code } lastSignInAt } }"))["viewer"]
    assert viewer["id"] == user["id"]
    assert viewer["lastSignInAt"] is not None
    viewing = await create(owner, email="v@shop.example", grants=["notes"])
    assert viewing["staffUser"]["grants"] == ["notes"]
    assert viewing["staffUser"]["name"] == "v"
    emails = [u["email"] for u in (await owner.data(STAFF))["staffUsers"]]
    assert emails == sorted([owner.email, "lucia@shop.example", "v@shop.example"])


@pytest.mark.parametrize(("input", "problems"), [
    ({"email": "not an email", "password": "short"},
     {("email", "INVALID"), ("password", "INVALID")}),
    ({"role": "MANAGER"}, {("storeIds", "REQUIRED")}),
    ({"role": "OWNER", "grants": ["notes"]}, {("grants", "INVALID")}),
    ({"grants": ["notes", "everything"]}, {("grants", "INVALID")}),
    ({"role": "VIEWER", "storeIds": "first store"}, {("storeIds", "INVALID")}),
    ({"role": "MANAGER", "storeIds": "other organization"}, {("storeIds", "NOT_FOUND")}),
    ({"role": "MANAGER", "storeIds": [to_global_id("Customer", 1)]}, {("storeIds", "INVALID")}),
    ({"email": "TAKEN@shop.example"}, {("email", "DUPLICATE")}),
    ({"password": ""}, {("password", "REQUIRED")}),
])
async def test_refusals_change_nothing(staff_gql: StaffUsers, org: OrgFixture, db: Any,
                                       input: dict[str, Any], problems: set[Any]) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    await create(owner, email="taken@shop.example")
    if input.get("storeIds") == "first store":
        input["storeIds"] = [store(org, 0)]
    elif input.get("storeIds") == "other organization":
        input["storeIds"] = [store(await create_organization(db), 0)]
    before = await organization_state(db, org.id)
    refused = await create(owner, **input)
    assert refused["staffUser"] is None
    assert {(e["field"][-1], e["code"]) for e in refused["userErrors"]} == problems
    assert await organization_state(db, org.id) == before


async def test_a_change_reaches_the_users_next_request(staff_gql: StaffUsers,
                                                       org: OrgFixture) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    second = await staff_gql(StaffRole.OWNER)
    assert (await second.data(STAFF))["staffUsers"]  # cached by the server as an owner
    demoted = await change(owner, id=second.user["id"], role="MANAGER",
                           storeIds=[store(org, 2)])
    assert demoted["userErrors"] == []
    assert [s["code"] for s in demoted["staffUser"]["stores"]] == ["VLC"]
    errors = await second.errors(STAFF)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    viewer = (await second.data("{ viewer { role stores { code } } }"))["viewer"]
    assert viewer == {"role": "MANAGER", "stores": [{"code": "VLC"}]}
    # A new role drops what it does not take: a viewer has no stores.
    as_viewer = await change(owner, id=second.user["id"], role="VIEWER", grants=["exports"])
    assert (as_viewer["staffUser"]["stores"], as_viewer["staffUser"]["grants"]) == (
        [], ["exports"])
    renamed = await change(owner, id=second.user["id"], name="Second")
    assert (renamed["staffUser"]["name"], renamed["staffUser"]["grants"]) == (
        "Second", ["exports"])


async def test_the_last_active_owner_stays_one(staff_gql: StaffUsers, org: OrgFixture,
                                               db: Any) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    before = await organization_state(db, org.id)
    for refused in (await change(owner, id=owner.user["id"], role="VIEWER"),
                    await change(owner, id=owner.user["id"], disabled=True)):
        assert refused["staffUser"] is None
        assert refused["userErrors"][0]["code"] == "CONFLICT"
        assert "last active owner" in refused["userErrors"][0]["message"]
    assert await organization_state(db, org.id) == before
    second = await staff_gql(StaffRole.OWNER)
    assert (await change(owner, id=second.user["id"], disabled=True))["userErrors"] == []
    # A disabled owner does not count: the first is still the last active one.
    assert (await change(owner, id=owner.user["id"], role="VIEWER"))["userErrors"][0][
        "code"] == "CONFLICT"
    assert (await change(owner, id=second.user["id"], disabled=False))["userErrors"] == []
    stepped_down = await change(owner, id=owner.user["id"], role="VIEWER")
    assert stepped_down["userErrors"] == []
    assert (await owner.errors(STAFF))[0]["extensions"]["code"] == "FORBIDDEN"


async def test_update_refusals(staff_gql: StaffUsers, org: OrgFixture, db: Any) -> None:
    owner = await staff_gql(StaffRole.OWNER)
    manager = await staff_gql(StaffRole.MANAGER, stores=[org.store_ids[0]])
    before = await organization_state(db, org.id)
    for input, problem in (
            ({"storeIds": []}, ("storeIds", "REQUIRED")),
            ({"role": None}, ("role", "REQUIRED")),
            ({"grants": ["notes"]}, ("grants", "INVALID")),
            ({"name": " "}, ("name", "REQUIRED"))):
        refused = await change(owner, id=manager.user["id"], **input)
        assert [(e["field"][-1], e["code"]) for e in refused["userErrors"]] == [problem]
    missing = await change(owner, id=to_global_id("StaffUser", 10**9), role="VIEWER")
    assert missing["userErrors"][0]["code"] == "NOT_FOUND"
    assert await organization_state(db, org.id) == before


async def test_only_owners_manage_access(staff_gql: StaffUsers, org: OrgFixture,
                                         client: httpx.AsyncClient) -> None:
    manager = await staff_gql(StaffRole.MANAGER, stores=[org.store_ids[0]])
    viewer = await staff_gql(StaffRole.VIEWER, grants=["notes", "exports"])
    for caller in (manager, viewer):
        for operation in (STAFF, "{ apiKeys { id } }", CREATE):
            errors = await caller.errors(operation, {"input": {
                "email": "x@y.example", "password": "long enough!", "role": "OWNER"}})
            assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    response = await client.post("/graphql", json={"query": STAFF})
    assert response.status_code == 401


async def test_another_organization_can_neither_see_nor_change_users(
        staff_gql: StaffUsers, org: OrgFixture, db: Any) -> None:
    ours = await staff_gql(StaffRole.OWNER)
    other = await create_organization(db)
    theirs = await staff_gql(StaffRole.OWNER, organization=other)
    assert [u["email"] for u in (await theirs.data(STAFF))["staffUsers"]] == [theirs.email]
    before = await organization_state(db, org.id)
    for input in ({"disabled": True}, {"role": "VIEWER"}):
        refused = await change(theirs, id=ours.user["id"], **input)
        assert refused["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await create(theirs, role="MANAGER", storeIds=[store(org, 0)]))["userErrors"][0][
        "code"] == "NOT_FOUND"
    assert await organization_state(db, org.id) == before
    assert (await ours.data("{ viewer { email } }"))["viewer"]["email"] == ours.email
