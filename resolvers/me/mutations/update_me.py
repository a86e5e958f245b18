"""`updateMe`: the signed-in customer edits their own contact data; only the fields sent change."""

from datetime import date
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.customers import own_profile
from resolvers.context import Info
from resolvers.customers.inputs import AddressInput
from resolvers.me.session import signed_in
from resolvers.me.types import MyProfile
from resolvers.user_errors import UserError, respond

PLAIN = ("first_name", "last_name", "email", "phone", "birthday")


@strawberry.input(description="Your contact data; only the fields sent change, null clears.")
class UpdateMeInput:
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="As typed; read in the shop's country.")
    birthday: date | None = strawberry.UNSET
    addresses: list[AddressInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Every address, in order; replaces them all.")
    code: str | None = strawberry.field(
        default=None, description=(
            "The code sent to a new phone (`requestSignInCode`), where customers sign in with "
            "phones: asked for (REQUIRED) when `phone` changes."))
    email_code: str | None = strawberry.field(
        default=None, description=(
            "The code sent to a new email (`requestSignInCode` with `email`), where customers "
            "sign in with emails: asked for (REQUIRED) when `email` changes."))

    def sent(self) -> dict[str, Any]:
        """The fields the client sent (null included), in the rule's names."""
        fields = {name: getattr(self, name) for name in PLAIN
                  if getattr(self, name) is not strawberry.UNSET}
        if self.addresses is not strawberry.UNSET:
            fields["addresses"] = [a.to_fields() for a in self.addresses or []]
        return fields


@strawberry.type
class UpdateMePayload:
    me: MyProfile | None
    user_errors: list[UserError]


async def update_me(info: Info, input: UpdateMeInput) -> UpdateMePayload:
    fields = input.sent()

    async def rule(session: AsyncSession) -> customers.Customer:
        codes = {"code": input.code, "emailCode": input.email_code}
        return await own_profile.update_own_profile(session, info.context.actor, fields, codes)

    with signed_in():
        return await respond(info, UpdateMePayload, rule, lambda row: {
            "me": MyProfile.from_row(row, info.context.organization.currency)})
