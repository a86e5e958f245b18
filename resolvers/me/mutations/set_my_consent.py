"""`setMyConsent`: the signed-in customer switches marketing communications on or off."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.enums import ConsentSource, Device
from models.customers.own_profile import set_own_consent
from models.customers.table import Customer as CustomerRow
from resolvers.context import Info
from resolvers.me.session import signed_in
from resolvers.me.types import MyProfile
from resolvers.user_errors import UserError, run_rule


@strawberry.input
class SetMyConsentInput:
    subscribed: bool
    channel: Device = strawberry.field(
        description="Where you took the decision; the consent history keeps it.")


@strawberry.type
class SetMyConsentPayload:
    me: MyProfile | None
    changed: bool = strawberry.field(description="False when the decision was already so.")
    user_errors: list[UserError]


async def set_my_consent(info: Info, input: SetMyConsentInput) -> SetMyConsentPayload:
    async def rule(session: AsyncSession) -> tuple[CustomerRow, bool]:
        return await set_own_consent(session, info.context.actor, input.subscribed,
                                     ConsentSource(input.channel.value))

    with signed_in():
        result, errors = await run_rule(info, rule)
    if result is None:
        return SetMyConsentPayload(me=None, changed=False, user_errors=errors)
    row, changed = result
    return SetMyConsentPayload(me=MyProfile.from_row(row, info.context.organization.currency),
                               changed=changed, user_errors=errors)
