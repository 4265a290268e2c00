"""Claims: one holder per case, a lease on the injected clock, release, reassignment,
the end on recordAction, and the queue's assignee filter."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db.models import Role
from service.graphql.relay import to_global_id
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order
from tests.graphql.helpers import gql, gql_data
from tests.team.helpers import Clock, clocked_client, make_agent

CLAIM = """
mutation Claim($id: ID!) {
  claimCase(input: {orderId: $id}) {
    claim { agentId agentName claimedAt expiresAt } userErrors { field code message }
  }
}
"""
RELEASE = """
mutation Release($id: ID!) {
  releaseClaim(input: {orderId: $id}) { released userErrors { code message } }
}
"""
REASSIGN = """
mutation Reassign($id: ID!, $agent: ID!) {
  reassignClaim(input: {orderId: $id, agentId: $agent}) {
    claim { agentName } userErrors { field code message }
  }
}
"""
RECORD = """
mutation Record($id: ID!) {
  recordAction(input: {orderId: $id, takenAction: UPLOAD_TRACKING}) { userErrors { code } }
}
"""
QUEUE = """
query Queue($assignee: Assignee) {
  workQueue(assignee: $assignee) {
    edges { node { order { orderNumber } claim { agentName } } }
  }
}
"""


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _team(session: AsyncSession) -> dict[str, str]:
    shop = await make_shop(session)
    order = await make_order(session, shop, "PO-1", confirmed_at=NOW - timedelta(hours=28))
    await make_order(session, shop, "PO-2", confirmed_at=NOW - timedelta(hours=20))
    await session.commit()
    wang_id, wang = await make_agent(session, shop, "Wang")
    li_id, li = await make_agent(session, shop, "Li")
    return {
        "order": to_global_id("Order", order.id),
        "wang": wang,
        "wang_id": wang_id,
        "li": li,
        "li_id": li_id,
        "admin": await make_token(session, shop, Role.ADMIN),
        "integration": await make_token(session, shop, Role.INTEGRATION),
    }


async def _claim(client: httpx.AsyncClient, token: str, order: str) -> dict[str, Any]:
    result: dict[str, Any] = (await gql_data(client, token, CLAIM, id=order))["claimCase"]
    return result


async def test_a_live_claim_refuses_others_and_the_lease_expires_on_the_clock(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    team = await _team(session)
    clock = Clock()
    async with clocked_client(settings, engine, clock) as client:
        first = await _claim(client, team["wang"], team["order"])
        assert first["userErrors"] == []
        claim = first["claim"]
        assert isinstance(claim, dict)
        assert claim["agentName"] == "Wang" and claim["agentId"] == team["wang_id"]
        assert _at(claim["expiresAt"]) == NOW + timedelta(minutes=15)

        clock.now = NOW + timedelta(minutes=14)
        refused = await _claim(client, team["li"], team["order"])
        assert refused["claim"] is None
        [error] = refused["userErrors"]
        assert error["code"] == "CLAIMED_BY_OTHER" and "Wang" in error["message"]

        # the holder renews: a new lease, the same claim time
        renewed = await _claim(client, team["wang"], team["order"])
        assert isinstance(renewed["claim"], dict)
        assert _at(renewed["claim"]["expiresAt"]) == clock.now + timedelta(minutes=15)
        assert _at(renewed["claim"]["claimedAt"]) == NOW

        # one second before the renewed lease ends it still holds; at its end it lapses
        clock.now = NOW + timedelta(minutes=28, seconds=59)
        still = await _claim(client, team["li"], team["order"])
        assert [e["code"] for e in still["userErrors"]] == ["CLAIMED_BY_OTHER"]
        clock.now = NOW + timedelta(minutes=29)
        taken = await _claim(client, team["li"], team["order"])
        assert taken["userErrors"] == []
        assert isinstance(taken["claim"], dict) and taken["claim"]["agentName"] == "Li"
        assert _at(taken["claim"]["claimedAt"]) == clock.now


async def test_the_lease_comes_from_the_policy(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    team = await _team(session)
    async with clocked_client(settings, engine, Clock(), claim_lease_minutes=40) as client:
        claim = (await _claim(client, team["wang"], team["order"]))["claim"]
    assert isinstance(claim, dict)
    assert _at(claim["expiresAt"]) == NOW + timedelta(minutes=40)


async def test_release_reassign_and_record_action_end_or_move_the_claim(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    order = team["order"]
    assert (await _claim(client, team["wang"], order))["userErrors"] == []
    # another agent cannot release it
    other = (await gql_data(client, team["li"], RELEASE, id=order))["releaseClaim"]
    assert [e["code"] for e in other["userErrors"]] == ["CLAIMED_BY_OTHER"]
    # an admin hands it over; agents cannot
    denied = await gql_data(client, team["wang"], REASSIGN, id=order, agent=team["li_id"])
    assert [e["code"] for e in denied["reassignClaim"]["userErrors"]] == ["FORBIDDEN"]
    moved = await gql_data(client, team["admin"], REASSIGN, id=order, agent=team["li_id"])
    assert moved["reassignClaim"] == {"claim": {"agentName": "Li"}, "userErrors": []}
    # the new holder releases it; releasing again finds nothing
    mine = (await gql_data(client, team["li"], RELEASE, id=order))["releaseClaim"]
    assert mine == {"released": True, "userErrors": []}
    again = (await gql_data(client, team["li"], RELEASE, id=order))["releaseClaim"]
    assert again == {"released": False, "userErrors": []}
    # recordAction ends the claim: the other agent may claim at once
    assert (await _claim(client, team["wang"], order))["userErrors"] == []
    recorded = await gql_data(client, team["wang"], RECORD, id=order)
    assert recorded["recordAction"]["userErrors"] == []
    assert (await _claim(client, team["li"], order))["userErrors"] == []


async def test_claims_need_an_agents_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    for token in (team["admin"], team["integration"]):
        refused = await _claim(client, token, team["order"])
        assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    body = await gql(client, team["admin"], QUEUE, {"assignee": "ME"})
    assert body["data"] is None and "assignee" in body["errors"][0]["message"]


async def test_work_queue_filters_by_assignee_and_shows_the_holder(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    assert (await _claim(client, team["wang"], team["order"]))["userErrors"] == []

    async def queue(token: str, assignee: str | None) -> list[tuple[str, object]]:
        data = await gql_data(client, token, QUEUE, assignee=assignee)
        return [
            (e["node"]["order"]["orderNumber"], e["node"]["claim"])
            for e in data["workQueue"]["edges"]
        ]

    everyone = [("PO-1", {"agentName": "Wang"}), ("PO-2", None)]
    assert await queue(team["li"], None) == everyone
    assert await queue(team["li"], "ANYONE") == everyone
    assert await queue(team["wang"], "ME") == [("PO-1", {"agentName": "Wang"})]
    assert await queue(team["li"], "ME") == []
    assert await queue(team["li"], "UNASSIGNED") == [("PO-2", None)]


async def test_another_shops_cases_and_agents_cannot_be_claimed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    team = await _team(session)
    other = await make_shop(session, "shop-b")
    _, outsider = await make_agent(session, other, "Outsider")
    admin_b = await make_token(session, other, Role.ADMIN)
    refused = await _claim(client, outsider, team["order"])
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]
    moved = await gql_data(client, admin_b, REASSIGN, id=team["order"], agent=team["li_id"])
    assert [e["code"] for e in moved["reassignClaim"]["userErrors"]] == ["NOT_FOUND"]
    # shop B sees none of shop A's claims in its queue (it has no cases at all)
    data = await gql_data(client, outsider, QUEUE, assignee="ANYONE")
    assert data["workQueue"]["edges"] == []
