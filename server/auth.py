"""Who is calling: the `Authorization: Bearer` credential resolved to an actor.

- `chk_...`: an API key, with its scopes.
- `cha_...`: the access token of a signed-in staff user (role, stores, grants) or customer.
- no header: nobody (`ActorKind.ANONYMOUS`), in an organization that does not exist (id 0), so
  that the tenancy layer finds no rows for it; only the PUBLIC fields (sign-in) answer it.
- anything else, or an unknown, expired or revoked credential: `AuthenticationError` (HTTP 401).

Resolutions are cached for a few seconds per process, so that a busy client costs one lookup
every few seconds rather than one per request; an access token is never cached past its expiry.
A write that ends or changes a credential (sign-out, refresh, key revocation, a staff user's new
role, a settings change) drops its entries in the process that made it; other processes follow
within `CACHE_SECONDS`. Lookups write `last_used_at` at most once a minute (models/access/usage.py).
Whoever holds an identity for long (a subscriptions connection: server/credential_watch.py) may
ask to hear of those writes (`on_forget`), so as to check its credential again at once.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.access import staff
from models.access.api_keys import KEY_PREFIX, ApiKey, find_active_key
from models.access.sessions import ACCESS_PREFIX, REFRESH_PREFIX, AuthSession, find_by_access_token
from models.access.staff import store_ids_of
from models.access.usage import is_stale, record_use
from models.core.actors import Actor
from models.core.base import utcnow
from models.core.enums import ActorKind
from models.customers import merge
from models.organizations import table
from resolvers.context import OrganizationProfile
from server.db import Database

CACHE_SECONDS = 10.0
CACHE_MAX = 10_000
NO_ORGANIZATION = OrganizationProfile(id=0, slug="", name="", currency="", default_country="",
                                      timezone="UTC")
SEND = "send `Authorization: Bearer <access token or API key>`"


class AuthenticationError(Exception):
    """The request's credentials are not valid; the message says why."""


@dataclass(frozen=True, slots=True)
class Identity:
    actor: Actor
    organization: OrganizationProfile
    auth_session_id: int | None = None  # access tokens
    api_key_id: int | None = None
    expires_at: datetime | None = None  # access tokens: when this one stops working


ANONYMOUS = Identity(actor=Actor(organization_id=NO_ORGANIZATION.id, kind=ActorKind.ANONYMOUS),
                     organization=NO_ORGANIZATION)


class Authenticator:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[str, tuple[float, Identity]] = {}
        self._listeners: dict[int, tuple[Identity, Callable[[], None]]] = {}
        self._next_listener = 0

    async def identify(self, authorization: str | None) -> Identity:
        token = bearer_token(authorization)
        if token is None:
            return ANONYMOUS
        cached = self._cache.get(token)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        identity, valid_until = await self._lookup(token)
        if len(self._cache) >= CACHE_MAX:
            self._cache.clear()
        seconds_left = (valid_until - utcnow()).total_seconds() if valid_until else CACHE_SECONDS
        self._cache[token] = (now + min(CACHE_SECONDS, seconds_left), identity)
        return identity

    def on_forget(self, identity: Identity, wake: Callable[[], None]) -> Callable[[], None]:
        """Call `wake` each time a write in this process drops entries that `identity` would be
        one of (`forget_*`: its session ended, its key was revoked, ...); returns the function
        that stops it. `wake` runs in the writer's call: it should only set a flag."""
        number = self._next_listener
        self._next_listener += 1
        self._listeners[number] = (identity, wake)

        def stop() -> None:
            self._listeners.pop(number, None)
        return stop

    @property
    def listening(self) -> int:
        """How many `on_forget` listeners are registered (none once their holders ended)."""
        return len(self._listeners)

    def _forget(self, drop: Callable[[Identity], bool]) -> None:
        for token, (_, identity) in list(self._cache.items()):
            if drop(identity):
                self._cache.pop(token, None)
        for identity, wake in list(self._listeners.values()):
            if drop(identity):
                wake()

    def forget_organization(self, organization_id: int) -> None:
        """Drop the cached identities of an organization whose settings just changed."""
        self._forget(lambda identity: identity.organization.id == organization_id)

    def forget_session(self, auth_session_id: int) -> None:
        self._forget(lambda identity: identity.auth_session_id == auth_session_id)

    def forget_api_key(self, key_id: int) -> None:
        self._forget(lambda identity: identity.api_key_id == key_id)

    def forget_subject(self, kind: ActorKind, subject_id: int) -> None:
        """Drop every cached session of a staff user or customer whose access just changed."""
        self._forget(lambda identity: identity.auth_session_id is not None
                     and identity.actor.kind is kind and identity.actor.id == str(subject_id))

    async def _lookup(self, token: str) -> tuple[Identity, datetime | None]:
        async with self._db.admin_session() as session:
            if token.startswith(KEY_PREFIX):
                return await _api_key(session, token), None
            if token.startswith(ACCESS_PREFIX):
                return await _access_token(session, token)
        if token.startswith(REFRESH_PREFIX):
            raise AuthenticationError("A refresh token is not a bearer credential: send it to "
                                      "the `refreshToken` mutation, without this header.")
        raise AuthenticationError(
            "The bearer token is neither an API key (`chk_...`) nor an access token (`cha_...`) "
            "of this server.")


