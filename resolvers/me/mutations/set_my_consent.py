"""`setMyConsent`: the signed-in customer switches marketing communications on or off."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.core.enums import ConsentSource, Device
from models.customers import own_profile
from resolvers.context import Info
from resolvers.me.session import signed_in
from resolvers.me.types import MyProfile
from resolvers.user_errors import UserError, respond


@strawberry.input
class SetMyConsentInput:
    subscribed: bool
    channel: Device = strawberry.field(
        description="Where you took the decision; the consent history keeps it.")


@strawberry.type
class SetMyConsentPayload:
    me: MyProfile | None
    changed: bool = strawberry.field(default=False,
                                     description="False when the decision was already so.")
    user_errors: list[UserError]


async def set_my_consent(info: Info, input: SetMyConsentInput) -> SetMyConsentPayload:
    async def rule(session: AsyncSession) -> tuple[customers.Customer, bool]:
        return await own_profile.set_own_consent(session, info.context.actor, input.subscribed,
                                                 ConsentSource(input.channel.value))

    with signed_in():
        return await respond(info, SetMyConsentPayload, rule, lambda result: {
            "me": MyProfile.from_row(result[0], info.context.organization.currency),
            "changed": result[1]})
