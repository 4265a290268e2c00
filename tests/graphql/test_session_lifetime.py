"""No resolver's database work outlives its request: whatever fails while other
lookups are in flight, the request ends with its session closed and its connection
back in the pool."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db.models import Role
from service.graphql.relay import to_global_id
from tests.conftest import make_shop, make_token
from tests.factories import make_order, make_shipment
from tests.graphql.helpers import gql

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
# base64 of "Order:²": a superscript digit, which str.isdigit() accepts and int() refuses.
SUPERSCRIPT_ID = "T3JkZXI6wrI"


async def _settle() -> None:
    # Give orphaned tasks (siblings of a failed gather) every chance to run.
    for _ in range(20):
        await asyncio.sleep(0)


async def test_failed_lookup_beside_others_returns_the_connection(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given two orders and a request mixing malformed and well-formed ids
    shop = await make_shop(session)
    one = await make_order(session, shop, "O-1")
    two = await make_order(session, shop, "O-2")
    token = await make_token(session, shop, Role.AGENT)
    ids = [
        SUPERSCRIPT_ID,
        to_global_id("Order", one.id),
        SUPERSCRIPT_ID,
        to_global_id("Order", two.id),
    ]
    await session.close()

    # when it is sent many times
    for _ in range(30):
        body = await gql(client, token, NODES, {"ids": ids})
        # then the malformed ids are ids that do not exist, the others resolve
        assert "errors" not in body, body
        assert [n and n["id"] for n in body["data"]["nodes"]] == [None, ids[1], None, ids[3]]
    await _settle()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_lookup_failing_while_a_sibling_batch_runs_leaves_no_connection_out(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given a parcel whose lookup fails in the database, gathered with order lookups
    # that are still waiting for the session when it fails
    shop = await make_shop(session)
    order = await make_order(session, shop, "O-1")
    other = await make_order(session, shop, "O-2")
    parcel = await make_shipment(session, order)
    token = await make_token(session, shop, Role.AGENT)
    await session.close()
    ids = [to_global_id("Shipment", parcel.id), to_global_id("Order", order.id)]
    ids += [to_global_id("Order", other.id)]

    def fail_parcels(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM shipments" in statement:
            raise RuntimeError("injected failure")

    event.listen(engine.sync_engine, "before_cursor_execute", fail_parcels)
    try:
        for _ in range(20):
            body = await gql(client, token, NODES, {"ids": ids})
            # then the request fails as a masked internal error
            codes = [e["extensions"]["code"] for e in body["errors"]]
            assert codes == ["INTERNAL_SERVER_ERROR"], body
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", fail_parcels)
    # and no connection stays checked out, so later requests are served
    await _settle()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    body = await gql(client, token, NODES, {"ids": ids[1:]})
    assert [n["id"] for n in body["data"]["nodes"]] == ids[1:]


BAD_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    (NODES, {"ids": [SUPERSCRIPT_ID, "T3JkZXI6MQ==", "T3JkZXI6MDE", "T3JkZXI64pGg"]}),
    (
        "query($a: String) { orders(after: $a) { totalCount } }",
        {"a": "azF8MjAyNi0xMS0yNFQwMDowMDowMCswMDowMHwxODQ0Njc0NDA3MzcwOTU1MTYxNg"},
    ),
    ("query($s: String) { shipments(filter: {carrier: $s}) { totalCount } }", {"s": "ZT\ud800"}),
    ("query($s: String) { orders(filter: {orderNumber: $s}) { totalCount } }", {"s": "O\x00-1"}),
    (
        "mutation($c: Decimal) { updateShopPolicy(input: {couponAmount: $c})"
        " { userErrors { code } } }",
        {"c": "1e999999999"},
    ),
    (
        "query($t: DateTime) { orders(filter: {confirmedFrom: $t}) { totalCount } }",
        {"t": "9999-12-31T23:59:59-05:00"},
    ),
    ("{ orders { nodes { decision { action } } } shop { slug } }", {}),
]


async def test_every_kind_of_bad_request_beside_good_ones_leaves_the_pool_empty(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given a shop with orders and parcels
    shop = await make_shop(session)
    order = await make_order(session, shop, "O-1")
    await make_shipment(session, order)
    token = await make_token(session, shop, Role.ADMIN)
    await session.close()
    good = (NODES, {"ids": [to_global_id("Order", order.id)] * 3})

    # when bad requests of every kind run concurrently with good lookups
    async def send(query: str, variables: dict[str, Any]) -> httpx.Response:
        return await client.post(
            "/graphql",
            content=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )

    requests = [r for _ in range(5) for r in [*BAD_REQUESTS, good]]
    responses = await asyncio.gather(*(send(q, v) for q, v in requests))

    # then none is an internal error and no connection stays checked out
    for response in responses:
        assert response.status_code == 200, response.text
        codes = [e["extensions"]["code"] for e in response.json().get("errors") or []]
        assert "INTERNAL_SERVER_ERROR" not in codes, response.text
    await _settle()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_read_ends_its_transaction_and_keeps_no_tenant_setting(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine, backend: str
) -> None:
    # given a shop with an order (a read of it closes its session without an explicit
    # rollback; the connection is rolled back on its way back to the pool)
    shop = await make_shop(session)
    order = await make_order(session, shop, "O-1")
    token = await make_token(session, shop, Role.AGENT)
    await session.commit()
    await session.close()

    # when it is read, several times
    for _ in range(3):
        body = await gql(client, token, NODES, {"ids": [to_global_id("Order", order.id)]})
        assert body["data"]["nodes"] == [{"id": to_global_id("Order", order.id)}]

    # then no connection is out, and the next user of a pooled connection is in no
    # transaction and holds none of the request's settings
    await _settle()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    if backend == "postgresql":
        async with engine.connect() as conn:
            shop_setting = text("SELECT current_setting('app.shop_id', true)")
            assert (await conn.execute(shop_setting)).scalar_one() in (None, "")
            idle_in_transaction = text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state LIKE 'idle in transaction%'"
            )
            assert (await conn.execute(idle_in_transaction)).scalar_one() == 0
