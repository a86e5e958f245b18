"""`customerhub`: serve, migrate, seed the demo, manage staff users and API keys, export and
import customers, print the schema."""

import argparse
import asyncio
import sys
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from server import access_commands, export_command, import_command
from server.settings import Settings

DEMO_SLUG = "demo"
ACCESS_COMMANDS = {
    "create-user": access_commands.create_user,
    "create-api-key": access_commands.create_key,
    "list-api-keys": access_commands.list_keys,
    "revoke-api-key": access_commands.revoke_key,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="customerhub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true",
                       help="migrate, seed the demo if empty, print an API key (preset in "
                            "GraphiQL) and the demo owner's email and a new password")
    commands.add_parser("migrate", help="bring the database schema up to date")
    seed = commands.add_parser("seed-demo", help="create the demo organization")
    seed.add_argument("--customers", type=int, default=2000)
    seed.add_argument("--orders", type=int, default=10000)
    access_commands.add_commands(commands)
    export_command.add_command(commands)
    import_command.add_command(commands)
    check = commands.add_parser(
        "check-aggregates",
        help="report customers whose stored order aggregates, points or stores differ from a "
             "recompute from their orders and ledger (exit 1 if any)")
    check.add_argument("--fix", action="store_true", help="repair them")
    check.add_argument("--organization", metavar="SLUG", help="only this organization")
    schema = commands.add_parser("print-schema", help="print the GraphQL SDL")
    schema.add_argument("--output", type=Path)

    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.demo)
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return 0
    if args.command == "seed-demo":
        return asyncio.run(_seed_demo(settings, args.customers, args.orders))
    if args.command in ACCESS_COMMANDS:
        try:
            print(asyncio.run(ACCESS_COMMANDS[args.command](settings, args)))
        except access_commands.CommandFailed as failure:
            print(failure, file=sys.stderr)
            return 1
        return 0
    if args.command == "export":
        try:
            print(asyncio.run(export_command.run_export(settings, args)), file=sys.stderr)
        except export_command.CommandFailed as failure:
            print(failure, file=sys.stderr)
            return 1
        return 0
    if args.command == "import":
        return asyncio.run(import_command.run_import(settings, args))
    if args.command == "check-aggregates":
        return asyncio.run(_check_aggregates(settings, args.fix, args.organization))
    if args.command == "print-schema":
        return _print_schema(args.output)
    return 2  # unreachable: argparse requires a command


async def _migrate(settings: Settings) -> None:
    from server.migrate import upgrade

    await upgrade(settings.database_url)


async def _seed_demo(settings: Settings, customers: int, orders: int) -> int:
    from demo.seed import seed_demo
    from models.organizations.table import organization_by_slug
    from server.db import Database

    db = Database.connect(settings.database_url)
    try:
        async with db.admin_session() as session:
            if await organization_by_slug(session, DEMO_SLUG) is not None:
                print(f"organization `{DEMO_SLUG}` already exists", file=sys.stderr)
                return 0
            await seed_demo(session, customers=customers, orders=orders, slug=DEMO_SLUG)
            await session.commit()
        async with db.engine.begin() as connection:
            # Fresh statistics, so that the planner picks the per-customer indexes.
            await connection.execute(text("ANALYZE"))
    finally:
        await db.dispose()
    print(f"seeded `{DEMO_SLUG}`: {customers} customers, {orders} orders", file=sys.stderr)
    return 0


async def _check_aggregates(settings: Settings, fix: bool, slug: str | None) -> int:
    from models.core.tenancy import session_info
    from models.orders.aggregates import find_drift, recompute_aggregates
    from models.organizations.table import organization_by_slug
    from server.db import Database

    db = Database.connect(settings.database_url)
    try:
        if slug is None:
            info = session_info(all_organizations=True)
        else:
            async with db.admin_session() as session:
                org = await organization_by_slug(session, slug)
            if org is None:
                print(f"no organization with slug `{slug}`", file=sys.stderr)
                return 2
            info = session_info(org.id)
        async with db.sessions(info=info) as session:
            drift = await find_drift(session)
            for d in drift:
                print(f"customer {d.customer_id} (organization {d.organization_id}): "
                      + ", ".join(f"{name} stored {getattr(d.stored, name, '?')!s} expected "
                                  f"{getattr(d.expected, name, '?')!s}"
                                  for name in d.fields()))
            if fix and drift:
                await recompute_aggregates(session, [d.customer_id for d in drift])
                await session.commit()
    finally:
        await db.dispose()
    verdict = "repaired" if fix else "differ"
    print(f"{len(drift)} customers {verdict}" if drift else "all aggregates match",
          file=sys.stderr)
    return 1 if drift and not fix else 0


def _serve(settings: Settings, host: str, port: int, demo: bool) -> int:
    import uvicorn

    from server.app import create_app

    if demo:
        asyncio.run(_migrate(settings))
        asyncio.run(_seed_demo(settings, 2000, 10000))
        key = asyncio.run(_demo_key(settings))
        email, password = asyncio.run(access_commands.demo_owner(settings, DEMO_SLUG))
        settings = replace(settings, graphiql_api_key=key)
        print(f"\nDemo API key: {key}\nGraphiQL:     http://{host}:{port}/graphql "
              "(the key is already in its Authorization header)\n"
              f"Demo owner:   organization `{DEMO_SLUG}`, email {email}, password {password}\n"
              "              (for `signIn`; a new password on every start)\n", flush=True)
    app = create_app(settings)
    # The WebSocket for subscriptions on `websockets`' current (sans-I/O) implementation, not
    # its deprecated legacy one that uvicorn would otherwise pick.
    uvicorn.run(app, host=host, port=port, log_level="info", ws="websockets-sansio")
    return 0


async def _demo_key(settings: Settings) -> str:
    from models.access.api_keys import create_api_key
    from models.organizations.table import organization_by_slug
    from server.db import Database

    db = Database.connect(settings.database_url)
    try:
        async with db.admin_session() as session:
            org = await organization_by_slug(session, DEMO_SLUG)
            assert org is not None  # serve --demo seeds it first
            _, plain = await create_api_key(session, org.id, "graphiql demo")
            await session.commit()
    finally:
        await db.dispose()
    return plain


def _print_schema(output: Path | None) -> int:
    from resolvers.schema import schema

    sdl = schema.as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
