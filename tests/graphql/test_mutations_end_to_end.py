"""A day of ingest: 100 orders in one call, parcels, then a batch of tracking events."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Order, Role, Shipment, TrackingEvent
from service.decision.facts import OrderStatus
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import count_rows, gql_data

UPSERT = """
mutation Upsert($orders: [OrderInput!]!) {
  upsertOrders(input: {orders: $orders}) { orders { id } userErrors { field code message } }
}
"""

RECORD = """
mutation Ship($number: String!, $shipment: ShipmentInput!) {
  recordShipment(input: {orderNumber: $number, shipment: $shipment}) {
    shipment { id } userErrors { field code message }
  }
}
"""

APPEND = """
mutation Append($events: [ParcelTrackingEventInput!]!) {
  appendTrackingEvents(input: {events: $events}) {
    shipments { id } userErrors { field code message }
  }
}
"""


async def test_a_day_of_orders_and_tracking(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given 100 orders of the day and 20 parcels
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    orders = [
        {
            "orderNumber": f"PO-{i:03}",
            "platform": "PDD",
            "amount": f"{10 + i}.90",
            "status": "SHIPPED" if i < 20 else "AWAITING_SHIPMENT",
            "confirmedAt": f"2026-11-20T{i % 24:02}:{i % 60:02}:00+08:00",
        }
        for i in range(100)
    ]
    upserted = await gql_data(client, token, UPSERT, orders=orders)
    assert upserted["upsertOrders"]["userErrors"] == []
    for i in range(20):
        parcel = {"trackingNumber": f"YT{i:03}", "trackingUploadedAt": "2026-11-21T08:00:00+08:00"}
        shipped = await gql_data(client, token, RECORD, number=f"PO-{i:03}", shipment=parcel)
        assert shipped["recordShipment"]["userErrors"] == []
    events = [
        {"trackingNumber": f"YT{i:03}", "at": f"2026-11-21T{10 + k}:00:00+08:00", "kind": kind}
        for i in range(20)
        for k, kind in enumerate(["PICKUP", "SORTING_ARRIVAL", "SORTING_DEPARTURE", "SIGNED"])
    ]
    # when
    appended = await gql_data(client, token, APPEND, events=events)
    again = await gql_data(client, token, APPEND, events=events)
    # then
    assert appended["appendTrackingEvents"]["userErrors"] == []
    assert len(appended["appendTrackingEvents"]["shipments"]) == 20
    assert again["appendTrackingEvents"]["userErrors"] == []
    assert await count_rows(session, Order) == 100
    assert await count_rows(session, Shipment) == 20
    assert await count_rows(session, TrackingEvent) == 80
    signed = await session.execute(
        select(func.count()).select_from(Order).where(Order.status == OrderStatus.SIGNED)
    )
    assert signed.scalar_one() == 20
