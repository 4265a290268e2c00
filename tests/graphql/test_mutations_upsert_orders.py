"""upsertOrders: insert or update a batch of orders, all or none."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Order, Role, Shipment
from service.decision.facts import Platform
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import count_rows, gql_data

UPSERT = """
mutation Upsert($orders: [OrderInput!]!) {
  upsertOrders(input: {orders: $orders}) {
    orders { id orderNumber amount status confirmedAt }
    userErrors { field code message }
  }
}
"""

RECORD_SHIPMENT = """
mutation Ship($number: String!, $shipment: ShipmentInput!) {
  recordShipment(input: {orderNumber: $number, shipment: $shipment}) {
    shipment { id }
    userErrors { field code message }
  }
}
"""


def order(number: str = "PO-1", **over: Any) -> dict[str, Any]:
    return {
        "orderNumber": number,
        "platform": "PDD",
        "amount": "19.90",
        "status": "AWAITING_SHIPMENT",
        "confirmedAt": "2026-11-20T10:00:00+08:00",
        **over,
    }


async def test_inserts_then_updates_by_order_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    # when
    first = await gql_data(client, token, UPSERT, orders=[order("PO-1"), order("PO-2")])
    second = await gql_data(
        client, token, UPSERT, orders=[order("PO-1", amount="25.00", status="SHIPPED")]
    )
    # then
    assert first["upsertOrders"]["userErrors"] == []
    assert [o["orderNumber"] for o in first["upsertOrders"]["orders"]] == ["PO-1", "PO-2"]
    updated = second["upsertOrders"]["orders"][0]
    assert updated["id"] == first["upsertOrders"]["orders"][0]["id"]
    assert (updated["amount"], updated["status"]) == ("25.00", "SHIPPED")
    assert updated["confirmedAt"] == "2026-11-20T02:00:00+00:00"
    assert await count_rows(session, Order) == 2
    row = (await session.execute(select(Order).where(Order.order_number == "PO-1"))).scalar_one()
    assert str(row.amount) == "25.00"


async def test_too_many_orders(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    # when
    data = await gql_data(client, token, UPSERT, orders=[order(f"PO-{i}") for i in range(501)])
    # then
    errors = data["upsertOrders"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "orders"], "TOO_MANY")]
    assert await count_rows(session, Order) == 0


async def test_duplicate_wrong_platform_and_bad_amount_reject_the_whole_batch(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    batch = [order("PO-1"), order("PO-1"), order("PO-3", platform="KUAISHOU")]
    # when
    data = await gql_data(client, token, UPSERT, orders=batch)
    bad_amount = await gql_data(
        client, token, UPSERT, orders=[order("PO-4"), order("PO-5", amount="1.234")]
    )
    # then
    errors = {(tuple(e["field"]), e["code"]) for e in data["upsertOrders"]["userErrors"]}
    assert errors == {
        (("input", "orders", "1", "orderNumber"), "DUPLICATE"),
        (("input", "orders", "2", "platform"), "INVALID"),
    }
    assert data["upsertOrders"]["orders"] == []
    assert [(e["field"], e["code"]) for e in bad_amount["upsertOrders"]["userErrors"]] == [
        (["input", "orders", "1", "amount"], "INVALID")
    ]
    assert await count_rows(session, Order) == 0


async def test_inconsistent_order_facts(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given: group formed before the order was confirmed
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    bad = order("PO-2", groupFormedAt="2026-11-19T10:00:00+08:00")
    # when
    data = await gql_data(client, token, UPSERT, orders=[order("PO-1"), bad])
    # then
    assert [(e["field"], e["code"]) for e in data["upsertOrders"]["userErrors"]] == [
        (["input", "orders", "1", "groupFormedAt"], "INCONSISTENT_FACTS")
    ]
    assert await count_rows(session, Order) == 0


async def test_update_may_not_contradict_the_stored_shipment(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given an order shipped on the 21st
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await gql_data(client, token, UPSERT, orders=[order("PO-1")])
    shipped = {"trackingNumber": "YT1", "trackingUploadedAt": "2026-11-21T10:00:00+08:00"}
    ship = await gql_data(client, token, RECORD_SHIPMENT, number="PO-1", shipment=shipped)
    assert ship["recordShipment"]["userErrors"] == []
    # when the order is re-sent as confirmed on the 22nd
    data = await gql_data(
        client, token, UPSERT, orders=[order("PO-1", confirmedAt="2026-11-22T10:00:00+08:00")]
    )
    # then
    errors = data["upsertOrders"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "orders", "0", "confirmedAt"], "INCONSISTENT_FACTS")
    ]
    assert "tracking_uploaded_at" in errors[0]["message"]
    row = (await session.execute(select(Order))).scalar_one()
    assert row.confirmed_at.isoformat() == "2026-11-20T02:00:00+00:00"
    assert await count_rows(session, Shipment) == 1


async def test_agent_token_is_forbidden(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.AGENT)
    # when
    data = await gql_data(client, token, UPSERT, orders=[order()])
    # then
    assert [(e["field"], e["code"]) for e in data["upsertOrders"]["userErrors"]] == [
        (None, "FORBIDDEN")
    ]
    assert await count_rows(session, Order) == 0


async def test_same_order_number_in_two_shops_is_two_orders(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token_a = await make_token(session, await make_shop(session, "a"), Role.INTEGRATION)
    token_b = await make_token(
        session, await make_shop(session, "b", Platform.KUAISHOU), Role.ADMIN
    )
    # when
    await gql_data(client, token_a, UPSERT, orders=[order("PO-1")])
    data = await gql_data(client, token_b, UPSERT, orders=[order("PO-1", platform="KUAISHOU")])
    # then
    assert data["upsertOrders"]["userErrors"] == []
    assert await count_rows(session, Order) == 2
