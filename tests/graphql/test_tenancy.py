"""A token sees and changes only its own shop: another shop's ids behave exactly like
ids that do not exist, in every query, connection, node lookup and mutation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from graphql import build_schema
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.db.models import (
    ActionRecord,
    Agent,
    CaseClaim,
    EvidenceItem,
    Exemption,
    Order,
    RefundRequest,
    Role,
    Shipment,
    TrackingEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from service.decision.facts import OrderStatus, RefundReason, TrackingEventKind
from service.events import outbox
from service.events.endpoints import create_endpoint
from service.graphql.relay import to_global_id
from service.graphql.sdl import SDL_PATH
from service.store import exemptions
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund, make_shipment
from tests.graphql.helpers import gql
from tests.team.helpers import make_agent

# Each root field with a document that, from shop B, aims at shop A's data.
QUERIES: dict[str, str] = {
    "shop": "{ shop { slug } }",
    "node": "query($o: ID!) { node(id: $o) { id } }",
    "nodes": "query($o: ID!, $s: ID!, $r: ID!) { nodes(ids: [$o, $s, $r]) { id } }",
    "orders": "{ orders { totalCount nodes { id } } }",
    "refundRequests": "{ refundRequests { totalCount nodes { id } } }",
    "shipments": "{ shipments { totalCount nodes { id } } }",
    "workQueue": "{ workQueue { totalCount edges { node { kind } } } }",
    "recommend": """query { recommend(case: {order: {orderNumber: "A-1", platform: PDD,
        amount: "10.00", status: AWAITING_SHIPMENT, confirmedAt: "2026-11-23T08:00:00Z"},
        inquiry: URGE_SHIPMENT}) { decision { ruleId } userErrors { code } } }""",
    "webhookEndpoints": "{ webhookEndpoints { id url } }",
    "webhookDeliveries": "{ webhookDeliveries { totalCount nodes { id status } } }",
    "viewer": "{ viewer { role agent { id } } }",
    "agents": "{ agents { id } }",
    "caseGroups": "{ caseGroups { count } }",
    "disruptions": "{ disruptions { count } }",
    "exemptions": "{ exemptions(includeRevoked: true) { id } }",
}

MUTATIONS: dict[str, str] = {
    "upsertOrders": """mutation { upsertOrders(input: {orders: [{orderNumber: "A-1",
        platform: PDD, amount: "1.00", status: CANCELLED,
        confirmedAt: "2026-11-23T00:00:00Z"}]}) { orders { id } userErrors { code } } }""",
    # A's order number and parcel: B's own "A-1" (made by upsertOrders above) gets a
    # parcel; A's parcel ZT-A is untouched.
    "upsertShipments": """mutation { upsertShipments(input: {shipments: [{orderNumber: "A-1",
        shipment: {carrier: "X", trackingNumber: "ZT-A"}}]})
        { shipments { id } userErrors { field code } } }""",
    "recordShipment": """mutation($o: ID!) { recordShipment(input: {orderId: $o,
        shipment: {carrier: "X"}}) { shipment { id } userErrors { field code } } }""",
    "appendTrackingEvents": """mutation($s: ID!) { appendTrackingEvents(input: {events: [
        {shipmentId: $s, at: "2026-11-24T01:00:00Z", kind: SIGNED},
        {trackingNumber: "ZT-A", at: "2026-11-24T01:00:00Z", kind: SIGNED}]})
        { shipments { id } userErrors { field code } } }""",
    "createRefundRequest": """mutation($o: ID!) { createRefundRequest(input: {orderId: $o,
        refundRequest: {refundNumber: "RF-B", type: REFUND_ONLY, reason: NO_REASON,
        requestedAt: "2026-11-24T01:00:00Z"}})
        { refundRequest { id } userErrors { field code } } }""",
    "updateRefundStatus": """mutation($r: ID!) { updateRefundStatus(input: {refundRequestId: $r,
        status: CANCELLED}) { refundRequest { id } userErrors { field code } } }""",
    "attachEvidence": """mutation($r: ID!) { attachEvidence(input: {refundRequestId: $r,
        kind: DAMAGE_PHOTO, source: BUYER, reference: "x", capturedAt: "2026-11-24T01:00:00Z"})
        { evidence { kind } userErrors { field code } } }""",
    "recordAction": """mutation($r: ID!) { recordAction(input: {refundRequestId: $r,
        takenAction: AGREE_REFUND}) { actionRecord { id } userErrors { field code } } }""",
    "recordActions": """mutation($o: ID!) { recordActions(input: {cases: [{orderId: $o}],
        takenAction: AGREE_REFUND}) { actionRecords { id } userErrors { field code } } }""",
    "createAgent": """mutation { createAgent(input: {displayName: "B", role: AGENT})
        { agent { id } userErrors { code } } }""",
    "deactivateAgent": """mutation($a: ID!) { deactivateAgent(input: {agentId: $a})
        { agent { id } userErrors { field code } } }""",
    "claimCase": """mutation($o: ID!) { claimCase(input: {orderId: $o})
        { claim { agentName } userErrors { field code } } }""",
    "releaseClaim": """mutation($o: ID!) { releaseClaim(input: {orderId: $o})
        { released userErrors { field code } } }""",
    "reassignClaim": """mutation($o: ID!, $a: ID!) { reassignClaim(input: {orderId: $o,
        agentId: $a}) { claim { agentName } userErrors { field code } } }""",
    "declareExemption": """mutation { declareExemption(input: {carrier: "ZTO",
        province: "浙江省", startsAt: "2026-11-20T00:00:00Z", endsAt: "2026-11-30T00:00:00Z"})
        { exemption { id } userErrors { code } } }""",
    "revokeExemption": """mutation($x: ID!) { revokeExemption(input: {exemptionId: $x})
        { exemption { revokedAt } userErrors { field code } } }""",
    "updateShopPolicy": """mutation { updateShopPolicy(input: {couponAmount: "9.00"})
        { shop { slug couponAmount } userErrors { code } } }""",
    "createWebhookEndpoint": """mutation { createWebhookEndpoint(input: {url:
        "https://b.example/hook"}) { endpoint { id } userErrors { code } } }""",
    "updateWebhookEndpoint": """mutation($e: ID!) { updateWebhookEndpoint(input: {id: $e,
        enabled: false}) { endpoint { id } userErrors { field code } } }""",
    "replayWebhookDelivery": """mutation($d: ID!) { replayWebhookDelivery(id: $d)
        { delivery { id } userErrors { field code } } }""",
    "deleteWebhookEndpoint": """mutation($e: ID!) { deleteWebhookEndpoint(id: $e)
        { deletedId userErrors { field code } } }""",
}


def test_every_root_field_is_covered() -> None:
    schema = build_schema(SDL_PATH.read_text(encoding="utf-8"))
    assert schema.query_type is not None and schema.mutation_type is not None
    assert set(QUERIES) == set(schema.query_type.fields)
    assert set(MUTATIONS) == set(schema.mutation_type.fields)


async def _counts(session: AsyncSession, shop_id: int) -> dict[str, int]:
    out = {}
    for model in (
        Order,
        Shipment,
        TrackingEvent,
        RefundRequest,
        EvidenceItem,
        ActionRecord,
        Agent,
        CaseClaim,
        Exemption,
    ):
        stmt = select(func.count()).select_from(model).where(model.shop_id == shop_id)
        out[model.__tablename__] = (await session.execute(stmt)).scalar_one()
    return out


async def test_shop_b_sees_and_changes_nothing_of_shop_a(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given shop A with an order, a parcel and a pending refund due soon
    shop_a = await make_shop(session, "shop-a")
    order = await make_order(
        session, shop_a, "A-1", status=OrderStatus.SHIPPED, confirmed_at=NOW - timedelta(hours=30)
    )
    picked = NOW - timedelta(hours=20)
    shipment = await make_shipment(
        session,
        order,
        uploaded_at=picked,
        picked_up_at=picked,
        events=((picked, TrackingEventKind.PICKUP),),
        tracking_number="ZT-A",
    )
    refund = await make_refund(session, order, "RF-A", reason=RefundReason.NO_LONGER_WANTED)
    endpoint = await create_endpoint(session, shop_a.id, "https://a.example/hook", [], Settings())
    event = {
        "uid": "evt_a",
        "shop_id": shop_a.id,
        "type": "case.overdue",
        "dedup_key": "a",
        "case_key": "ORDER:1",
        "payload": {},
        "created_at": NOW,
    }
    await session.run_sync(lambda s: outbox.write(s, [event], NOW))
    delivery_id = (await session.execute(select(WebhookDelivery.id))).scalar_one()
    endpoint_id = endpoint.id
    exemption = await exemptions.declare(
        session, shop_a.id, "ZTO", "浙江省", None, NOW - timedelta(days=1), NOW, ""
    )
    token_a = await make_token(session, shop_a, Role.ADMIN)
    shop_a_id = shop_a.id
    shop_b = await make_shop(session, "shop-b")
    token_b = await make_token(session, shop_b, Role.ADMIN)
    ids = {
        "o": to_global_id("Order", order.id),
        "s": to_global_id("Shipment", shipment.id),
        "r": to_global_id("RefundRequest", refund.id),
        "e": to_global_id("WebhookEndpoint", endpoint.id),
        "d": to_global_id("WebhookDelivery", delivery_id),
        "a": (await make_agent(session, shop_a, "A's agent"))[0],
        "x": to_global_id("Exemption", exemption.id),
    }
    exemption_id = exemption.id
    order_id, order_amount, refund_id = order.id, order.amount, refund.id
    before = await _counts(session, shop_a_id)
    # shop A itself sees its data (the documents do reach it)
    seen_by_a = await gql(client, token_a, QUERIES["workQueue"])
    assert seen_by_a["data"]["workQueue"]["totalCount"] == 1

    # when shop B runs every query
    results: dict[str, Any] = {}
    for name, document in QUERIES.items():
        used = {k: v for k, v in ids.items() if f"${k}" in document}
        body = await gql(client, token_b, document, used)
        assert "errors" not in body, (name, body)
        results[name] = body["data"][name]

    # then it sees only itself and none of A's rows
    assert results["shop"] == {"slug": "shop-b"}
    assert results["node"] is None
    assert results["nodes"] == [None, None, None]
    for name in ("orders", "refundRequests", "shipments"):
        assert results[name] == {"totalCount": 0, "nodes": []}, name
    assert results["workQueue"] == {"totalCount": 0, "edges": []}
    assert results["recommend"]["userErrors"] == []  # stateless: B's own inline facts
    assert results["webhookEndpoints"] == []
    assert results["webhookDeliveries"] == {"totalCount": 0, "nodes": []}
    assert results["viewer"] == {"role": "ADMIN", "agent": None}
    for name in ("agents", "caseGroups", "disruptions", "exemptions"):
        assert results[name] == [], name

    # when shop B runs every mutation against A's ids and numbers
    for name, document in MUTATIONS.items():
        used = {k: v for k, v in ids.items() if f"${k}" in document}
        body = await gql(client, token_b, document, used)
        assert "errors" not in body, (name, body)
        payload = body["data"][name]
        codes = {e["code"] for e in payload["userErrors"]}
        if name in {
            "upsertOrders",
            "upsertShipments",
            "updateShopPolicy",
            "createWebhookEndpoint",
            "createAgent",
            "declareExemption",
        }:
            assert codes == set(), (name, payload)  # acts on B's own data only
        elif name == "claimCase":
            # a shop-level token holds no claims (tests/team: an agent of B gets NOT_FOUND)
            assert codes == {"FORBIDDEN"}, (name, payload)
        else:
            assert codes == {"NOT_FOUND"}, (name, payload)

    # then A's rows are exactly as before, and A's order number in B is B's own order
    session.expire_all()
    assert await _counts(session, shop_a_id) == before
    a_order = (await session.execute(select(Order).where(Order.id == order_id))).scalar_one()
    assert a_order.status is OrderStatus.SHIPPED
    assert a_order.amount == order_amount
    a_refund = await session.get(RefundRequest, refund_id)
    assert a_refund is not None and a_refund.status.value == "PENDING"
    a_endpoint = await session.get(WebhookEndpoint, endpoint_id)
    assert a_endpoint is not None and a_endpoint.enabled
    a_exemption = await session.get(Exemption, exemption_id)
    assert a_exemption is not None and a_exemption.revoked_at is None
