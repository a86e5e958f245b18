"""`updateOrganizationSettings`: guest checkout per storefront, registration strategy, default
country, loyalty earn rate, name and time zone; only the fields sent change."""

from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import organizations
from models.core.enums import GuestCheckout, RegistrationStrategy
from models.organizations import table
from resolvers.context import Info
from resolvers.organizations.types import Organization
from resolvers.user_errors import UserError, respond


@strawberry.input(description="Only the fields sent change; a field sent may not be null.")
class UpdateOrganizationSettingsInput:
    guest_checkout_web: GuestCheckout | None = strawberry.UNSET
    guest_checkout_mobile_app: GuestCheckout | None = strawberry.UNSET
    registration_strategy: RegistrationStrategy | None = strawberry.UNSET
    default_country: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 3166 two-letter code, e.g. `ES`.")
    loyalty_earn_rate: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Points per unit of currency: from 0 to 1000, at most 4 decimals.")
    name: str | None = strawberry.UNSET
    timezone: str | None = strawberry.field(
        default=strawberry.UNSET, description="IANA time zone, e.g. `Europe/Madrid`.")

    def sent_fields(self) -> dict[str, Any]:
        """The settings the client sent (null included), in the rule's names."""
        return {name: getattr(self, name) for name in table.SETTINGS
                if getattr(self, name) is not strawberry.UNSET}


# Each server process keeps an API key's organization profile for 10 s (server/auth.py); the
# process that made the change drops it at once.
@strawberry.type(description="The organization as it now is. Requests served by other server "
                             "processes may use the previous name, default country and time "
                             "zone for up to 10 seconds.")
class UpdateOrganizationSettingsPayload:
    organization: Organization | None
    user_errors: list[UserError]


async def update_organization_settings(info: Info, input: UpdateOrganizationSettingsInput
                                       ) -> UpdateOrganizationSettingsPayload:
    async def rule(session: AsyncSession) -> organizations.Organization:
        return await table.update_organization_settings(session, info.context.actor,
                                                        input.sent_fields())

    def answer(row: organizations.Organization) -> dict[str, Any]:
        info.context.on_organization_changed(row.id)  # cached profiles of it are dropped
        return {"organization": Organization.from_row(row)}

    return await respond(info, UpdateOrganizationSettingsPayload, rule, answer)
