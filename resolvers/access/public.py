"""Running a public rule in the organization the input names (the caller has no credentials
of its own yet), and handing the signed-in customer's profile back in the same response."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from models.access.customer_sign_in import organization_by_slug
from models.core.enums import ActorKind
from models.core.errors import ErrorCode, Rejected, error
from models.customers.profile import as_told_to_customers
from models.organizations.table import Organization
from resolvers import request_context
from resolvers.context import Info, OrganizationProfile
from resolvers.user_errors import UserError, committed

T = TypeVar("T")


async def named_organization(info: Info, slug: str) -> Organization:
    """The organization of the input's `organization` slug; `Rejected` when there is none, or
    when the caller is signed in to another one (the payload could not show the profile)."""
    async with info.context.read_session() as session:  # organizations are not tenant rows
        org = await organization_by_slug(session, slug)
    actor = info.context.actor
    if actor.kind is not ActorKind.ANONYMOUS and actor.organization_id != org.id:
        raise Rejected([error("organization", ErrorCode.INVALID,
                              "You are signed in to another organization: send this without "
                              "the Authorization header.")])
    return org


async def run_public_rule(info: Info, slug: str,
                          rule: Callable[[AsyncSession, Organization], Awaitable[T]]
                          ) -> tuple[T | None, list[UserError]]:
    """Run `rule` in one transaction of the named organization: committed when it succeeds,
    and when it refuses a wrong code (the try must count); rolled back on any other refusal.
    After success the request reads as that organization, so that the payload's profile loads
    its relations from it."""
    try:
        org = await named_organization(info, slug)
        async with info.context.organization_session(org.id) as session:
            result = await committed(session, lambda s: rule(s, org))
    except Rejected as rejected:
        return None, [UserError.of(p) for p in as_told_to_customers(rejected.errors)]
    info.context.counts.forget_organization(org.id)  # a sign-up adds to the customer lists
    info.context.enter_organization(OrganizationProfile(
        id=org.id, slug=org.slug, name=org.name, currency=org.currency,
        default_country=org.default_country, timezone=org.timezone), request_context.build_loaders)
    return result, []
