"""What a customer's sign-up or sign-in hands back: the session's tokens and the profile."""

from datetime import datetime
from typing import Self

import strawberry

from models import customers
from models.access.sessions import AuthSession
from resolvers.me.types import MyProfile
from resolvers.user_errors import UserError


@strawberry.type(description="Send the access token as `Authorization: Bearer <accessToken>`; "
                             "trade the refresh token for new tokens with `refreshToken` "
                             "before the access token expires, and end the session with "
                             "`signOut`.")
class CustomerSessionPayload:
    access_token: str | None
    access_token_expires_at: datetime | None
    refresh_token: str | None
    refresh_token_expires_at: datetime | None
    customer: MyProfile | None = strawberry.field(description="The signed-in customer.")
    user_errors: list[UserError]

    @classmethod
    def of(cls, started: tuple[customers.Customer, AuthSession, str, str], currency: str) -> Self:
        customer, row, access, refresh = started
        return cls(access_token=access, access_token_expires_at=row.access_expires_at,
                   refresh_token=refresh, refresh_token_expires_at=row.refresh_expires_at,
                   customer=MyProfile.from_row(customer, currency), user_errors=[])

    @classmethod
    def refused(cls, errors: list[UserError]) -> Self:
        return cls(access_token=None, access_token_expires_at=None, refresh_token=None,
                   refresh_token_expires_at=None, customer=None, user_errors=errors)
