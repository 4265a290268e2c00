"""PostgreSQL row-level security: a request's transactions see and change only the
caller's shop, even through a query that forgets its shop filter (service/db/tenancy.py)."""

from __future__ import annotations

from typing import Any, cast

import httpx
import pytest
from sqlalchemy import CursorResult, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db import tenancy
from service.db.engine import create_sessionmaker
from service.db.models import Order, Role, Shop
from tests.conftest import make_shop, make_token
from tests.factories import make_order
from tests.graphql.helpers import UPSERT_ORDERS, count_statements, gql_data

# Row-level security is PostgreSQL's; SQLite has no roles to enforce it with.
pytestmark = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


async def _two_shops(session: AsyncSession) -> tuple[int, int]:
    a = await make_shop(session, "shop-a")
    b = await make_shop(session, "shop-b")
    await make_order(session, a, "A-1")
    await make_order(session, b, "B-1")
    await session.commit()
    return a.id, b.id


async def test_every_table_holding_shop_rows_has_a_policy(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        tables = (
            await conn.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity,"
                    " EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname"
                    "         AND p.schemaname = current_schema()"
                    f"         AND '{tenancy.TENANT_ROLE}' = ANY (p.roles))"
                    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND ("
                    "   c.relname = 'shops' OR EXISTS (SELECT 1 FROM information_schema.columns"
                    "   WHERE table_schema = current_schema() AND table_name = c.relname"
                    "   AND column_name = 'shop_id'))"
                )
            )
        ).all()
    assert {"shops", "orders", "refund_requests", "case_states", "api_tokens"} <= {
        t[0] for t in tables
    }
    unprotected = [name for name, enabled, policy in tables if not (enabled and policy)]
    assert unprotected == [], f"tables with shop rows but no row-level security: {unprotected}"


async def test_a_query_that_forgets_its_shop_filter_sees_only_the_callers_shop(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    # given two shops with an order each
    a, _ = await _two_shops(session)
    # when a session scoped to shop A reads and updates orders with no shop filter
    async with create_sessionmaker(engine)() as scoped:
        tenancy.scope(scoped, a)
        numbers = (await scoped.execute(select(Order.order_number))).scalars().all()
        changed = cast(
            CursorResult[Any], await scoped.execute(update(Order).values(remote_destination=True))
        )
        await scoped.commit()
    # then it saw and changed shop A's order alone
    assert numbers == ["A-1"]
    assert changed.rowcount == 1
    async with create_sessionmaker(engine)() as service:  # the service's own role
        rows = await service.execute(select(Order.order_number, Order.remote_destination))
        flags = {number: flag for number, flag in rows.all()}
    assert flags == {"A-1": True, "B-1": False}


async def test_a_scoped_session_cannot_write_a_row_of_another_shop(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    a, b = await _two_shops(session)
    async with create_sessionmaker(engine)() as scoped:
        tenancy.scope(scoped, a)
        with pytest.raises(DBAPIError, match="row-level security"):
            await scoped.execute(
                text(
                    "INSERT INTO orders (shop_id, order_number, platform, amount_cents, status,"
                    " confirmed_at, can_fulfil, return_address_complete, remote_destination,"
                    " force_majeure_exempt, created_at, updated_at) VALUES (:shop, 'X-1', 'PDD',"
                    " 100, 'AWAITING_SHIPMENT', now(), true, true, false, false, now(), now())"
                ),
                {"shop": b},
            )


async def test_the_tenant_role_without_a_shop_sees_nothing(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    await _two_shops(session)
    async with engine.begin() as conn:
        await conn.execute(text(f"SELECT set_config('role', '{tenancy.TENANT_ROLE}', true)"))
        assert await conn.scalar(select(func.count()).select_from(Order)) == 0


async def test_each_request_transaction_runs_as_the_callers_shop(
    client: httpx.AsyncClient, engine: AsyncEngine, session: AsyncSession
) -> None:
    a, _ = await _two_shops(session)
    token = await make_token(session, await session.get_one(Shop, a), Role.ADMIN)
    with count_statements(engine, tenancy=True) as statements:
        data = await gql_data(client, token, "{ orders(first: 10) { nodes { orderNumber } } }")
    assert [n["orderNumber"] for n in data["orders"]["nodes"]] == ["A-1"]
    preludes = [s for s in statements if "set_config('role'" in s]
    # one transaction (token lookup, then the shop's reads): scoped once, before reading
    assert len(preludes) == 1
    first_read = next(i for i, s in enumerate(statements) if "FROM orders" in s)
    assert statements.index(preludes[0]) < first_read


async def test_a_mutations_savepoint_is_not_scoped_again(
    client: httpx.AsyncClient, engine: AsyncEngine, session: AsyncSession
) -> None:
    # given a token of shop A
    a, _ = await _two_shops(session)
    token = await make_token(session, await session.get_one(Shop, a), Role.ADMIN)
    # when a mutation writes (in a savepoint inside the request's transaction)
    order = {
        "orderNumber": "A-2",
        "platform": "PDD",
        "amount": "10.00",
        "status": "AWAITING_SHIPMENT",
        "confirmedAt": "2026-01-01T00:00:00Z",
    }
    with count_statements(engine, tenancy=True) as statements:
        data = await gql_data(client, token, UPSERT_ORDERS, orders=[order])
    assert data["upsertOrders"]["userErrors"] == []
    # then the transaction was scoped once, before its savepoint, which inherits it
    preludes = [i for i, s in enumerate(statements) if "set_config('role'" in s]
    savepoint = next(i for i, s in enumerate(statements) if s.startswith("SAVEPOINT"))
    assert len(preludes) == 1 and preludes[0] < savepoint
    # and what the savepoint wrote is the caller's shop's
    async with create_sessionmaker(engine)() as service:
        shop = await service.scalar(select(Order.shop_id).where(Order.order_number == "A-2"))
    assert shop == a


async def test_a_request_transaction_plans_without_parallel_workers(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    # given a session scoped to a shop
    a, _ = await _two_shops(session)
    async with create_sessionmaker(engine)() as scoped:
        tenancy.scope(scoped, a)
        setting = text("SELECT current_setting('max_parallel_workers_per_gather')")
        # then each of its transactions takes no parallel plan: its statements are small
        # and a parallel worker costs milliseconds to start
        assert (await scoped.execute(setting)).scalar_one() == "0"
        await scoped.commit()
        assert (await scoped.execute(setting)).scalar_one() == "0"
