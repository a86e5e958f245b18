"""`setConsent`: switch a customer's marketing communications on or off."""

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import customers
from models.core.enums import ActorKind, ConsentSource
from models.customers import consent
from resolvers.context import Info
from resolvers.customers.types import Customer
from resolvers.user_errors import UserError, input_pk, respond

DEFAULT_SOURCE = {ActorKind.API_KEY: ConsentSource.API, ActorKind.STAFF_USER: ConsentSource.ADMIN}


@strawberry.input
class SetConsentInput:
    customer_id: strawberry.ID
    subscribed: bool
    source: ConsentSource | None = strawberry.field(
        default=None, description="Where the decision was taken; by default where it comes "
                                  "from (ADMIN for staff, API for an API key).")


@strawberry.type
class SetConsentPayload:
    customer: Customer | None
    changed: bool = strawberry.field(default=False,
                                     description="False when the decision was already so.")
    user_errors: list[UserError]


async def set_consent(info: Info, input: SetConsentInput) -> SetConsentPayload:
    actor = info.context.actor
    source = input.source or DEFAULT_SOURCE.get(actor.kind, ConsentSource.ADMIN)

    async def rule(session: AsyncSession) -> tuple[customers.Customer, bool]:
        customer_id = input_pk(input.customer_id, "Customer", "customerId")
        return await consent.set_consent(session, actor, customer_id, input.subscribed, source)

    return await respond(info, SetConsentPayload, rule, lambda result: {
        "customer": Customer.from_row(result[0], info.context.organization.currency),
        "changed": result[1]})
