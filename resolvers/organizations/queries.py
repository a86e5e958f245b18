"""Root fields `stores`, `store`, `organization` and `storefrontPolicy`."""

from typing import Annotated

import strawberry

from models.access.customer_sign_in import organization_by_slug
from models.core.enums import ActorKind, Device
from models.core.errors import Rejected
from models.customers.profile import organization_of
from models.organizations import storefront
from models.organizations.stores import all_stores
from resolvers.context import Info
from resolvers.engine.errors import ClientError
from resolvers.node import pk_of
from resolvers.organizations.stores import Store
from resolvers.organizations.types import Organization, StorefrontPolicy


async def stores(info: Info) -> list[Store]:
    async with info.context.read_session() as session:
        return [Store.from_row(row) for row in await all_stores(session)]


async def store(info: Info, id: strawberry.ID) -> Store | None:
    return await info.context.loaders.store.load(pk_of(id, "Store"))


async def organization(info: Info) -> Organization:
    async with info.context.read_session() as session:
        row = await organization_of(session, info.context.actor)
    return Organization.from_row(row)


async def storefront_policy(
    info: Info, device: Device,
    organization: Annotated[str | None, strawberry.argument(description=(
        "The shop's slug: needed without credentials (a storefront before sign-in); by "
        "default the caller's own organization."))] = None,
) -> StorefrontPolicy:
    """Public: what a storefront shows any visitor before they sign in, so that a web shop or
    app needs no key that could read customers to ask it."""
    async with info.context.read_session() as session:  # organizations are not tenant rows
        if organization is not None:
            try:
                row = await organization_by_slug(session, organization)
            except Rejected:
                raise ClientError("No such organization.", "NOT_FOUND") from None
        elif info.context.actor.kind is ActorKind.ANONYMOUS:
            raise ClientError("Name the shop: `organization` (its slug) is needed without "
                              "credentials.", "BAD_USER_INPUT")
        else:
            row = await organization_of(session, info.context.actor)
    return StorefrontPolicy.of(storefront.storefront_policy(row, device))
