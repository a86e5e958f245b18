"""The organization mutations, one module each."""

import strawberry

from resolvers.organization.mutations.update_organization_settings import (
    UpdateOrganizationSettingsPayload,
    update_organization_settings,
)


@strawberry.type
class OrganizationMutations:
    update_organization_settings: UpdateOrganizationSettingsPayload = strawberry.mutation(
        resolver=update_organization_settings,
        description="Change the organization's settings; only the fields sent change.")
