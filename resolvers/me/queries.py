"""Root field `me`."""

from models.customers.own_profile import own_customer
from resolvers.context import Info
from resolvers.me.session import signed_in
from resolvers.me.types import MyProfile


async def me(info: Info) -> MyProfile:
    with signed_in():
        async with info.context.read_session() as session:
            row = await own_customer(session, info.context.actor)
    return MyProfile.from_row(row, info.context.organization.currency)
