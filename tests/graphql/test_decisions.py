"""Decisions on stored orders and refund requests, and `node` lookups."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Role
from service.decision.facts import OrderStatus, RefundReason, TrackingEventKind
from service.graphql.relay import to_global_id
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund, make_shipment
from tests.graphql.helpers import gql

ORDER_DECISION = """
query OrderDecision($id: ID!, $at: DateTime) {
  node(id: $id) {
    ... on Order {
      orderNumber
      decision(inquiry: URGE_SHIPMENT, at: $at) {
        action ruleId rationale nextDeadline
        deadlines { kind at }
        scripts { zhCN en }
        zh: script
        en: script(locale: EN)
        policyId policyVersion evaluatedAt
        trace { ruleId matched }
      }
    }
  }
}
"""

REFUND_DECISION = """
query RefundDecision($id: ID!) {
  node(id: $id) {
    ... on RefundRequest {
      refundNumber
      order { orderNumber }
      shipment { trackingNumber events { kind } }
      decision { action ruleId steps moneyAtRisk { kind amount } alternatives { action condition } }
    }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }
"""


async def test_urge_shipment_before_and_after_ship_by(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given an unshipped order confirmed (and grouped) 10 h ago: ship-by in 38 h
    shop = await make_shop(session)
    order = await make_order(session, shop, "O-1", confirmed_at=NOW - timedelta(hours=10))
    token = await make_token(session, shop, Role.AGENT)
    order_id = to_global_id("Order", order.id)

    # when the buyer urges shipment now, and (what if) 40 h later
    now = (await gql(client, token, ORDER_DECISION, {"id": order_id}))["data"]["node"]
    later_at = (NOW + timedelta(hours=40)).isoformat()
    later = (await gql(client, token, ORDER_DECISION, {"id": order_id, "at": later_at}))["data"][
        "node"
    ]

    # then now: promise a ship time; later: apologise and promise
    decision = now["decision"]
    assert (decision["action"], decision["ruleId"]) == ("PROMISE_SHIP_TIME", "U2")
    assert decision["evaluatedAt"] == NOW.isoformat()
    assert decision["policyId"] and decision["policyVersion"]
    assert (
        decision["zh"] == decision["scripts"]["zhCN"]
        and decision["en"] == decision["scripts"]["en"]
    )
    assert "O-1" in decision["scripts"]["en"]
    assert any(t["ruleId"] == "U2" and t["matched"] for t in decision["trace"])
    assert {d["kind"] for d in decision["deadlines"]} >= {"SHIP_BY"}
    assert (later["decision"]["action"], later["decision"]["ruleId"]) == (
        "APOLOGIZE_AND_PROMISE",
        "U3",
    )


async def test_refund_in_transit_is_intercepted(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given a parcel picked up 8 h ago, still before delivery, and a refund-only request
    shop = await make_shop(session)
    order = await make_order(
        session, shop, "O-2", status=OrderStatus.SHIPPED, confirmed_at=NOW - timedelta(hours=20)
    )
    picked = NOW - timedelta(hours=8)
    await make_shipment(
        session,
        order,
        uploaded_at=picked - timedelta(hours=1),
        picked_up_at=picked,
        events=((picked, TrackingEventKind.PICKUP),),
    )
    refund = await make_refund(session, order, reason=RefundReason.NO_LONGER_WANTED)
    token = await make_token(session, shop, Role.AGENT)

    # when
    node = (
        await gql(client, token, REFUND_DECISION, {"id": to_global_id("RefundRequest", refund.id)})
    )["data"]["node"]

    # then
    assert node["order"] == {"orderNumber": "O-2"}
    assert node["shipment"]["events"] == [{"kind": "PICKUP"}]
    decision = node["decision"]
    assert (decision["action"], decision["ruleId"]) == ("INTERCEPT", "R4")
    assert {"kind": "REFUND_AMOUNT", "amount": "59.90"} in decision["moneyAtRisk"]
    assert decision["steps"]


async def test_nodes_resolve_each_type_and_null_for_unknown_ids(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    order = await make_order(session, shop)
    shipment = await make_shipment(session, order)
    refund = await make_refund(session, order)
    token = await make_token(session, shop, Role.AGENT)
    ids = [
        to_global_id("Order", order.id),
        to_global_id("Shipment", shipment.id),
        to_global_id("RefundRequest", refund.id),
        to_global_id("Order", order.id + 999),  # does not exist
        to_global_id("Shop", shop.id),  # not a node type
        "not base64 at all!",
    ]
    body = await gql(client, token, NODES, {"ids": ids})
    types = [n["__typename"] if n else None for n in body["data"]["nodes"]]
    assert types == ["Order", "Shipment", "RefundRequest", None, None, None]
    assert body["data"]["nodes"][0]["id"] == ids[0]


async def test_nodes_is_capped(client: httpx.AsyncClient, session: AsyncSession) -> None:
    token = await make_token(session, await make_shop(session))
    body = await gql(client, token, NODES, {"ids": ["x"] * 101})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "ids" in body["errors"][0]["message"]
