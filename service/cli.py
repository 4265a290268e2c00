"""The ``aftersales`` command: serve, migrate, seed-demo, refresh, token create, rules."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from service import gc_tuning
from service.config import ConfigError, Settings, load_settings
from service.db.engine import create_engine, create_sessionmaker


class CommandError(Exception):
    """A failure the user can fix; printed as one line, no traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        return int(args.handler(args, settings) or 0)
    except (ConfigError, CommandError) as exc:
        print(f"aftersales: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        # Reachable but not usable: most often a database that was never migrated.
        print(
            f"aftersales: database error ({_one_line(exc.orig or exc)}); "
            "has `aftersales migrate` been run on AFTERSALES_DATABASE_URL?",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aftersales", description="After-sales decision service for PDD and Kuaishou shops."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the GraphQL server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--demo", action="store_true", help="migrate, load demo data and print a demo token first"
    )
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="upgrade the database schema to the latest")
    migrate.set_defaults(handler=_migrate)

    seed = commands.add_parser("seed-demo", help="load the demo shops and cases (idempotent)")
    seed.set_defaults(handler=_seed_demo)

    refresh = commands.add_parser(
        "refresh", help="recompute stale case states (run as a CronJob, or after a bulk load)"
    )
    refresh.add_argument(
        "--all", action="store_true", help="recompute every case of every shop, with progress"
    )
    refresh.set_defaults(handler=_refresh)

    worker = commands.add_parser(
        "worker", help="deliver webhooks and refresh stale case states, until SIGTERM"
    )
    worker.add_argument(
        "--health-port", type=int, default=None, help="answer GET /healthz on this port"
    )
    worker.set_defaults(handler=_worker)

    token = commands.add_parser("token", help="manage API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create a token and print it once")
    create.add_argument("--shop", required=True, help="shop slug")
    create.add_argument("--role", required=True, choices=["agent", "integration", "admin"])
    create.add_argument("--name", default="cli", help="label to tell tokens apart")
    create.set_defaults(handler=_token_create)

    shop = commands.add_parser("shop", help="manage shops")
    shop_commands = shop.add_subparsers(dest="shop_command", required=True, metavar="ACTION")
    add = shop_commands.add_parser("create", help="create a shop")
    add.add_argument("--slug", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--platform", required=True, choices=["PDD", "KUAISHOU"])
    add.set_defaults(handler=_shop_create)

    grouped = commands.add_parser(
        "groups", help="print a shop's open queue grouped by action, carrier and place"
    )
    grouped.add_argument("--shop", required=True, help="shop slug")
    grouped.add_argument("--locale", choices=["zh-CN", "en"], default="zh-CN")
    grouped.set_defaults(handler=_groups)

    rules = commands.add_parser("rules", help="print the decision rule table")
    rules.set_defaults(handler=_rules)
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from service.app import create_app
    from service.observability.logging import configure_logging
    from service.server import run

    if not 0 < args.port < 65536:
        raise CommandError(f"--port must be between 1 and 65535, got {args.port}")
    configure_logging(settings.log_level)
    token: str | None = None
    if args.demo:
        agents = asyncio.run(_prepare_demo(settings))
        token = agents[0][1]
        print(f"Demo data loaded into {settings.url.render_as_string(hide_password=True)}")
        print(f"Demo token: {token}")
        for name, other in agents[1:]:
            print(f"Demo agent {name}: {other}")
    else:
        asyncio.run(_check_database(settings))
    if settings.graphiql:
        where = "the demo token is in" if token is not None else "put a token in"
        address = f"http://{_url_host(args.host)}:{args.port}/graphql"
        print(f"GraphiQL:   {address} (works offline; {where} its Headers tab)")
    workbench = f"http://{_url_host(args.host)}:{args.port}/app/"
    sign_in = "sign in with the demo link" if token is not None else "sign in with a token"
    print(f"Workbench:  {workbench} (works offline; {sign_in})")
    sys.stdout.flush()  # the address shows now, also when stdout is a pipe
    app = create_app(settings, demo_token=token)
    run(app, host=args.host, port=args.port, settings=settings)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from service.events.worker import run_worker
    from service.observability.logging import configure_logging

    if args.health_port is not None and not 0 < args.health_port < 65536:
        raise CommandError(f"--health-port must be between 1 and 65535, got {args.health_port}")
    configure_logging(settings.log_level)
    asyncio.run(_check_database(settings))
    asyncio.run(run_worker(settings, args.health_port))
    return 0


def _url_host(host: str) -> str:
    """The host as it goes in a URL a browser can open from this machine."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


async def _check_database(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise CommandError(
            f"cannot reach the database AFTERSALES_DATABASE_URL="
            f"{settings.url.render_as_string(hide_password=True)}: {_one_line(exc)}"
        ) from None
    finally:
        await engine.dispose()


def _one_line(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0] if message else ''}".rstrip(": ")


async def _prepare_demo(settings: Settings) -> list[tuple[str, str]]:
    """Migrate, seed, and give every demo agent a fresh token: (name, token), the first
    being the demo token the workbench's demo link signs in with."""
    from service.db.migrations import upgrade_async
    from service.demo import DEMO_TOKEN_NAME, demo_agent_tokens, seed_demo
    from service.store import shops, tokens

    await _check_database(settings)
    engine = create_engine(settings)
    try:
        await upgrade_async(engine)
        async with create_sessionmaker(engine).begin() as session:
            await seed_demo(session)
            shop = await shops.get_by_slug(session, "demo-pdd")
            assert shop is not None
            # The shop-level demo token of earlier releases goes: the demo signs in as a person.
            await tokens.revoke_named(session, shop, DEMO_TOKEN_NAME)
            return await demo_agent_tokens(session, shop)
    finally:
        await engine.dispose()


def _migrate(_: argparse.Namespace, settings: Settings) -> int:
    from service.db.migrations import upgrade_async

    async def go() -> None:
        await _check_database(settings)
        engine = create_engine(settings)
        try:
            await upgrade_async(engine)
        finally:
            await engine.dispose()

    asyncio.run(go())
    print("database is at the latest migration")
    return 0


def _seed_demo(_: argparse.Namespace, settings: Settings) -> int:
    from service.demo import seed_demo

    async def go() -> int:
        await _check_database(settings)
        engine = create_engine(settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                return await seed_demo(session)
        finally:
            await engine.dispose()

    created = asyncio.run(go())
    print(f"demo data ready ({created} new orders)")
    return 0


def _refresh(args: argparse.Namespace, settings: Settings) -> int:
    from service.store.refresher import Refresher, refresh_all

    def progress(done: int, total: int, seconds: float) -> None:
        rate = done / seconds if seconds > 0 else 0.0
        print(f"{done}/{total} orders ({rate:.0f}/s)", flush=True)

    async def go() -> int:
        await _check_database(settings)
        engine = create_engine(settings)
        gc_tuning.freeze_startup_objects(settings.gc_freeze)  # a full pass is long-running too
        try:
            sessionmaker = create_sessionmaker(engine)
            if args.all:
                return await refresh_all(sessionmaker, progress, lanes=settings.refresher_lanes)
            return await Refresher(sessionmaker, lanes=settings.refresher_lanes).run_once()
        finally:
            await engine.dispose()

    done = asyncio.run(go())
    print(f"case states current ({done} orders recomputed)")
    return 0


def _token_create(args: argparse.Namespace, settings: Settings) -> int:
    from service.db.models import Role
    from service.store import shops, tokens

    async def go() -> str:
        await _check_database(settings)
        engine = create_engine(settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                shop = await shops.get_by_slug(session, args.shop)
                if shop is None:
                    raise CommandError(f"--shop: no shop with slug {args.shop!r}")
                return await tokens.create_token(session, shop, Role(args.role), args.name)
        finally:
            await engine.dispose()

    print(asyncio.run(go()))
    return 0


def _groups(args: argparse.Namespace, settings: Settings) -> int:
    from service.team.report import print_groups

    async def go() -> str:
        await _check_database(settings)
        engine = create_engine(settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                text = await print_groups(session, args.shop, args.locale, settings)
                if text is None:
                    raise CommandError(f"--shop: no shop with slug {args.shop!r}")
                return text
        finally:
            await engine.dispose()

    print(asyncio.run(go()), end="")
    return 0


def _shop_create(args: argparse.Namespace, settings: Settings) -> int:
    from service.db.models import Shop
    from service.decision.facts import Platform
    from service.store import shops

    async def go() -> None:
        await _check_database(settings)
        engine = create_engine(settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                if await shops.get_by_slug(session, args.slug) is not None:
                    raise CommandError(f"--slug: a shop {args.slug!r} exists already")
                session.add(Shop(slug=args.slug, name=args.name, platform=Platform(args.platform)))
        finally:
            await engine.dispose()

    asyncio.run(go())
    print(f"shop {args.slug} created")
    return 0


def _rules(_: argparse.Namespace, __: Settings) -> int:
    from service.decision.table import render_rule_table

    print(render_rule_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
