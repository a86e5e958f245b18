"""The `StaffUser` and `ApiKey` types, and the tokens a sign-in or a refresh hands out."""

from collections.abc import Sequence
from datetime import datetime
from typing import Self

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import access
from models.access.sessions import AuthSession
from models.access.staff import store_ids_of
from models.core.enums import StaffRole
from models.organizations.stores import stores_by_id
from resolvers.node import to_global_id
from resolvers.organizations.stores import Store
from resolvers.user_errors import UserError


@strawberry.type(description="A member of the merchant's staff, who signs in to the admin app.")
class StaffUser:
    id: strawberry.ID
    email: str
    name: str
    role: StaffRole
    stores: list[Store] = strawberry.field(
        description="A MANAGER's stores: the customers it reaches are linked to them. Empty for "
                    "the other roles, which see every store.")
    grants: list[str] = strawberry.field(
        description="What a VIEWER may do beyond reading: `notes`, `exports`.")
    created_at: datetime
    last_sign_in_at: datetime | None
    disabled_at: datetime | None = strawberry.field(
        description="Set while the user may not sign in.")


async def staff_users_of(session: AsyncSession, rows: Sequence[access.StaffUser]
                         ) -> list[StaffUser]:
    """The types of some staff users, with their stores in two statements whatever their number."""
    store_ids = await store_ids_of(session, [row.id for row in rows])
    wanted = {pk for pks in store_ids.values() for pk in pks}
    stores = {pk: Store.from_row(row)
              for pk, row in (await stores_by_id(session, wanted)).items()} if wanted else {}
    return [StaffUser(
        id=to_global_id("StaffUser", row.id), email=row.email, name=row.name, role=row.role,
        stores=[stores[pk] for pk in store_ids[row.id] if pk in stores],
        grants=list(row.grants), created_at=row.created_at,
        last_sign_in_at=row.last_sign_in_at, disabled_at=row.disabled_at) for row in rows]


@strawberry.type(description="A key an integrator's system calls the API with. The key itself "
                             "is shown once, when it is created; only its hash is kept.")
class ApiKey:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The key's first characters, to recognise it.")
    scopes: list[str] = strawberry.field(
        description="`customers:read`, `customers:write`, `orders:write`, `exports`, "
                    "`subscriptions`.")
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(
        description="When the key was last used, to the minute.")
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: access.ApiKey) -> Self:
        return cls(id=to_global_id("ApiKey", row.id), name=row.name, prefix=row.display_prefix,
                   scopes=list(row.scopes), created_at=row.created_at,
                   last_used_at=row.last_used_at, revoked_at=row.revoked_at)


@strawberry.type(description="Send the access token as `Authorization: Bearer <accessToken>`. "
                             "Before it expires, trade the refresh token for new tokens with "
                             "`refreshToken` (without the Authorization header); each refresh "
                             "token works once.")
class SessionTokensPayload:
    access_token: str | None
    access_token_expires_at: datetime | None
    refresh_token: str | None
    refresh_token_expires_at: datetime | None
    user: StaffUser | None = strawberry.field(
        description="The signed-in staff user (null for a customer's session).")
    user_errors: list[UserError]

    @classmethod
    def of(cls, row: AuthSession, access_token: str, refresh_token: str,
           user: StaffUser | None) -> Self:
        return cls(access_token=access_token, access_token_expires_at=row.access_expires_at,
                   refresh_token=refresh_token, refresh_token_expires_at=row.refresh_expires_at,
                   user=user, user_errors=[])

    @classmethod
    def refused(cls, errors: list[UserError]) -> Self:
        return cls(access_token=None, access_token_expires_at=None, refresh_token=None,
                   refresh_token_expires_at=None, user=None, user_errors=errors)
