"""Who is calling: an `Authorization: Bearer <api key>` header resolved to an actor.

Resolutions are cached for a few seconds per process, so that a busy integrator costs one
lookup every few seconds rather than one per request; a revoked key stops working within
`CACHE_SECONDS`. A settings change drops its organization's entries in the process that made it
(`forget_organization`); other processes see it within `CACHE_SECONDS`.
"""

import time
from dataclasses import dataclass

from sqlalchemy import select

from models.actors import Actor
from models.api_keys import KEY_PREFIX, find_active_key
from models.enums import ActorKind
from models.organizations import Organization
from resolvers.context import OrganizationProfile
from server.db import Database

CACHE_SECONDS = 10.0
CACHE_MAX = 10_000


class AuthenticationError(Exception):
    """The request's credentials are missing or not valid; the message says which."""


@dataclass(frozen=True, slots=True)
class Identity:
    actor: Actor
    organization: OrganizationProfile


class Authenticator:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[str, tuple[float, Identity]] = {}

    async def identify(self, authorization: str | None) -> Identity:
        token = bearer_token(authorization)
        cached = self._cache.get(token)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        identity = await self._lookup(token)
        if len(self._cache) >= CACHE_MAX:
            self._cache.clear()
        self._cache[token] = (now + CACHE_SECONDS, identity)
        return identity

    def forget_organization(self, organization_id: int) -> None:
        """Drop the cached identities of an organization whose settings just changed."""
        for token, (_, identity) in list(self._cache.items()):
            if identity.organization.id == organization_id:
                self._cache.pop(token, None)

    async def _lookup(self, token: str) -> Identity:
        if not token.startswith(KEY_PREFIX):
            raise AuthenticationError("The bearer token is not an API key of this server.")
        async with self._db.admin_session() as session:
            key = await find_active_key(session, token)
            if key is None:
                raise AuthenticationError("This API key is unknown or has been revoked.")
            org = (await session.scalars(
                select(Organization).where(Organization.id == key.organization_id))).one()
        return Identity(
            actor=Actor(organization_id=org.id, kind=ActorKind.API_KEY, id=str(key.id),
                        scopes=frozenset(key.scopes)),
            organization=OrganizationProfile(
                id=org.id, slug=org.slug, name=org.name, currency=org.currency,
                default_country=org.default_country, timezone=org.timezone),
        )


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError(
            "Authentication required: send `Authorization: Bearer <api key>`.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Use the Bearer scheme: `Authorization: Bearer <api key>`.")
    return token.strip()
