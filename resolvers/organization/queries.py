"""Root fields `organization` and `storefrontPolicy`."""

from models import organizations
from models.customer_profile import organization_of
from models.enums import Device
from resolvers.context import Info
from resolvers.organization.types import Organization, StorefrontPolicy


async def organization(info: Info) -> Organization:
    async with info.context.read_session() as session:
        row = await organization_of(session, info.context.actor)
    return Organization.from_row(row)


async def storefront_policy(info: Info, device: Device) -> StorefrontPolicy:
    async with info.context.read_session() as session:
        row = await organization_of(session, info.context.actor)
    return StorefrontPolicy.of(organizations.storefront_policy(row, device))
