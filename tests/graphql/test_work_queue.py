"""The work queue: soonest deadline first, each item with its decision."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Role
from service.decision.facts import OrderStatus, RefundReason
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund
from tests.graphql.helpers import gql

QUEUE = """
query Queue($first: Int, $after: String, $due: Int) {
  workQueue(first: $first, after: $after, dueWithinHours: $due) {
    totalCount
    edges { cursor node {
      kind dueAt deadlineKind
      order { orderNumber }
      refundRequest { refundNumber }
      decision { action ruleId }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _arrange(session: AsyncSession) -> str:
    shop = await make_shop(session)
    # refund requested 47 h ago: the platform auto-agrees in about 1 h
    near = await make_order(
        session, shop, "NEAR", confirmed_at=NOW - timedelta(hours=47, minutes=30)
    )
    await make_refund(
        session,
        near,
        "RF-NEAR",
        reason=RefundReason.NO_LONGER_WANTED,
        requested_at=NOW - timedelta(hours=47),
    )
    # unshipped order whose ship-by is 20 h away
    await make_order(session, shop, "SHIP-SOON", confirmed_at=NOW - timedelta(hours=28))
    # unshipped order whose ship-by is 40 h away
    await make_order(session, shop, "SHIP-LATER", confirmed_at=NOW - timedelta(hours=8))
    # finished orders never queue
    await make_order(session, shop, "DONE", status=OrderStatus.COMPLETED)
    await make_order(session, shop, "CANCELLED", status=OrderStatus.CANCELLED)
    return await make_token(session, shop, Role.AGENT)


async def test_queue_orders_cases_by_nearest_deadline(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _arrange(session)
    body = await gql(client, token, QUEUE)
    queue = body["data"]["workQueue"]
    numbers = [e["node"]["order"]["orderNumber"] for e in queue["edges"]]
    assert numbers == ["NEAR", "SHIP-SOON", "SHIP-LATER"]
    first = queue["edges"][0]["node"]
    assert first["kind"] == "REFUND_REQUEST"
    assert first["refundRequest"] == {"refundNumber": "RF-NEAR"}
    dues = [e["node"]["dueAt"] for e in queue["edges"]]
    assert dues == sorted(dues)
    assert all(e["node"]["decision"]["ruleId"] for e in queue["edges"])
    assert queue["totalCount"] == 3


async def test_queue_pages_and_filters_by_due_time(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _arrange(session)
    page1 = (await gql(client, token, QUEUE, {"first": 2}))["data"]["workQueue"]
    page2 = (
        await gql(client, token, QUEUE, {"first": 2, "after": page1["pageInfo"]["endCursor"]})
    )["data"]["workQueue"]
    assert [e["node"]["order"]["orderNumber"] for e in page1["edges"]] == ["NEAR", "SHIP-SOON"]
    assert page1["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["order"]["orderNumber"] for e in page2["edges"]] == ["SHIP-LATER"]
    assert page2["pageInfo"]["hasNextPage"] is False

    soon = (await gql(client, token, QUEUE, {"due": 24}))["data"]["workQueue"]
    assert [e["node"]["order"]["orderNumber"] for e in soon["edges"]] == ["NEAR", "SHIP-SOON"]
