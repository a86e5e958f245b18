"""The organization domain's root fields (its stores, its settings, what they let guests do on
a storefront) and the mutation that changes its settings."""

import strawberry

from models.access.permissions import Permission
from resolvers.organizations import queries
from resolvers.organizations.mutations.update_organization_settings import (
    UpdateOrganizationSettingsPayload,
    update_organization_settings,
)
from resolvers.organizations.stores import Store
from resolvers.organizations.types import Organization, StorefrontPolicy
from resolvers.permissions import requires


@strawberry.type
class OrganizationQueries:
    stores: list[Store] = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ), resolver=queries.stores)
    store: Store | None = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ), resolver=queries.store)
    organization: Organization = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ),
        resolver=queries.organization,
        description="The caller's organization and its settings.")
    storefront_policy: StorefrontPolicy = strawberry.field(
        extensions=requires(Permission.PUBLIC),
        resolver=queries.storefront_policy,
        description="What guests may do on a storefront: check out, use the cart, see prices.")


@strawberry.type
class OrganizationMutations:
    update_organization_settings: UpdateOrganizationSettingsPayload = strawberry.mutation(
        extensions=requires(Permission.SETTINGS),
        resolver=update_organization_settings,
        description="Change the organization's settings; only the fields sent change.")
