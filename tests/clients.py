"""GraphQL clients for tests: as an API key over HTTP (`GraphQL`), as a staff user signed in
over HTTP (`StaffUsers`, `StaffGraphQL`), and in process as any actor (`ActorGraphQL`)."""

import itertools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import httpx

from models.access.staff import create_staff_user
from models.core.actors import Actor
from models.core.enums import StaffRole
from models.core.tenancy import session_info
from models.organizations.table import Organization
from resolvers import request_context
from resolvers.context import OrganizationProfile
from resolvers.schema import schema
from server.db import Database

from factories import OrgFixture

_serial = itertools.count(1)


class GraphQL:
    """Posts operations as one API key and returns `data`, failing loudly on errors."""

    def __init__(self, client: httpx.AsyncClient, api_key: str) -> None:
        self.client = client
        self.api_key = api_key

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.api_key}"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.post(query, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def errors(self, query: str, variables: dict[str, Any] | None = None
                     ) -> list[dict[str, Any]]:
        body = await self.post(query, variables)
        assert body.get("errors"), body
        errors: list[dict[str, Any]] = body["errors"]
        return errors


SIGN_IN = """mutation($input: SignInInput!) { signIn(input: $input) {
  accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
  user { id email role grants stores { id } } userErrors { field code message } } }"""


class StaffGraphQL(GraphQL):
    """Posts operations over HTTP as a signed-in staff user, with its real access token."""

    def __init__(self, client: httpx.AsyncClient, signed_in: dict[str, Any], email: str,
                 password: str) -> None:
        super().__init__(client, signed_in["accessToken"])  # sent as the bearer credential
        self.access_token: str = signed_in["accessToken"]
        self.refresh_token: str = signed_in["refreshToken"]
        self.user: dict[str, Any] = signed_in["user"]
        self.email = email
        self.password = password


@dataclass
class StaffUsers:
    """`await staff_gql(StaffRole.MANAGER, stores=[org.store_ids[0]])`: makes a staff user of
    the organization (through the same rule as the API) and signs it in over HTTP."""

    client: httpx.AsyncClient
    org: OrgFixture

    async def create(self, role: StaffRole, *, stores: Collection[int] = (),
                     grants: Collection[str] = (), organization: OrgFixture | None = None,
                     password: str = "correct horse battery") -> tuple[str, str]:
        """(email, password) of a new staff user, not signed in."""
        target = organization or self.org
        async with target.db.sessions(info=session_info(target.id)) as session:
            user = await create_staff_user(
                session, Actor.system(target.id), email=f"{role.value.lower()}-{next(_serial)}"
                "@staff.example", password=password, role=role, store_ids=stores,
                grants=grants)
            await session.commit()
        return user.email, password

    async def sign_in(self, email: str, password: str, organization: OrgFixture | None = None
                      ) -> StaffGraphQL:
        slug = (organization or self.org).slug
        response = await self.client.post("/graphql", json={"query": SIGN_IN, "variables": {
            "input": {"organization": slug, "email": email, "password": password}}})
        payload = response.json()["data"]["signIn"]
        assert payload["userErrors"] == [], payload
        return StaffGraphQL(self.client, payload, email, password)

    async def __call__(self, role: StaffRole = StaffRole.OWNER, *, stores: Collection[int] = (),
                       grants: Collection[str] = (), organization: OrgFixture | None = None
                       ) -> StaffGraphQL:
        email, password = await self.create(role, stores=stores, grants=grants,
                                             organization=organization)
        return await self.sign_in(email, password, organization)


class ActorGraphQL(GraphQL):
    """Runs operations in process as any actor (owner, manager, customer...), through the same
    schema and context as the server, for callers whose credentials the test need not mint."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.organization: OrganizationProfile | None = None

    def forget_organization(self, _organization_id: int) -> None:
        self.organization = None  # as the server's authenticator does: reload on next request

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.organization is None:
            self.organization = await organization_profile(self.db, self.actor.organization_id)
        context = request_context.build_context(
            actor=self.actor, organization=self.organization,
            read_sessions=self.db.read_sessions, write_sessions=self.db.sessions,
            on_organization_changed=self.forget_organization)
        result = await schema.execute(query, variables, context_value=context)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return body


async def organization_profile(db: Database, organization_id: int) -> OrganizationProfile:
    async with db.admin_session() as session:
        row = await session.get(Organization, organization_id)
        assert row is not None
        return OrganizationProfile(
            id=row.id, slug=row.slug, name=row.name, currency=row.currency,
            default_country=row.default_country, timezone=row.timezone)
