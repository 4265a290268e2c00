"""Batches of 500: written set-based, all or nothing, with every user error kept."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import CaseState, Order, Role, TrackingEvent
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import count_rows, gql_data
from tests.graphql.test_mutations_upsert_orders import RECORD_SHIPMENT, UPSERT, order

APPEND = """
mutation Append($events: [ParcelTrackingEventInput!]!) {
  appendTrackingEvents(input: {events: $events}) {
    shipments { id trackingNumber pickedUpAt }
    userErrors { field code message }
  }
}
"""


def errors(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def test_a_batch_of_500_orders_is_stored_with_its_case_states(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    batch = [order(f"PO-{i}", amount=f"{10 + i}.00") for i in range(500)]
    # when
    data = (await gql_data(client, token, UPSERT, orders=batch))["upsertOrders"]
    # then
    assert errors(data) == []
    assert [o["orderNumber"] for o in data["orders"]] == [f"PO-{i}" for i in range(500)]
    assert data["orders"][499]["amount"] == "509.00"
    assert await count_rows(session, Order) == 500
    states = (await session.execute(select(CaseState.order_id))).scalars().all()
    assert len(set(states)) == 500


async def test_an_error_in_row_499_rejects_the_whole_batch(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given a batch whose last order is confirmed after its group formed... backwards
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    batch = [order(f"PO-{i}") for i in range(499)]
    batch.append(order("PO-499", groupFormedAt="2026-11-19T10:00:00+08:00"))
    # when
    data = (await gql_data(client, token, UPSERT, orders=batch))["upsertOrders"]
    # then
    assert errors(data) == [(["input", "orders", "499", "groupFormedAt"], "INCONSISTENT_FACTS")]
    assert data["orders"] == []
    assert await count_rows(session, Order) == 0
    assert await count_rows(session, CaseState) == 0


async def test_a_batch_mixing_inserts_and_updates(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given 250 stored orders
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    first = await gql_data(client, token, UPSERT, orders=[order(f"PO-{i}") for i in range(250)])
    ids = {o["orderNumber"]: o["id"] for o in first["upsertOrders"]["orders"]}
    # when 500 orders come, the first 250 of them updated (shipped, new amount)
    batch = [
        order(f"PO-{i}", amount="30.00", status="SHIPPED") if i < 250 else order(f"PO-{i}")
        for i in range(500)
    ]
    data = (await gql_data(client, token, UPSERT, orders=batch))["upsertOrders"]
    # then the stored ones keep their ids and take the new values; the rest are new
    assert errors(data) == []
    out = data["orders"]
    assert all(out[i]["id"] == ids[f"PO-{i}"] for i in range(250))
    assert not {o["id"] for o in out[250:]} & set(ids.values())
    assert {(o["amount"], o["status"]) for o in out[:250]} == {("30.00", "SHIPPED")}
    assert {(o["amount"], o["status"]) for o in out[250:]} == {("19.90", "AWAITING_SHIPMENT")}
    assert await count_rows(session, Order) == 500
    statuses = (
        await session.execute(select(Order.status).where(Order.order_number == "PO-0"))
    ).scalar_one()
    assert statuses.value == "SHIPPED"


async def test_500_tracking_events_are_appended_at_once_and_an_error_rejects_all(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given 5 shipped orders, each with a parcel
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    shipped = [order(f"PO-{i}", status="SHIPPED") for i in range(5)]
    await gql_data(client, token, UPSERT, orders=shipped)
    for i in range(5):
        ship = {
            "carrier": "YTO",
            "trackingNumber": f"YT{i:04d}",
            "trackingUploadedAt": "2026-11-20T12:00:00+08:00",
        }
        got = await gql_data(client, token, RECORD_SHIPMENT, number=f"PO-{i}", shipment=ship)
        assert got["recordShipment"]["userErrors"] == []
    events = [
        {
            "trackingNumber": f"YT{k % 5:04d}",
            "at": f"2026-11-{21 + (k // 5) // 60:02d}T{((k // 5) % 60) // 6:02d}:"
            f"{(k // 5) % 60:02d}:00+08:00",
            "kind": "SORTING_ARRIVAL",
            "place": f"hub {k}",
        }
        for k in range(500)
    ]
    bad = [*events[:499], {**events[499], "trackingNumber": "NOPE"}]
    # when
    rejected = (await gql_data(client, token, APPEND, events=bad))["appendTrackingEvents"]
    stored_after_reject = await count_rows(session, TrackingEvent)
    data = (await gql_data(client, token, APPEND, events=events))["appendTrackingEvents"]
    again = (await gql_data(client, token, APPEND, events=events))["appendTrackingEvents"]
    # then
    assert errors(rejected) == [(["input", "events", "499", "trackingNumber"], "NOT_FOUND")]
    assert stored_after_reject == 0
    assert errors(data) == []
    assert [s["trackingNumber"] for s in data["shipments"]] == [f"YT{i:04d}" for i in range(5)]
    assert errors(again) == []
    assert await count_rows(session, TrackingEvent) == 500
