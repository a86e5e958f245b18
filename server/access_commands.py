"""The CLI's access commands: `create-user`, `create-api-key`, `list-api-keys`,
`revoke-api-key`, and the demo owner of `serve --demo`. They call the same rules as the API,
acting as the system in the named organization."""

import argparse
import getpass
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.access.api_keys import ALL_SCOPES, add_api_key, list_api_keys, revoke_api_key
from models.access.staff import (
    create_staff_user,
    set_staff_password,
    staff_user_by_email,
)
from models.core.actors import Actor
from models.core.enums import StaffRole
from models.core.errors import Rejected
from models.core.tenancy import session_info
from models.organizations.stores import store_ids_by_code
from models.organizations.table import organization_id_by_slug
from server.db import Database
from server.settings import Settings

DEMO_OWNER_EMAIL = "owner@demo.example"


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    user = commands.add_parser(
        "create-user", help="add a staff user; the password is prompted for (or read from "
                            "stdin with --password-stdin)")
    user.add_argument("organization_slug")
    user.add_argument("email")
    user.add_argument("--role", required=True, choices=[role.value for role in StaffRole])
    user.add_argument("--name")
    user.add_argument("--store", action="append", default=[], metavar="CODE",
                      help="a MANAGER's store, by code (repeat for several)")
    user.add_argument("--grant", action="append", default=[], choices=["notes", "exports"],
                      help="a VIEWER's extra (repeat for several)")
    user.add_argument("--password-stdin", action="store_true",
                      help="read the password from the first line of standard input")
    key = commands.add_parser("create-api-key", help="print a new API key for an organization")
    key.add_argument("organization_slug")
    key.add_argument("--name", default="cli")
    key.add_argument("--scopes", default=",".join(ALL_SCOPES),
                     help="comma-separated (default: every scope)")
    listing = commands.add_parser("list-api-keys", help="list an organization's API keys")
    listing.add_argument("organization_slug")
    revoke = commands.add_parser("revoke-api-key", help="revoke an API key at once")
    revoke.add_argument("organization_slug")
    revoke.add_argument("key_id", type=int, help="the number `list-api-keys` shows")


class CommandFailed(Exception):
    """Printed on stderr; the command exits with status 1."""


@dataclass
class Scope:
    session: AsyncSession
    actor: Actor


@asynccontextmanager
async def organization_scope(settings: Settings, slug: str) -> AsyncIterator[Scope]:
    """A session scoped to the organization with this slug, and the system acting in it."""
    db = Database.connect(settings.database_url)
    try:
        async with db.admin_session() as session:
            organization_id = await organization_id_by_slug(session, slug)
        if organization_id is None:
            raise CommandFailed(f"no organization with slug `{slug}`")
        async with db.sessions(info=session_info(organization_id)) as session:
            yield Scope(session, Actor.system(organization_id))
    finally:
        await db.dispose()


def rejected(rejection: Rejected) -> CommandFailed:
    return CommandFailed("\n".join(
        f"{'.'.join(e.field[1:]) or 'input'}: {e.code.value}: {e.message}"
        for e in rejection.errors))


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CommandFailed("no terminal to ask for the password: use --password-stdin")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat it: ") != password:
        raise CommandFailed("the passwords differ")
    return password


async def create_user(settings: Settings, args: argparse.Namespace) -> str:
    password = read_password(args.password_stdin)
    async with organization_scope(settings, args.organization_slug) as scope:
        codes = await store_ids_by_code(scope.session, args.store)
        missing = sorted(set(args.store) - set(codes))
        if missing:
            raise CommandFailed(f"no store with code {', '.join(missing)} in "
                                f"`{args.organization_slug}`")
        try:
            user = await create_staff_user(
                scope.session, scope.actor, email=args.email, password=password,
                role=StaffRole(args.role), name=args.name, store_ids=codes.values(),
                grants=args.grant)
        except Rejected as rejection:
            raise rejected(rejection) from None
        await scope.session.commit()
    return f"{user.id}\t{user.email}\t{user.role.value}"


async def create_key(settings: Settings, args: argparse.Namespace) -> str:
    async with organization_scope(settings, args.organization_slug) as scope:
        try:
            _, plain = await add_api_key(scope.session, scope.actor, args.name,
                                         args.scopes.split(","))
        except Rejected as rejection:
            raise rejected(rejection) from None
        await scope.session.commit()
    return plain


async def list_keys(settings: Settings, args: argparse.Namespace) -> str:
    async with organization_scope(settings, args.organization_slug) as scope:
        keys = await list_api_keys(scope.session)

    def when(moment: datetime | None) -> str:
        return moment.isoformat(timespec="seconds") if moment else "-"

    lines = ["id\tprefix\tname\tscopes\tcreated\tlast used\trevoked"]
    lines += [f"{k.id}\t{k.display_prefix}\t{k.name}\t{','.join(k.scopes)}\t{when(k.created_at)}"
              f"\t{when(k.last_used_at)}\t{when(k.revoked_at)}" for k in keys]
    return "\n".join(lines)


async def revoke_key(settings: Settings, args: argparse.Namespace) -> str:
    async with organization_scope(settings, args.organization_slug) as scope:
        try:
            key = await revoke_api_key(scope.session, scope.actor, args.key_id)
        except Rejected as rejection:
            raise rejected(rejection) from None
        await scope.session.commit()
    return f"revoked {key.id}\t{key.display_prefix}\t{key.name}"


async def demo_owner(settings: Settings, slug: str) -> tuple[str, str]:
    """The demo organization's owner, made on first use, with a new password each time (only
    its hash is kept, so a password can be shown only when it is set)."""
    password = secrets.token_urlsafe(12)
    async with organization_scope(settings, slug) as scope:
        owner = await staff_user_by_email(scope.session, DEMO_OWNER_EMAIL)
        if owner is None:
            await create_staff_user(scope.session, scope.actor, email=DEMO_OWNER_EMAIL,
                                    password=password, role=StaffRole.OWNER, name="Demo owner")
        else:
            await set_staff_password(scope.session, scope.actor, owner.id, password)
        await scope.session.commit()
    return DEMO_OWNER_EMAIL, password
