"""The merchant's staff: who signs in to the admin app, with which role, for which stores.

- OWNER: everything in the organization. MANAGER: the customers of its stores (at least one).
  VIEWER: read only, plus the grants an owner gives (`models.access.permissions.VIEWER_GRANTS`).
- The organization always keeps an active owner: the last one cannot be demoted or disabled.
- Disabling a user ends its open sessions; the credential check refuses it from then on.
"""

import asyncio
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access.passwords import hash_password, needs_rehash, password_problem, verify_password
from models.access.permissions import VIEWER_GRANTS
from models.access.sessions import revoke_subject_sessions
from models.core.actors import Actor
from models.core.base import Base, BigId, TenantScoped, enum_column, utcnow
from models.core.enums import ActorKind, StaffRole
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import EventKind, record_event
from models.core.validation import normal_email, normal_name
from models.organizations.stores import Store
from models.organizations.table import locked_organization

WRONG_CREDENTIALS = "The organization, email or password is wrong."
DISABLED = "This staff user has been disabled: ask an owner of the organization."


class StaffUser(TenantScoped, Base):
    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("organization_id", "email"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # lower-cased (models/core/validation.py)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole))
    grants: Mapped[list[str]] = mapped_column(JSON, default=list)  # VIEWER only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]


class StaffUserStore(TenantScoped, Base):
    """A store a MANAGER is responsible for."""

    __tablename__ = "staff_user_stores"
    __table_args__ = (UniqueConstraint("staff_user_id", "store_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("stores.id", ondelete="CASCADE"), index=True)


async def store_ids_of(session: AsyncSession, staff_user_ids: Collection[int]
                       ) -> dict[int, list[int]]:
    """Each staff user's stores, in store id order (an empty list for the others)."""
    found: dict[int, list[int]] = {pk: [] for pk in staff_user_ids}
    if found:
        rows = await session.execute(
            select(StaffUserStore.staff_user_id, StaffUserStore.store_id)
            .where(StaffUserStore.staff_user_id.in_(found)).order_by(StaffUserStore.store_id))
        for user_id, store_id in rows:
            found[user_id].append(store_id)
    return found


async def create_staff_user(
    session: AsyncSession, actor: Actor, *, email: str | None, password: str | None,
    role: StaffRole | None, name: str | None = None, store_ids: Collection[int] = (),
    grants: Collection[str] = (),
) -> StaffUser:
    """A new staff user of the actor's organization; every problem is reported at once."""
    errors: list[UserError] = []
    clean_email = normal_email(email, "email", errors, required=True)
    clean_name = normal_name(name, "name", "Name", errors)
    problem = password_problem(password) if password else "Password is required."
    if problem is not None:
        errors.append(error("password", ErrorCode.REQUIRED if not password else
                            ErrorCode.INVALID, problem))
    if role is None:
        errors.append(error("role", ErrorCode.REQUIRED, "Role is required: OWNER, MANAGER or "
                                                        "VIEWER."))
    else:
        await _check_access(session, role, store_ids, grants, errors)
    if clean_email is not None and await _email_taken(session, clean_email):
        errors.append(error("email", ErrorCode.DUPLICATE,
                            f"A staff user with the email `{clean_email}` already exists."))
    if errors:
        raise Rejected(errors)
    if clean_email is None or password is None or role is None:  # reported above
        raise AssertionError("unreachable")
    user = StaffUser(organization_id=actor.organization_id, email=clean_email,
                     name=clean_name or clean_email.split("@", 1)[0],
                     password_hash=await _hash(password), role=role,
                     grants=sorted(set(grants)), created_at=utcnow())
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:  # the same email, created at the same moment by another request
        raise Rejected([error("email", ErrorCode.DUPLICATE, f"A staff user with the email "
                                                            f"`{clean_email}` already exists.")
                        ]) from None
    session.add_all(StaffUserStore(organization_id=actor.organization_id,
                                   staff_user_id=user.id, store_id=store_id)
                    for store_id in sorted(set(store_ids)))
    record_event(session, actor, EventKind.STAFF_USER_CREATED, None, {
        "staff_user_id": user.id, "email": user.email, "role": role.value,
        "store_ids": sorted(set(store_ids)), "grants": user.grants})
    await session.flush()
    return user


# What `update_staff_user` accepts, with the input field of each.
UPDATABLE = {"name": "name", "role": "role", "store_ids": "storeIds", "grants": "grants",
             "disabled": "disabled"}


async def update_staff_user(session: AsyncSession, actor: Actor, staff_user_id: int,
                            fields: Mapping[str, Any]) -> StaffUser:
    """Change only the fields sent (role, stores, grants, disabled, name). A MANAGER keeps at
    least one store, only a VIEWER holds grants, and the last active owner stays one."""
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise ValueError(f"not a staff user field: {sorted(unknown)}")
    # One access change at a time per organization: two owners demoting each other at the same
    # moment cannot leave it without one (and take no row locks in opposite orders).
    await locked_organization(session, actor)
    user = await session.get(StaffUser, staff_user_id)
    if user is None:
        raise Rejected([error("id", ErrorCode.NOT_FOUND, "No such staff user.")])
    errors: list[UserError] = []
    for name in ("role", "disabled"):
        if name in fields and fields[name] is None:
            errors.append(error(UPDATABLE[name], ErrorCode.REQUIRED, f"`{UPDATABLE[name]}` "
                                                                     "cannot be null."))
    role = fields.get("role") or user.role
    current_stores = (await store_ids_of(session, [user.id]))[user.id]
    # A role change drops what the new role does not hold, unless the request sends it.
    default_stores = current_stores if role is StaffRole.MANAGER else []
    store_ids = list(fields.get("store_ids") or ()) if "store_ids" in fields else default_stores
    default_grants = user.grants if role is StaffRole.VIEWER else []
    grants = list(fields.get("grants") or ()) if "grants" in fields else default_grants
    name = user.name
    if "name" in fields:
        name = normal_name(fields["name"], "name", "Name", errors, required=True) or user.name
    await _check_access(session, role, store_ids, grants, errors)
    disabled = bool(fields.get("disabled", user.disabled_at is not None))
    stays_owner = role is StaffRole.OWNER and not disabled
    if user.role is StaffRole.OWNER and user.disabled_at is None and not stays_owner and \
            await _active_owner_count(session) <= 1:
        errors.append(error("role" if role is not StaffRole.OWNER else "disabled",
                            ErrorCode.CONFLICT, "This is the organization's last active owner: "
                                                "make another user an owner first."))
    if errors:
        raise Rejected(errors)

    changed: dict[str, Any] = {}

    def change(key: str, before: Any, after: Any) -> None:
        if before != after:
            changed[key] = {"from": before, "to": after}

    change("name", user.name, name)
    change("role", user.role.value, role.value)
    change("store_ids", current_stores, sorted(set(store_ids)))
    change("grants", sorted(user.grants), sorted(set(grants)))
    change("disabled", user.disabled_at is not None, disabled)
    if not changed:
        return user
    user.name, user.role, user.grants = name, role, sorted(set(grants))
    if "store_ids" in changed:
        await session.execute(delete(StaffUserStore).where(
            StaffUserStore.staff_user_id == user.id))
        session.add_all(StaffUserStore(organization_id=user.organization_id,
                                       staff_user_id=user.id, store_id=store_id)
                        for store_id in sorted(set(store_ids)))
    if "disabled" in changed:
        user.disabled_at = utcnow() if disabled else None
        if disabled:
            await revoke_subject_sessions(session, ActorKind.STAFF_USER, user.id)
    record_event(session, actor, EventKind.STAFF_USER_UPDATED, None,
                 {"staff_user_id": user.id, "changed": changed})
    await session.flush()
    return user


async def set_staff_password(session: AsyncSession, actor: Actor, staff_user_id: int,
                             password: str) -> StaffUser:
    """A new password; the user's open sessions end, so that an old device must sign in."""
    problem = password_problem(password)
    if problem is not None:
        raise Rejected([error("password", ErrorCode.INVALID, problem)])
    user = await session.get(StaffUser, staff_user_id)
    if user is None:
        raise Rejected([error("id", ErrorCode.NOT_FOUND, "No such staff user.")])
    user.password_hash = await _hash(password)
    await revoke_subject_sessions(session, ActorKind.STAFF_USER, user.id)
    record_event(session, actor, EventKind.STAFF_USER_PASSWORD_CHANGED, None,
                 {"staff_user_id": user.id})
    await session.flush()
    return user


async def authenticate_staff(session: AsyncSession, email: str, password: str) -> StaffUser:
    """The staff user of the session's organization with this email and password.

    An unknown email and a wrong password are the same error and cost the same time (a dummy
    hash is checked when there is no user), so that neither tells which accounts exist. A
    disabled user learns so only with the right password.
    """
    found = await session.scalar(select(StaffUser).where(
        StaffUser.email == (email or "").strip().lower()))
    if not await _verify(found.password_hash if found else None, password) or found is None:
        raise Rejected([error("", ErrorCode.INVALID_CREDENTIALS, WRONG_CREDENTIALS)])
    if found.disabled_at is not None:
        raise Rejected([error("", ErrorCode.DISABLED, DISABLED)])
    if needs_rehash(found.password_hash):
        found.password_hash = await _hash(password)
    found.last_sign_in_at = utcnow()
    await session.flush()
    return found


async def wrong_credentials(password: str) -> Rejected:
    """The sign-in refusal for an organization that does not exist: the same as a wrong
    password, after checking the password against the dummy hash so that it costs the same."""
    await _verify(None, password)
    return Rejected([error("", ErrorCode.INVALID_CREDENTIALS, WRONG_CREDENTIALS)])


# Argon2 takes tens of milliseconds of CPU by design; argon2-cffi releases the GIL meanwhile, so
# in a thread it does not stall the other requests of the event loop.
async def _hash(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def _verify(password_hash: str | None, password: str | None) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password or "")


async def _check_access(session: AsyncSession, role: StaffRole, store_ids: Collection[int],
                        grants: Collection[str], errors: list[UserError]) -> None:
    if role is StaffRole.MANAGER:
        if not store_ids:
            errors.append(error("storeIds", ErrorCode.REQUIRED,
                                "A manager needs at least one store."))
        else:
            known = set((await session.scalars(
                select(Store.id).where(Store.id.in_(set(store_ids))))).all())
            if set(store_ids) - known:
                errors.append(error("storeIds", ErrorCode.NOT_FOUND,
                                    "No such store in this organization."))
    elif store_ids:
        errors.append(error("storeIds", ErrorCode.INVALID,
                            "Only managers are limited to stores; owners and viewers see all."))
    unknown = sorted(set(grants) - set(VIEWER_GRANTS))
    if unknown:
        errors.append(error("grants", ErrorCode.INVALID,
                            f"Unknown grants {unknown}: use {sorted(VIEWER_GRANTS)}."))
    elif grants and role is not StaffRole.VIEWER:
        errors.append(error("grants", ErrorCode.INVALID,
                            "Only viewers take grants; the other roles hold them already."))


async def _email_taken(session: AsyncSession, email: str) -> bool:
    return await session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None


async def _active_owner_count(session: AsyncSession) -> int:
    owners = await session.scalars(select(StaffUser.id).where(
        StaffUser.role == StaffRole.OWNER, StaffUser.disabled_at.is_(None)))
    return len(owners.all())


async def list_staff_users(session: AsyncSession) -> list[StaffUser]:
    """The organization's staff users, disabled ones included, by email."""
    return list((await session.scalars(
        select(StaffUser).order_by(StaffUser.email, StaffUser.id))).all())


async def staff_user_by_id(session: AsyncSession, organization_id: int, user_id: int
                           ) -> StaffUser | None:
    """The organization's staff user with this id, for a session that sees every organization
    (a refresh token's: its hash is all the caller has)."""
    return await session.scalar(select(StaffUser).where(
        StaffUser.id == user_id, StaffUser.organization_id == organization_id))


async def staff_user_by_email(session: AsyncSession, email: str) -> StaffUser | None:
    """The organization's staff user with this (normalised) email."""
    return await session.scalar(select(StaffUser).where(StaffUser.email == email))


async def active_staff_user(session: AsyncSession, organization_id: int, user_id: int,
                            path: str) -> StaffUser:
    """The staff user a session belongs to, while it may still act: a disabled (or deleted)
    one is refused as DISABLED under `path`, so that its refresh token buys it nothing."""
    user = await staff_user_by_id(session, organization_id, user_id)
    if user is None or user.disabled_at is not None:
        raise Rejected([error(path, ErrorCode.DISABLED, DISABLED)])
    return user
