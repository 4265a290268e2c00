"""upsertShipments: parcels in batches, keyed by order number and tracking number."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import CaseState, Order, Role, Shipment, TrackingEvent
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import count_rows, gql_data
from tests.graphql.test_mutations_upsert_orders import UPSERT, order

UPSERT_SHIPMENTS = """
mutation Ship($shipments: [ShipmentUpsertInput!]!) {
  upsertShipments(input: {shipments: $shipments}) {
    shipments { id trackingNumber carrier pickedUpAt }
    userErrors { field code message }
  }
}
"""


def parcel(number: str, tracking: str | None, **over: Any) -> dict[str, Any]:
    return {
        "orderNumber": number,
        "shipment": {
            "carrier": "YTO",
            "trackingNumber": tracking,
            "trackingUploadedAt": "2026-11-20T12:00:00+08:00",
            **over,
        },
    }


def errors(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def stored_orders(client: httpx.AsyncClient, token: str, n: int) -> None:
    batch = [order(f"PO-{i}", status="SHIPPED") for i in range(n)]
    assert (await gql_data(client, token, UPSERT, orders=batch))["upsertOrders"]["userErrors"] == []


async def test_500_parcels_inserted_then_updated_and_inserted_in_one_batch(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given 500 shipped orders, and parcels for the first 300
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await stored_orders(client, token, 500)
    first = await gql_data(
        client,
        token,
        UPSERT_SHIPMENTS,
        shipments=[parcel(f"PO-{i}", f"YT{i:05d}") for i in range(300)],
    )
    ids = [s["id"] for s in first["upsertShipments"]["shipments"]]
    # when all 500 come: the first 300 picked up (an update), the rest new, with a SIGNED event
    pickup = {
        "events": [{"at": "2026-11-21T09:00:00+08:00", "kind": "PICKUP", "place": "Hangzhou"}]
    }
    batch = [
        parcel(f"PO-{i}", f"YT{i:05d}", carrier=None, **pickup)
        if i < 300
        else parcel(
            f"PO-{i}",
            f"YT{i:05d}",
            events=[{"at": "2026-11-22T09:00:00+08:00", "kind": "SIGNED", "place": ""}],
        )
        for i in range(500)
    ]
    data = (await gql_data(client, token, UPSERT_SHIPMENTS, shipments=batch))["upsertShipments"]
    # then
    assert errors(first["upsertShipments"]) == []
    assert errors(data) == []
    out = data["shipments"]
    assert [s["id"] for s in out[:300]] == ids
    assert not {s["id"] for s in out[300:]} & set(ids)
    assert [s["trackingNumber"] for s in out] == [f"YT{i:05d}" for i in range(500)]
    assert {(s["carrier"], s["pickedUpAt"]) for s in out[:300]} == {
        ("YTO", "2026-11-21T01:00:00+00:00")
    }
    assert await count_rows(session, Shipment) == 500
    assert await count_rows(session, TrackingEvent) == 500
    signed = (
        await session.execute(select(Order.status).where(Order.order_number == "PO-499"))
    ).scalar_one()
    assert signed.value == "SIGNED"
    states = (await session.execute(select(CaseState.order_id))).scalars().all()
    assert len(set(states)) == 500


async def test_an_error_in_row_499_rejects_every_parcel(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await stored_orders(client, token, 500)
    batch = [parcel(f"PO-{i}", f"YT{i:05d}") for i in range(499)]
    # picked up before the tracking number was uploaded... and before the order: inconsistent
    batch.append(parcel("PO-499", "YT00499", pickedUpAt="2026-11-19T09:00:00+08:00"))
    # when
    data = (await gql_data(client, token, UPSERT_SHIPMENTS, shipments=batch))["upsertShipments"]
    # then
    assert data["shipments"] == []
    assert [f[:3] for f, _ in errors(data)] == [["input", "shipments", "499"]]
    assert {code for _, code in errors(data)} == {"INCONSISTENT_FACTS"}
    assert await count_rows(session, Shipment) == 0


async def test_unknown_order_duplicate_and_missing_tracking_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await stored_orders(client, token, 2)
    # when
    keys = (
        await gql_data(
            client,
            token,
            UPSERT_SHIPMENTS,
            shipments=[parcel("PO-0", "YT1"), parcel("PO-0", "YT1"), parcel("PO-1", None)],
        )
    )["upsertShipments"]
    unknown = (await gql_data(client, token, UPSERT_SHIPMENTS, shipments=[parcel("PO-9", "YT2")]))[
        "upsertShipments"
    ]
    too_many = (
        await gql_data(
            client, token, UPSERT_SHIPMENTS, shipments=[parcel("PO-0", f"Y{i}") for i in range(501)]
        )
    )["upsertShipments"]
    # then
    assert errors(keys) == [
        (["input", "shipments", "1", "shipment", "trackingNumber"], "DUPLICATE"),
        (["input", "shipments", "2", "shipment", "trackingNumber"], "REQUIRED"),
    ]
    assert errors(unknown) == [(["input", "shipments", "0", "orderNumber"], "NOT_FOUND")]
    assert errors(too_many) == [(["input", "shipments"], "TOO_MANY")]
    assert await count_rows(session, Shipment) == 0