async def _api_key(session: AsyncSession, token: str) -> Identity:
    key = await find_active_key(session, token)
    if key is None:
        raise AuthenticationError("This API key is unknown or has been revoked.")
    if is_stale(key.last_used_at):
        await record_use(session, ApiKey, key.id)
        await session.commit()
    actor = Actor(organization_id=key.organization_id, kind=ActorKind.API_KEY, id=str(key.id),
                  scopes=frozenset(key.scopes))
    return Identity(actor=actor, organization=await _profile(session, key.organization_id),
                    api_key_id=key.id)


async def _access_token(session: AsyncSession, token: str) -> tuple[Identity, datetime]:
    row = await find_by_access_token(session, token)
    if row is None:
        raise AuthenticationError("This access token is unknown, expired or revoked: refresh it "
                                  "with `refreshToken`, or sign in again.")
    if row.subject_kind is ActorKind.STAFF_USER:
        actor = await _staff_actor(session, row)
    else:
        actor = await _customer_actor(session, row)
    if is_stale(row.last_used_at):
        await record_use(session, AuthSession, row.id)
        await session.commit()
    identity = Identity(actor=actor, organization=await _profile(session, row.organization_id),
                        auth_session_id=row.id, expires_at=row.access_expires_at)
    return identity, row.access_expires_at


async def _staff_actor(session: AsyncSession, row: AuthSession) -> Actor:
    user = await staff.staff_user_by_id(session, row.organization_id, row.subject_id)
    if user is None or user.disabled_at is not None:
        raise AuthenticationError("This staff user has been disabled: ask an owner of the "
                                  "organization.")
    stores = (await store_ids_of(session, [user.id]))[user.id]
    return Actor(organization_id=user.organization_id, kind=ActorKind.STAFF_USER,
                 id=str(user.id), role=user.role, store_ids=frozenset(stores),
                 grants=frozenset(user.grants))


async def _customer_actor(session: AsyncSession, row: AuthSession) -> Actor:
    # A customer merged into another since signing in goes on as that one (`me` follows the
    # redirect); an erased one is gone.
    if await merge.live_customer_id(session, row.organization_id, row.subject_id) is None:
        raise AuthenticationError("This customer account no longer exists.")
    return Actor(organization_id=row.organization_id, kind=ActorKind.CUSTOMER,
                 id=str(row.subject_id), customer_id=row.subject_id)


async def _profile(session: AsyncSession, organization_id: int) -> OrganizationProfile:
    org = await table.organization_by_id(session, organization_id)
    return OrganizationProfile(
        id=org.id, slug=org.slug, name=org.name, currency=org.currency,
        default_country=org.default_country, timezone=org.timezone)


def bearer_token(authorization: str | None) -> str | None:
    """The credential of an `Authorization` header; None when there is no header."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError(f"Use the Bearer scheme: {SEND}.")
    return token.strip()
