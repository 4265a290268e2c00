"""A recorded action takes its case out of the work queue and its counts until the
case's decision changes (new facts or time), in the transaction of the record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import CaseState, Order, Role, Shop
from service.decision.facts import OrderStatus
from service.graphql.relay import to_global_id
from service.store import case_state
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_shipment
from tests.graphql.helpers import gql_data
from tests.team.helpers import make_agent

QUEUE = """
{
  workQueue(first: 20) {
    edges { node { order { orderNumber } lastAction lastActionAt decision { action ruleId } } }
  }
  shop { queueCounts { total byAction { action count } } }
}
"""
RECORD = """
mutation Record($id: ID!) {
  recordAction(input: {orderId: $id, takenAction: CONTACT_CARRIER, note: "chased"}) {
    actionRecord { ruleId } userErrors { field code message }
  }
}
"""
BULK = """
mutation Bulk($cases: [BulkCaseInput!]!) {
  recordActions(input: {cases: $cases, takenAction: CONTACT_CARRIER}) {
    actionRecords { ruleId } userErrors { field code message }
  }
}
"""
APPEND = """
mutation Append($events: [ParcelTrackingEventInput!]!) {
  appendTrackingEvents(input: {events: $events}) { shipments { id } userErrors { code message } }
}
"""


async def _unpicked(session: AsyncSession, shop: Shop, number: str) -> Order:
    """Tracking uploaded 30 h ago with no pickup scan: CONTACT_CARRIER by L1."""
    order = await make_order(
        session, shop, number, status=OrderStatus.SHIPPED, confirmed_at=NOW - timedelta(hours=40)
    )
    await make_shipment(
        session, order, uploaded_at=NOW - timedelta(hours=30), tracking_number=f"ZT-{number}"
    )
    return order


async def _queue(client: httpx.AsyncClient, token: str) -> tuple[list[Any], int]:
    data = await gql_data(client, token, QUEUE)
    nodes = [e["node"] for e in data["workQueue"]["edges"]]
    return nodes, data["shop"]["queueCounts"]["total"]


async def test_a_recorded_case_leaves_the_queue_until_new_facts_change_its_decision(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    first = await _unpicked(session, shop, "PO-1")
    await _unpicked(session, shop, "PO-2")
    await session.commit()
    _, token = await make_agent(session, shop, "Zhou")
    nodes, total = await _queue(client, token)
    assert [n["order"]["orderNumber"] for n in nodes] == ["PO-1", "PO-2"]
    assert {n["decision"]["ruleId"] for n in nodes} == {"L1"} and total == 2

    data = await gql_data(client, token, RECORD, id=to_global_id("Order", first.id))
    assert data["recordAction"]["userErrors"] == []
    nodes, total = await _queue(client, token)
    assert [n["order"]["orderNumber"] for n in nodes] == ["PO-2"] and total == 1

    # A pickup scan 28 h ago and nothing since: the parcel stalls after pickup (L2),
    # a decision nobody has acted on yet, so the case comes back and says what was done.
    pickup = (NOW - timedelta(hours=28)).isoformat()
    events = [{"trackingNumber": "ZT-PO-1", "at": pickup, "kind": "PICKUP"}]
    integration = await make_token(session, shop, Role.INTEGRATION)
    data = await gql_data(client, integration, APPEND, events=events)
    assert data["appendTrackingEvents"]["userErrors"] == []
    nodes, total = await _queue(client, token)
    back = {n["order"]["orderNumber"]: n for n in nodes}
    assert set(back) == {"PO-1", "PO-2"} and total == 2
    assert back["PO-1"]["decision"] == {"action": "CONTACT_CARRIER", "ruleId": "L2"}
    assert back["PO-1"]["lastAction"] == "CONTACT_CARRIER"
    assert back["PO-1"]["lastActionAt"] is not None and back["PO-2"]["lastAction"] is None


async def test_a_bulk_record_empties_the_queue_and_time_brings_a_case_back(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    orders = [await _unpicked(session, shop, f"PO-{i}") for i in range(3)]
    await session.commit()
    _, token = await make_agent(session, shop, "Zhou")
    cases = [{"orderId": to_global_id("Order", o.id)} for o in orders]
    data = await gql_data(client, token, BULK, cases=cases)
    assert data["recordActions"]["userErrors"] == []
    assert await _queue(client, token) == ([], 0)

    # Recomputed later with the same decision: still handled.
    await session.run_sync(
        lambda s: case_state.refresh_orders(s, [orders[0].id], NOW + timedelta(minutes=5))
    )
    await session.commit()
    assert await _states(session, orders[0].id) == ("L1", None, "L1")


async def test_time_that_changes_the_decision_brings_the_case_back(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    order = await make_order(session, shop, "PO-1")  # not shipped, before ship-by
    await session.commit()
    _, token = await make_agent(session, shop, "Zhou")
    (node,), _ = await _queue(client, token)
    before = node["decision"]
    record = RECORD.replace("CONTACT_CARRIER", before["action"])
    data = await gql_data(client, token, record, id=to_global_id("Order", order.id))
    assert data["recordAction"]["userErrors"] == []
    assert await _queue(client, token) == ([], 0)

    # Past the ship-by, the order needs an apology: a new decision, back in the queue.
    later = NOW + timedelta(days=5)
    await session.run_sync(lambda s: case_state.refresh_orders(s, [order.id], later))
    await session.commit()
    rule, rank, handled = await _states(session, order.id)
    assert rule != before["ruleId"] and rank is not None and handled is None


async def _states(session: AsyncSession, order_id: int) -> tuple[Any, Any, Any]:
    stmt = (
        select(CaseState.rule_id, CaseState.queue_rank, CaseState.handled_rule_id)
        .where(CaseState.kind == case_state.ORDER, CaseState.entity_id == order_id)
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(stmt)).one()
    return row.rule_id, row.queue_rank, row.handled_rule_id
