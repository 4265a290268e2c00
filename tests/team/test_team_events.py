"""What the team does goes out as case events: claims, their end, recorded actions."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db.models import CaseEvent, Role
from service.graphql.relay import to_global_id
from tests.conftest import make_shop, make_token
from tests.events.test_subscriptions import _subscribe, server
from tests.factories import NOW, make_order, make_refund
from tests.graphql.helpers import gql_data
from tests.team.helpers import Clock, clocked_client, make_agent

CLAIM = """
mutation Claim($order: ID, $refund: ID) {
  claimCase(input: {orderId: $order, refundRequestId: $refund}) { userErrors { code } }
}
"""
RELEASE = """
mutation Release($order: ID!) { releaseClaim(input: {orderId: $order}) { released } }
"""
REASSIGN = """
mutation Reassign($order: ID!, $agent: ID!) {
  reassignClaim(input: {orderId: $order, agentId: $agent}) { userErrors { code } }
}
"""
RECORD = """
mutation Record($order: ID!) {
  recordAction(input: {orderId: $order, takenAction: UPLOAD_TRACKING}) {
    actionRecord { id } userErrors { code }
  }
}
"""
BULK = """
mutation Bulk($cases: [BulkCaseInput!]!) {
  recordActions(input: {cases: $cases, takenAction: CONTACT_CARRIER}) {
    actionRecords { id } userErrors { code }
  }
}
"""
TEAM_TYPES = ("case.claimed", "case.claim_released", "case.action_recorded")


async def _team_events(session: AsyncSession, shop_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(CaseEvent.payload)
        .where(CaseEvent.shop_id == shop_id, CaseEvent.type.in_(TEAM_TYPES))
        .order_by(CaseEvent.id)
        .execution_options(populate_existing=True)
    )
    return [dict(p) for p in rows.scalars()]


def _summary(event: dict[str, Any]) -> tuple[str, str | None, str | None]:
    data = event["data"]
    return event["type"], data.get("agentName"), data.get("takenAction")


async def test_claims_their_end_and_recorded_actions_are_announced_once(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    order = await make_order(session, shop, "PO-1", confirmed_at=NOW - timedelta(hours=28))
    await session.commit()
    wang_id, wang = await make_agent(session, shop, "Wang")
    li_id, li = await make_agent(session, shop, "Li")
    admin = await make_token(session, shop, Role.ADMIN)
    order_id = to_global_id("Order", order.id)
    clock = Clock()
    async with clocked_client(settings, engine, clock) as client:
        assert (await gql_data(client, wang, CLAIM, order=order_id))["claimCase"][
            "userErrors"
        ] == []
        # a renewal, minutes later, is the same claim: nothing new to tell
        clock.now = NOW + timedelta(minutes=5)
        await gql_data(client, wang, CLAIM, order=order_id)
        # refused: nothing happened
        refused = await gql_data(client, li, CLAIM, order=order_id)
        assert [e["code"] for e in refused["claimCase"]["userErrors"]] == ["CLAIMED_BY_OTHER"]
        await gql_data(client, admin, REASSIGN, order=order_id, agent=li_id)
        released = await gql_data(client, li, RELEASE, order=order_id)
        assert released["releaseClaim"]["released"] is True
        # nothing left to release: nothing to tell
        await gql_data(client, li, RELEASE, order=order_id)
        recorded = await gql_data(client, wang, RECORD, order=order_id)
        assert recorded["recordAction"]["userErrors"] == []

    events = await _team_events(session, shop.id)
    assert [_summary(e) for e in events] == [
        ("case.claimed", "Wang", None),
        ("case.claimed", "Li", None),
        ("case.claim_released", "Li", None),
        ("case.action_recorded", None, "UPLOAD_TRACKING"),
    ]
    assert {e["data"]["orderId"] for e in events} == {order_id}
    assert {e["data"]["caseKind"] for e in events} == {"ORDER"}
    assert events[0]["data"]["agentId"] == wang_id
    # who made each move: the agent, or no agent for the admin's shop-level token
    assert [e["data"]["actorAgentId"] for e in events] == [wang_id, None, li_id, wang_id]
    assert events[1]["data"]["agentId"] == li_id
    assert events[0]["data"]["claimedAt"] == NOW.astimezone(UTC).isoformat().replace("+00:00", "Z")
    action = events[-1]["data"]
    assert action["agentId"] == wang_id and action["recommendedAction"]
    assert action["actionRecordId"] == recorded["recordAction"]["actionRecord"]["id"]
    assert len({e["id"] for e in events}) == len(events)


async def test_a_refund_case_names_its_order_and_bulk_records_announce_each_case(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    orders = [await make_order(session, shop, f"PO-{i}") for i in range(3)]
    refund = await make_refund(session, orders[0], "RF-1")
    await session.commit()
    _, zhou = await make_agent(session, shop, "Zhou")
    refund_id = to_global_id("RefundRequest", refund.id)
    assert (await gql_data(client, zhou, CLAIM, refund=refund_id))["claimCase"]["userErrors"] == []
    cases = [{"orderId": to_global_id("Order", o.id)} for o in orders[1:]]
    bulk = await gql_data(client, zhou, BULK, cases=cases)
    assert bulk["recordActions"]["userErrors"] == []

    events = await _team_events(session, shop.id)
    claimed, *recorded = events
    assert claimed["type"] == "case.claimed"
    assert claimed["data"]["caseKind"] == "REFUND_REQUEST"
    assert claimed["data"]["refundRequestId"] == refund_id
    assert claimed["data"]["orderId"] == to_global_id("Order", orders[0].id)
    assert [e["type"] for e in recorded] == ["case.action_recorded"] * 2
    assert [e["data"]["orderId"] for e in recorded] == [c["orderId"] for c in cases]
    assert {e["data"]["takenAction"] for e in recorded} == {"CONTACT_CARRIER"}


async def test_a_colleagues_open_workbench_hears_the_claim(
    session: AsyncSession, settings: Settings
) -> None:
    # What a workbench subscribes to (it reloads its queue on any event), over a real
    # websocket: on PostgreSQL through the app's LISTEN connection.
    shop = await make_shop(session)
    order = await make_order(session, shop, "PO-1")
    await session.commit()
    _, wang = await make_agent(session, shop, "Wang")
    _, li = await make_agent(session, shop, "Li")
    with server(settings) as url:
        colleague = await _subscribe(url, li, ["case.claimed"])
        try:
            await asyncio.sleep(0.3)  # the subscription is registered
            base = url.replace("ws://", "http://").removesuffix("/graphql")
            async with httpx.AsyncClient(base_url=base) as client:
                await gql_data(client, wang, CLAIM, order=to_global_id("Order", order.id))
            got = json.loads(await asyncio.wait_for(colleague.recv(), 10))
        finally:
            await colleague.close()
    assert got["type"] == "next"
    event = got["payload"]["data"]["caseEvents"]
    assert event["type"] == "case.claimed"
