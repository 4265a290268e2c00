"""End to end over HTTP, one test per rulebook scenario family: an integration token
ingests through the mutations, an agent token reads the decision through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Role
from tests.conftest import make_shop, make_token
from tests.factories import NOW
from tests.graphql.helpers import gql

UPSERT = """
mutation Upsert($orders: [OrderInput!]!) {
  upsertOrders(input: {orders: $orders}) { orders { id } userErrors { field code message } }
}
"""
SHIP = """
mutation Ship($number: String!, $shipment: ShipmentInput!) {
  recordShipment(input: {orderNumber: $number, shipment: $shipment}) {
    shipment { id } userErrors { field code message }
  }
}
"""
EVENTS = """
mutation Events($events: [ParcelTrackingEventInput!]!) {
  appendTrackingEvents(input: {events: $events}) { shipments { id } userErrors { field code } }
}
"""
REFUND = """
mutation Refund($number: String!, $refund: RefundRequestInput!) {
  createRefundRequest(input: {orderNumber: $number, refundRequest: $refund}) {
    refundRequest { id } userErrors { field code message }
  }
}
"""
STATUS = """
mutation Status($id: ID!, $status: RefundStatus!, $at: DateTime, $kind: PlatformRefundKind) {
  updateRefundStatus(
    input: {refundRequestId: $id, status: $status, at: $at, platformRefund: $kind}
  ) {
    refundRequest { status } userErrors { field code message }
  }
}
"""
ORDER_DECISION = """
query Decide($id: ID!, $inquiry: Inquiry, $at: DateTime) {
  node(id: $id) { ... on Order { decision(inquiry: $inquiry, at: $at) {
    action ruleId deadlines { kind at } moneyAtRisk { kind amount } scripts { zhCN en }
  } } }
}
"""
REFUND_DECISION = """
query Decide($id: ID!, $at: DateTime) {
  node(id: $id) { ... on RefundRequest { decision(at: $at) {
    action ruleId deadlines { kind at } moneyAtRisk { kind amount }
  } } }
}
"""


def iso(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).isoformat()


def order(
    number: str, hours_ago: float, status: str = "AWAITING_SHIPMENT", **extra: Any
) -> dict[str, Any]:
    return {
        "orderNumber": number,
        "platform": "PDD",
        "amount": extra.pop("amount", "80.00"),
        "status": status,
        "confirmedAt": iso(hours_ago),
        "groupFormedAt": iso(hours_ago),
        **extra,
    }


class Api:
    def __init__(self, client: httpx.AsyncClient, ingest: str, agent: str) -> None:
        self.client, self.ingest, self.agent = client, ingest, agent

    async def call(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        body = await gql(self.client, token, query, variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        for payload in data.values():
            if isinstance(payload, dict) and "userErrors" in payload:
                assert payload["userErrors"] == [], payload
        return data

    async def upsert(self, *orders: dict[str, Any]) -> list[str]:
        data = await self.call(self.ingest, UPSERT, orders=list(orders))
        return [o["id"] for o in data["upsertOrders"]["orders"]]

    async def ship(self, number: str, **shipment: Any) -> str:
        data = await self.call(self.ingest, SHIP, number=number, shipment=shipment)
        return str(data["recordShipment"]["shipment"]["id"])

    async def refund(self, number: str, **refund: Any) -> str:
        data = await self.call(self.ingest, REFUND, number=number, refund=refund)
        return str(data["createRefundRequest"]["refundRequest"]["id"])

    async def order_decision(self, order_id: str, **args: Any) -> dict[str, Any]:
        data = await self.call(self.agent, ORDER_DECISION, id=order_id, **args)
        return dict(data["node"]["decision"])

    async def refund_decision(self, refund_id: str, **args: Any) -> dict[str, Any]:
        data = await self.call(self.agent, REFUND_DECISION, id=refund_id, **args)
        return dict(data["node"]["decision"])


@pytest.fixture
async def api(client: httpx.AsyncClient, session: AsyncSession) -> Api:
    shop = await make_shop(session)
    return Api(
        client,
        await make_token(session, shop, Role.INTEGRATION),
        await make_token(session, shop, Role.AGENT),
    )


def rule(decision: dict[str, Any]) -> tuple[str, str]:
    return decision["action"], decision["ruleId"]


async def test_urge_shipment_family(api: Api) -> None:
    [early, late, empty, offline] = await api.upsert(
        order("EARLY", 6),
        order("LATE", 60),
        order("EMPTY", 6, canFulfil=False),
        order("OFFLINE", 20),
    )
    await api.ship("OFFLINE", shippedOfflineAt=iso(2))
    urge = {"inquiry": "URGE_SHIPMENT"}
    assert rule(await api.order_decision(early, **urge)) == ("PROMISE_SHIP_TIME", "U2")
    assert rule(await api.order_decision(late, **urge)) == ("APOLOGIZE_AND_PROMISE", "U3")
    assert rule(await api.order_decision(empty, **urge)) == ("AGREE_REFUND", "U4")
    assert rule(await api.order_decision(offline, **urge)) == ("UPLOAD_TRACKING", "U1")


async def test_refund_before_shipment_family(api: Api) -> None:
    await api.upsert(
        order("GROUP", 1, status="AWAITING_GROUP", groupFormedAt=None), order("UNSHIPPED", 30)
    )
    grouping = await api.refund(
        "GROUP",
        refundNumber="RF-G",
        type="REFUND_ONLY",
        reason="NO_LONGER_WANTED",
        requestedAt=iso(0.5),
    )
    unshipped = await api.refund(
        "UNSHIPPED",
        refundNumber="RF-U",
        type="REFUND_ONLY",
        reason="NOT_SHIPPED",
        requestedAt=iso(3),
    )
    assert rule(await api.refund_decision(grouping)) == ("GUIDE_TO_PLATFORM_SUPPORT", "R1")
    decision = await api.refund_decision(unshipped)
    assert rule(decision) == ("AGREE_REFUND", "R2")
    assert "RESPOND_BY" in {d["kind"] for d in decision["deadlines"]}


async def test_in_transit_family(api: Api) -> None:
    await api.upsert(order("TRANSIT", 30, status="SHIPPED"))
    await api.ship(
        "TRANSIT",
        carrier="ZTO",
        trackingNumber="ZT42",
        shippedOfflineAt=iso(21),
        trackingUploadedAt=iso(20),
    )
    await api.call(
        api.ingest,
        EVENTS,
        events=[
            {"trackingNumber": "ZT42", "at": iso(18), "kind": "PICKUP", "place": "Jinhua"},
            {
                "trackingNumber": "ZT42",
                "at": iso(6),
                "kind": "SORTING_ARRIVAL",
                "place": "Hangzhou",
            },
        ],
    )
    refund = await api.refund(
        "TRANSIT",
        refundNumber="RF-T",
        type="REFUND_ONLY",
        reason="NO_LONGER_WANTED",
        requestedAt=iso(1),
    )
    assert rule(await api.refund_decision(refund)) == ("INTERCEPT", "R4")
    # once the parcel is out for delivery, interception is no longer possible
    await api.call(
        api.ingest,
        EVENTS,
        events=[
            {
                "trackingNumber": "ZT42",
                "at": iso(0.5),
                "kind": "OUT_FOR_DELIVERY",
                "place": "Shanghai",
            },
        ],
    )
    assert rule(await api.refund_decision(refund)) == ("AGREE_REFUND_AFTER_REJECTION", "R5")


async def test_after_signing_family(api: Api) -> None:
    await api.upsert(order("PROXY", 80, status="SHIPPED"), order("BUYER", 80, status="SHIPPED"))
    for number, signer in (("PROXY", "PROXY"), ("BUYER", "BUYER")):
        await api.ship(
            number,
            carrier="ZTO",
            trackingNumber=f"ZT-{number}",
            shippedOfflineAt=iso(70),
            trackingUploadedAt=iso(70),
            signer=signer,
            events=[{"at": iso(66), "kind": "PICKUP"}, {"at": iso(20), "kind": "SIGNED"}],
        )
    proxy = await api.refund(
        "PROXY", refundNumber="RF-P", type="REFUND_ONLY", reason="NOT_RECEIVED", requestedAt=iso(5)
    )
    buyer = await api.refund(
        "BUYER", refundNumber="RF-B", type="REFUND_ONLY", reason="NO_REASON", requestedAt=iso(5)
    )
    assert rule(await api.refund_decision(proxy)) == ("CONTACT_CARRIER", "S1")
    assert rule(await api.refund_decision(buyer)) == ("REJECT_WITH_EVIDENCE", "S2")


async def test_fast_refund_appeal_family(api: Api) -> None:
    # refund-only filed 1 h after confirmation, unshipped online; the platform refunded it
    # at once; the parcel had left offline and the buyer signed for it
    confirmed = 24 * 5
    await api.upsert(order("FAST", confirmed, status="SIGNED"))
    await api.ship(
        "FAST",
        carrier="ZTO",
        trackingNumber="ZT-F",
        shippedOfflineAt=iso(confirmed - 0.5),
        trackingUploadedAt=iso(24 * 4),
        pickedUpAt=iso(confirmed - 1),
        signer="BUYER",
        events=[
            {"at": iso(confirmed - 1), "kind": "PICKUP"},
            {"at": iso(24 * 3), "kind": "SIGNED"},
        ],
    )
    refund = await api.refund(
        "FAST",
        refundNumber="RF-F",
        type="REFUND_ONLY",
        reason="NOT_SHIPPED",
        requestedAt=iso(confirmed - 1),
    )
    await api.call(
        api.ingest,
        STATUS,
        id=refund,
        status="REFUNDED",
        at=iso(confirmed - 1.1),
        kind="FAST_REFUND",
    )
    # 4.x days after the refund: inside day 3-7
    decision = await api.refund_decision(refund)
    assert rule(decision) == ("APPEAL_FAST_REFUND", "A1")
    assert {"APPEAL_CLOSES"} <= {d["kind"] for d in decision["deadlines"]}
    # after day 7 nothing can be won
    after = await api.refund_decision(refund, at=(NOW + timedelta(days=3)).isoformat())
    assert after["action"] == "NO_ACTION"


async def test_logistics_anomaly_family(api: Api) -> None:
    [no_pickup] = await api.upsert(order("NOPICK", 40, status="SHIPPED", amount="100.00"))
    await api.ship(
        "NOPICK",
        carrier="ZTO",
        trackingNumber="ZT-N",
        shippedOfflineAt=iso(27),
        trackingUploadedAt=iso(26),
    )
    decision = await api.order_decision(no_pickup, inquiry="WHERE_IS_PARCEL")
    assert rule(decision) == ("CONTACT_CARRIER", "L1")
    assert {"kind": "FAKE_LOGISTICS_FINE", "amount": "25.00"} in decision["moneyAtRisk"]
