"""Each mutation leaves its case's stored state equal to a fresh decision at the
request's now, in the same transaction (no refresher, no read in between)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import CaseState, Order, RefundRequest, Role
from service.store import case_state
from tests.conftest import make_shop, make_token
from tests.factories import NOW
from tests.graphql.helpers import gql_data
from tests.store.brute import decisions

UPSERT = """
mutation Upsert($orders: [OrderInput!]!) {
  upsertOrders(input: {orders: $orders}) { orders { id } userErrors { code message } }
}
"""
SHIP = """
mutation Ship($shipment: ShipmentInput!) {
  recordShipment(input: {orderNumber: "PO-1", shipment: $shipment}) {
    shipment { id } userErrors { code message }
  }
}
"""
APPEND = """
mutation Append($events: [ParcelTrackingEventInput!]!) {
  appendTrackingEvents(input: {events: $events}) { shipments { id } userErrors { code message } }
}
"""
CREATE = """
mutation Create($refund: RefundRequestInput!) {
  createRefundRequest(input: {orderNumber: "PO-1", refundRequest: $refund}) {
    refundRequest { id } userErrors { code message }
  }
}
"""
EVIDENCE = """
mutation Attach($refundId: ID) {
  attachEvidence(input: {refundRequestId: $refundId, kind: OUTBOUND_RECORD, source: MERCHANT,
      reference: "wms/1", capturedAt: "2026-11-24T09:40:00+08:00"}) {
    evidence { kind } userErrors { code message }
  }
}
"""
STATUS = """
mutation Status($id: ID!) {
  updateRefundStatus(input: {refundRequestId: $id, status: AGREED}) {
    refundRequest { id } userErrors { code message }
  }
}
"""
ORDER = {
    "orderNumber": "PO-1",
    "platform": "PDD",
    "amount": "19.90",
    "status": "AWAITING_SHIPMENT",
    "confirmedAt": "2026-11-23T10:00:00+08:00",
}
POLICY = """
mutation { updateShopPolicy(input: {shipWindowHours: 72}) { userErrors { code message } } }
"""


async def _rows(session: AsyncSession, shop_id: int) -> dict[tuple[str, int], CaseState]:
    stmt = (
        select(CaseState)
        .where(CaseState.shop_id == shop_id)
        .execution_options(populate_existing=True)
    )
    return {(s.kind, s.entity_id): s for s in (await session.execute(stmt)).scalars()}


async def _assert_fresh(session: AsyncSession, shop_id: int) -> dict[tuple[str, int], CaseState]:
    rows = await _rows(session, shop_id)
    fresh = await decisions(session, shop_id, NOW)
    assert {k for k, s in rows.items() if s.open} == set(fresh)
    # every row, open or not, carries its entity's status and list time (the lists
    # filtered on the state read them from there)
    entities: dict[tuple[str, int], tuple[str, datetime]] = {}
    fresh_rows = {"populate_existing": True}
    orders = select(Order).where(Order.shop_id == shop_id).execution_options(**fresh_rows)
    for o in (await session.execute(orders)).scalars():
        entities["ORDER", o.id] = (o.status.value, o.confirmed_at)
    refunds = select(RefundRequest).where(RefundRequest.shop_id == shop_id)
    for r in (await session.execute(refunds.execution_options(**fresh_rows))).scalars():
        entities["REFUND_REQUEST", r.id] = (r.status.value, r.requested_at)
    assert {k: (s.status, s.sort_at) for k, s in rows.items()} == entities
    for key, d in fresh.items():
        s = rows[key]
        assert d is not None
        urgent = d.urgent_deadline
        assert s.computed_at == NOW, key
        assert (s.action, s.rule_id, s.overdue, s.proactive) == (
            d.action,
            d.rule_id,
            d.overdue,
            d.proactive,
        ), key
        assert (s.due_at, s.deadline_kind) == (
            (urgent.at, urgent.kind) if urgent else (None, None)
        ), key
    return rows


def _ok(data: dict[str, Any]) -> dict[str, Any]:
    (payload,) = data.values()
    assert payload["userErrors"] == [], payload
    return dict(payload)


async def test_every_mutation_leaves_the_state_equal_to_a_fresh_decision(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.ADMIN)
    order = ORDER | {"groupFormedAt": "2026-11-23T10:00:00+08:00"}

    _ok(await gql_data(client, token, UPSERT, orders=[order]))
    rows = await _assert_fresh(session, shop.id)
    assert [s.rule_id for s in rows.values()] == ["V1"]

    parcel = {
        "carrier": "ZTO",
        "trackingNumber": "ZT1",
        "trackingUploadedAt": "2026-11-24T08:00:00+08:00",
    }
    _ok(await gql_data(client, token, SHIP, shipment=parcel))
    _ok(await gql_data(client, token, UPSERT, orders=[order | {"status": "SHIPPED"}]))
    rows = await _assert_fresh(session, shop.id)
    assert [s.rule_id for s in rows.values()] == ["V2"]

    events = [{"trackingNumber": "ZT1", "at": "2026-11-24T09:00:00+08:00", "kind": "PICKUP"}]
    _ok(await gql_data(client, token, APPEND, events=events))
    await _assert_fresh(session, shop.id)

    refund = {
        "refundNumber": "RF-1",
        "type": "REFUND_ONLY",
        "reason": "NO_LONGER_WANTED",
        "requestedAt": "2026-11-24T09:30:00+08:00",
    }
    created = _ok(await gql_data(client, token, CREATE, refund=refund))
    rows = await _assert_fresh(session, shop.id)
    assert {k[0]: s.open for k, s in rows.items()} == {"ORDER": False, "REFUND_REQUEST": True}

    refund_id = created["refundRequest"]["id"]
    _ok(await gql_data(client, token, EVIDENCE, refundId=refund_id))
    await _assert_fresh(session, shop.id)

    _ok(await gql_data(client, token, STATUS, id=refund_id))
    rows = await _assert_fresh(session, shop.id)
    assert {k[0]: s.open for k, s in rows.items()} == {"ORDER": True, "REFUND_REQUEST": False}

    # a policy change restales the shop's every state
    _ok(await gql_data(client, token, POLICY))
    rows = await _rows(session, shop.id)
    assert {s.stale_at for s in rows.values()} == {case_state.EPOCH}


SCRIPT_SETTINGS = """
mutation {
  updateShopPolicy(input: {couponAmount: "8.00", carrierNames: [{code: "ZTO", nameZh: "中通"}]}) {
    userErrors { code message }
  }
}
"""


async def test_settings_that_only_change_scripts_leave_the_states_exact(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # A shop of many orders would otherwise recompute every state for a new coupon.
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.ADMIN)
    _ok(await gql_data(client, token, UPSERT, orders=[ORDER]))
    before = {k: s.stale_at for k, s in (await _assert_fresh(session, shop.id)).items()}
    assert case_state.EPOCH not in before.values()

    _ok(await gql_data(client, token, SCRIPT_SETTINGS))
    assert {k: s.stale_at for k, s in (await _rows(session, shop.id)).items()} == before
    await _assert_fresh(session, shop.id)

    # while a setting that moves deadlines restales them
    _ok(await gql_data(client, token, POLICY))
    assert {s.stale_at for s in (await _rows(session, shop.id)).values()} == {case_state.EPOCH}
