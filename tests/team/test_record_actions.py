"""``recordActions``: one action on many cases, all or nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db.models import ActionRecord, Role
from service.graphql.relay import decode_id, to_global_id
from service.store import exemptions
from service.team import claims
from service.team.claims import CaseKey
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund, make_shipment
from tests.graphql.helpers import count_rows, gql_data
from tests.team.helpers import Clock, clocked_client, make_agent

BULK = """
mutation Bulk($cases: [BulkCaseInput!]!) {
  recordActions(input: {cases: $cases, takenAction: CONTACT_CARRIER, note: "broadcast sent"}) {
    actionRecords { id order { orderNumber } agent { displayName } overridden note createdAt }
    userErrors { field code message }
  }
}
"""


async def _orders(session: AsyncSession, n: int) -> tuple[Any, list[Any]]:
    shop = await make_shop(session)
    orders = [await make_order(session, shop, f"PO-{i}") for i in range(n)]
    await session.commit()
    return shop, orders


def _case(order: Any) -> dict[str, str]:
    return {"orderId": to_global_id("Order", order.id)}


async def test_every_case_gets_a_record_and_its_claim_ends(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop, orders = await _orders(session, 3)
    agent_id, token = await make_agent(session, shop, "Zhou")
    for order in orders:
        await claims.claim(session, shop.id, CaseKey(claims.ORDER, order.id), _pk(agent_id), NOW)
    await session.commit()
    data = await gql_data(client, token, BULK, cases=[_case(o) for o in orders])
    result = data["recordActions"]
    assert result["userErrors"] == []
    assert [r["order"]["orderNumber"] for r in result["actionRecords"]] == ["PO-0", "PO-1", "PO-2"]
    assert {r["agent"]["displayName"] for r in result["actionRecords"]} == {"Zhou"}
    assert {r["note"] for r in result["actionRecords"]} == {"broadcast sent"}
    keys = [CaseKey(claims.ORDER, o.id) for o in orders]
    assert await claims.holds(session, shop.id, keys, NOW) == {}
    # and each answered record is the stored one of its case (ids in the cases' order)
    for answered, order in zip(result["actionRecords"], orders, strict=True):
        pk = decode_id(answered["id"], "ActionRecord")
        stored = await session.get(ActionRecord, pk)
        assert stored is not None and stored.order_id == order.id
        assert stored.created_at.isoformat() == answered["createdAt"]


def _pk(global_id: str) -> int:
    pk = decode_id(global_id, "Agent")
    assert pk is not None
    return pk


async def test_one_bad_case_rejects_the_whole_call(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop, orders = await _orders(session, 3)
    other = await make_shop(session, "shop-b")
    foreign = await make_order(session, other, "THEIRS")
    await session.commit()
    _, token = await make_agent(session, shop, "Zhou")
    cases = [_case(orders[0]), _case(foreign), _case(orders[1]), _case(orders[0]), {}]
    result = (await gql_data(client, token, BULK, cases=cases))["recordActions"]
    assert result["actionRecords"] is None
    assert {(".".join(e["field"]), e["code"]) for e in result["userErrors"]} == {
        ("input.cases.1.orderId", "NOT_FOUND"),
        ("input.cases.3", "DUPLICATE"),
        ("input.cases.4.orderId", "REQUIRED"),
    }
    assert await count_rows(session, ActionRecord) == 0


async def test_more_than_500_cases_are_refused_and_integration_tokens_forbidden(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop, orders = await _orders(session, 1)
    _, token = await make_agent(session, shop, "Zhou")
    many = [_case(orders[0])] * 501
    result = (await gql_data(client, token, BULK, cases=many))["recordActions"]
    assert [e["code"] for e in result["userErrors"]] == ["TOO_MANY"]
    integration = await make_token(session, shop, Role.INTEGRATION)
    result = await gql_data(client, integration, BULK, cases=[_case(orders[0])])
    assert [e["code"] for e in result["recordActions"]["userErrors"]] == ["FORBIDDEN"]
    assert await count_rows(session, ActionRecord) == 0


async def test_a_retried_key_records_once(client: httpx.AsyncClient, session: AsyncSession) -> None:
    shop, orders = await _orders(session, 2)
    _, token = await make_agent(session, shop, "Zhou")
    body = {"query": BULK, "variables": {"cases": [_case(o) for o in orders]}}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "bulk-1"}
    first = await client.post("/graphql", json=body, headers=headers)
    again = await client.post("/graphql", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert await count_rows(session, ActionRecord) == 2


SINGLE = """
mutation($o: ID, $r: ID) {
  recordAction(input: {orderId: $o, refundRequestId: $r, takenAction: CONTACT_CARRIER}) {
    actionRecord { recommendedAction ruleId overridden decisionSnapshot }
    userErrors { field code }
  }
}
"""
BULK_SNAPSHOTS = """
mutation($cases: [BulkCaseInput!]!) {
  recordActions(input: {cases: $cases, takenAction: CONTACT_CARRIER}) {
    actionRecords { recommendedAction ruleId overridden decisionSnapshot }
    userErrors { field code }
  }
}
"""


async def test_bulk_records_the_decisions_recordaction_records(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    # given an unshipped order, a stalled parcel covered by an exemption, and a refund
    shop = await make_shop(session)
    plain = await make_order(session, shop, "PO-PLAIN")
    stuck = await make_order(session, shop, "PO-STUCK", confirmed_at=NOW - timedelta(hours=40))
    stuck.destination_province = "浙江省"
    await make_shipment(session, stuck, uploaded_at=NOW - timedelta(hours=30))
    await exemptions.declare(
        session, shop.id, "ZTO", "浙江省", None, NOW - timedelta(days=3), NOW, ""
    )
    refunded = await make_order(session, shop, "PO-REFUND")
    refund = await make_refund(session, refunded, "RF-1")
    await session.commit()
    _, token = await make_agent(session, shop, "Zhou")
    cases = [
        {"orderId": to_global_id("Order", plain.id)},
        {"orderId": to_global_id("Order", stuck.id)},
        {"refundRequestId": to_global_id("RefundRequest", refund.id)},
    ]
    async with clocked_client(settings, engine, Clock()) as client:
        # when each case is recorded alone, and then all in one call
        singles = []
        for case in cases:
            variables = {"o": case.get("orderId"), "r": case.get("refundRequestId")}
            data = await gql_data(client, token, SINGLE, **variables)
            assert data["recordAction"]["userErrors"] == []
            singles.append(data["recordAction"]["actionRecord"])
        data = await gql_data(client, token, BULK_SNAPSHOTS, cases=cases)
    # then the bulk records carry the very decisions the single ones did
    assert data["recordActions"]["userErrors"] == []
    assert data["recordActions"]["actionRecords"] == singles
    assert "exemption #" in singles[1]["decisionSnapshot"]["rationale"]
    assert singles[1]["decisionSnapshot"]["moneyAtRisk"] == []
