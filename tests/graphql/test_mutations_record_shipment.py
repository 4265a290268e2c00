"""recordShipment: a parcel for an order, with its events."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Order, Role, Shipment, TrackingEvent
from service.decision.facts import OrderStatus
from service.graphql.relay import to_global_id
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import count_rows, gql_data

UPSERT = """
mutation Upsert($orders: [OrderInput!]!) {
  upsertOrders(input: {orders: $orders}) { orders { id } userErrors { code } }
}
"""

RECORD = """
mutation Ship($orderId: ID, $number: String, $shipmentId: ID, $shipment: ShipmentInput!) {
  recordShipment(
    input: {orderId: $orderId, orderNumber: $number, shipmentId: $shipmentId, shipment: $shipment}
  ) {
    shipment { id trackingNumber pickedUpAt carrier events { at kind place } order { status } }
    userErrors { field code message }
  }
}
"""

UPLOADED = "2026-11-21T10:00:00+08:00"


async def seed(client: httpx.AsyncClient, token: str, status: str = "AWAITING_SHIPMENT") -> str:
    order = {
        "orderNumber": "PO-1",
        "platform": "PDD",
        "amount": "19.90",
        "status": status,
        "confirmedAt": "2026-11-20T10:00:00+08:00",
    }
    data = await gql_data(client, token, UPSERT, orders=[order])
    return str(data["upsertOrders"]["orders"][0]["id"])


def errors(data: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(e["field"], e["code"]) for e in data["recordShipment"]["userErrors"]]


async def test_records_a_parcel_with_events_then_updates_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    order_id = await seed(client, token, "SHIPPED")
    events = [
        {"at": "2026-11-21T12:00:00+08:00", "kind": "PICKUP", "place": "金华"},
        {"at": "2026-11-22T12:00:00+08:00", "kind": "SORTING_ARRIVAL"},
    ]
    parcel = {
        "carrier": "YTO",
        "trackingNumber": "YT1",
        "trackingUploadedAt": UPLOADED,
        "events": events,
    }
    # when
    first = await gql_data(client, token, RECORD, orderId=order_id, shipment=parcel)
    shipment_id = first["recordShipment"]["shipment"]["id"]
    signed = [*events, {"at": "2026-11-23T12:00:00+08:00", "kind": "SIGNED"}]
    second = await gql_data(
        client,
        token,
        RECORD,
        number="PO-1",
        shipmentId=shipment_id,
        shipment={"trackingNumber": "YT1", "events": signed},
    )
    # then
    assert errors(first) == [] and errors(second) == []
    shipment = second["recordShipment"]["shipment"]
    assert shipment["id"] == shipment_id
    assert shipment["carrier"] == "YTO"  # null keeps the stored value
    assert shipment["pickedUpAt"] == "2026-11-21T04:00:00+00:00"  # from the PICKUP event
    assert [e["kind"] for e in shipment["events"]] == ["PICKUP", "SORTING_ARRIVAL", "SIGNED"]
    assert shipment["order"]["status"] == "SIGNED"
    assert await count_rows(session, Shipment) == 1
    assert await count_rows(session, TrackingEvent) == 3
    assert (await session.execute(select(Order.status))).scalar_one() is OrderStatus.SIGNED


async def test_order_must_be_named_exactly_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    order_id = await seed(client, token)
    # when
    neither = await gql_data(client, token, RECORD, shipment={})
    both = await gql_data(client, token, RECORD, orderId=order_id, number="PO-1", shipment={})
    # then
    assert errors(neither) == [(["input", "orderId"], "REQUIRED")]
    assert errors(both) == [(["input", "orderNumber"], "INVALID")]
    assert await count_rows(session, Shipment) == 0


async def test_inconsistent_parcel_is_rejected_with_paths(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await seed(client, token)
    parcel = {
        "trackingUploadedAt": UPLOADED,
        "pickedUpAt": "2026-11-21T09:00:00+08:00",  # pickup before upload
        "events": [
            {"at": "2026-11-22T10:00:00+08:00", "kind": "SORTING_ARRIVAL"},
            {"at": "2026-11-19T10:00:00+08:00", "kind": "PICKUP"},  # before confirmation
        ],
    }
    # when
    data = await gql_data(client, token, RECORD, number="PO-1", shipment=parcel)
    unshipped = await gql_data(
        client,
        token,
        RECORD,
        number="PO-1",
        shipment={"events": [{"at": "2026-11-22T10:00:00+08:00", "kind": "SIGNED"}]},
    )
    # then
    assert set(map(str, errors(data))) == {
        str((["input", "shipment", "pickedUpAt"], "INCONSISTENT_FACTS")),
        str((["input", "shipment", "events", "1", "at"], "INCONSISTENT_FACTS")),
    }
    assert errors(unshipped) == [(["input", "shipment", "events"], "INCONSISTENT_FACTS")]
    assert await count_rows(session, Shipment) == 0
    assert await count_rows(session, TrackingEvent) == 0


async def test_ids_of_another_shop_or_type_are_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given a parcel in shop A
    token_a = await make_token(session, await make_shop(session, "a"), Role.INTEGRATION)
    order_a = await seed(client, token_a)
    shipped = await gql_data(
        client, token_a, RECORD, orderId=order_a, shipment={"trackingUploadedAt": UPLOADED}
    )
    shipment_a = shipped["recordShipment"]["shipment"]["id"]
    token_b = await make_token(session, await make_shop(session, "b"), Role.INTEGRATION)
    order_b = await seed(client, token_b)
    # when
    foreign_order = await gql_data(client, token_b, RECORD, orderId=order_a, shipment={})
    wrong_type = await gql_data(
        client, token_b, RECORD, orderId=to_global_id("Shipment", 1), shipment={}
    )
    garbage = await gql_data(client, token_b, RECORD, orderId="not-an-id", shipment={})
    missing = await gql_data(
        client, token_b, RECORD, orderId=to_global_id("Order", 10**9), shipment={}
    )
    foreign_shipment = await gql_data(
        client, token_b, RECORD, orderId=order_b, shipmentId=shipment_a, shipment={}
    )
    # then
    for data in (foreign_order, wrong_type, garbage, missing):
        assert errors(data) == [(["input", "orderId"], "NOT_FOUND")]
    assert errors(foreign_shipment) == [(["input", "shipmentId"], "NOT_FOUND")]
    assert await count_rows(session, Shipment) == 1


async def test_agent_token_is_forbidden(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    shop = await make_shop(session)
    await seed(client, await make_token(session, shop, Role.INTEGRATION))
    agent = await make_token(session, shop, Role.AGENT)
    # when
    data = await gql_data(client, agent, RECORD, number="PO-1", shipment={"trackingNumber": "YT1"})
    # then
    assert errors(data) == [(None, "FORBIDDEN")]
    assert await count_rows(session, Shipment) == 0
