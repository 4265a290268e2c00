"""appendTrackingEvents: carrier events in batches, idempotent, all or none."""

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
mutation Ship($number: String!, $shipment: ShipmentInput!) {
  recordShipment(input: {orderNumber: $number, shipment: $shipment}) {
    shipment { id } userErrors { code }
  }
}
"""

APPEND = """
mutation Append($events: [ParcelTrackingEventInput!]!) {
  appendTrackingEvents(input: {events: $events}) {
    shipments { id trackingNumber pickedUpAt events { kind } order { status } }
    userErrors { field code message }
  }
}
"""


async def seed(client: httpx.AsyncClient, token: str, number: str = "PO-1") -> str:
    order = {
        "orderNumber": number,
        "platform": "PDD",
        "amount": "19.90",
        "status": "SHIPPED",
        "confirmedAt": "2026-11-20T10:00:00+08:00",
    }
    await gql_data(client, token, UPSERT, orders=[order])
    parcel = {"trackingNumber": f"YT-{number}", "trackingUploadedAt": "2026-11-21T10:00:00+08:00"}
    data = await gql_data(client, token, RECORD, number=number, shipment=parcel)
    return str(data["recordShipment"]["shipment"]["id"])


def errors(data: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(e["field"], e["code"]) for e in data["appendTrackingEvents"]["userErrors"]]


async def test_appends_by_id_and_number_idempotently(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    shipment_id = await seed(client, token)
    batch = [
        {"shipmentId": shipment_id, "at": "2026-11-21T12:00:00+08:00", "kind": "PICKUP"},
        {"trackingNumber": "YT-PO-1", "at": "2026-11-23T12:00:00+08:00", "kind": "SIGNED"},
        {"trackingNumber": "YT-PO-1", "at": "2026-11-23T12:00:00+08:00", "kind": "SIGNED"},
    ]
    # when
    first = await gql_data(client, token, APPEND, events=batch)
    again = await gql_data(client, token, APPEND, events=batch)
    # then
    assert errors(first) == [] and errors(again) == []
    [shipment] = again["appendTrackingEvents"]["shipments"]
    assert shipment["id"] == shipment_id
    assert [e["kind"] for e in shipment["events"]] == ["PICKUP", "SIGNED"]
    assert shipment["pickedUpAt"] == "2026-11-21T04:00:00+00:00"
    assert shipment["order"]["status"] == "SIGNED"
    assert await count_rows(session, TrackingEvent) == 2
    assert (await session.execute(select(Order.status))).scalar_one() is OrderStatus.SIGNED


async def test_event_before_confirmation_rejects_the_batch(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await seed(client, token)
    batch = [
        {"trackingNumber": "YT-PO-1", "at": "2026-11-22T12:00:00+08:00", "kind": "SORTING_ARRIVAL"},
        {"trackingNumber": "YT-PO-1", "at": "2026-11-19T12:00:00+08:00", "kind": "PICKUP"},
    ]
    # when
    data = await gql_data(client, token, APPEND, events=batch)
    # then
    assert errors(data) == [(["input", "events", "1", "at"], "INCONSISTENT_FACTS")]
    assert "confirmation" in data["appendTrackingEvents"]["userErrors"][0]["message"]
    assert await count_rows(session, TrackingEvent) == 0
    assert (await session.execute(select(Shipment.picked_up_at))).scalar_one() is None


async def test_unknown_parcels_and_missing_names(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given a parcel in shop A, and shop B
    token_a = await make_token(session, await make_shop(session, "a"), Role.INTEGRATION)
    shipment_a = await seed(client, token_a)
    token_b = await make_token(session, await make_shop(session, "b"), Role.INTEGRATION)
    at = "2026-11-22T12:00:00+08:00"
    batch = [
        {"shipmentId": shipment_a, "at": at, "kind": "SIGNED"},
        {"trackingNumber": "YT-PO-1", "at": at, "kind": "SIGNED"},
        {"shipmentId": to_global_id("Order", 1), "at": at, "kind": "SIGNED"},
        {"at": at, "kind": "SIGNED"},
        {"shipmentId": shipment_a, "trackingNumber": "YT-PO-1", "at": at, "kind": "SIGNED"},
    ]
    # when
    data = await gql_data(client, token_b, APPEND, events=batch)
    # then
    assert errors(data) == [
        (["input", "events", "0", "shipmentId"], "NOT_FOUND"),
        (["input", "events", "1", "trackingNumber"], "NOT_FOUND"),
        (["input", "events", "2", "shipmentId"], "NOT_FOUND"),
        (["input", "events", "3", "shipmentId"], "REQUIRED"),
        (["input", "events", "4", "trackingNumber"], "INVALID"),
    ]
    assert await count_rows(session, TrackingEvent) == 0


async def test_too_many_and_forbidden(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.INTEGRATION)
    await seed(client, token)
    agent = await make_token(session, shop, Role.AGENT)
    event = {"trackingNumber": "YT-PO-1", "at": "2026-11-22T12:00:00+08:00", "kind": "SIGNED"}
    # when
    too_many = await gql_data(client, token, APPEND, events=[event] * 501)
    forbidden = await gql_data(client, agent, APPEND, events=[event])
    # then
    assert errors(too_many) == [(["input", "events"], "TOO_MANY")]
    assert errors(forbidden) == [(None, "FORBIDDEN")]
    assert await count_rows(session, TrackingEvent) == 0
