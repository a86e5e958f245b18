"""The organization mutations, one module each."""

import strawberry

from models.access.permissions import Permission
from resolvers.organization.mutations.update_organization_settings import (
    UpdateOrganizationSettingsPayload,
    update_organization_settings,
)
from resolvers.permissions import requires


@strawberry.type
class OrganizationMutations:
    update_organization_settings: UpdateOrganizationSettingsPayload = strawberry.mutation(
        extensions=requires(Permission.SETTINGS),
        resolver=update_organization_settings,
        description="Change the organization's settings; only the fields sent change.")
