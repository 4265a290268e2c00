"""The work queue: soonest deadline first, each item with its decision."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db.models import CaseState, Role
from service.decision.facts import OrderStatus, RefundReason
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund
from tests.graphql.helpers import gql, gql_data
from tests.team.helpers import Clock, clocked_client

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


FILTERED = """
query Queue($first: Int, $after: String, $action: [Action!], $kind: WorkItemKind,
            $overdue: Boolean, $proactive: Boolean) {
  workQueue(first: $first, after: $after, action: $action, kind: $kind, overdue: $overdue,
            proactive: $proactive) {
    totalCount
    edges { cursor node {
      kind dueAt deadlineKind overdue
      order { orderNumber }
      decision(locale: EN) { action ruleId proactive overdue rationale }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _arrange_overdue(session: AsyncSession) -> str:
    token = await _arrange(session)
    shop = await make_shop(session, "shop-z")
    # the other shop's overdue order must never show
    await make_order(session, shop, "OTHER-LATE", confirmed_at=NOW - timedelta(hours=90))
    await session.commit()
    from sqlalchemy import select

    from service.db.models import Shop

    mine = (await session.execute(select(Shop).where(Shop.slug == "shop-a"))).scalar_one()
    # unshipped 12 h past its ship-by: overdue, proactive apology (000 §1 step 4)
    await make_order(session, mine, "LATE-12H", confirmed_at=NOW - timedelta(hours=60))
    await make_order(session, mine, "LATE-30H", confirmed_at=NOW - timedelta(hours=78))
    await session.commit()
    return token


async def test_overdue_items_come_first_and_name_the_missed_deadline(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _arrange_overdue(session)
    queue = (await gql(client, token, FILTERED))["data"]["workQueue"]
    nodes = [e["node"] for e in queue["edges"]]
    assert [n["order"]["orderNumber"] for n in nodes] == [
        "LATE-30H",
        "LATE-12H",
        "NEAR",
        "SHIP-SOON",
        "SHIP-LATER",
    ]
    late = nodes[1]
    assert late["overdue"] is True and late["deadlineKind"] == "SHIP_BY"
    assert late["dueAt"] == (NOW - timedelta(hours=12)).isoformat()
    assert late["decision"] == {
        "action": "APOLOGIZE_AND_PROMISE",
        "ruleId": "V3",
        "proactive": True,
        "overdue": True,
        "rationale": late["decision"]["rationale"],
    }
    assert "12 h past ship-by" in late["decision"]["rationale"]
    assert queue["totalCount"] == 5


async def test_queue_filters_by_action_kind_overdue_and_proactive(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _arrange_overdue(session)

    async def numbers(**variables: object) -> list[str]:
        body = await gql(client, token, FILTERED, dict(variables))
        return [e["node"]["order"]["orderNumber"] for e in body["data"]["workQueue"]["edges"]]

    assert await numbers(overdue=True) == ["LATE-30H", "LATE-12H"]
    assert await numbers(overdue=False) == ["NEAR", "SHIP-SOON", "SHIP-LATER"]
    assert await numbers(kind="REFUND_REQUEST") == ["NEAR"]
    assert await numbers(proactive=False) == ["NEAR"]
    assert await numbers(action=["PROMISE_SHIP_TIME"]) == ["SHIP-SOON", "SHIP-LATER"]
    assert await numbers(action=["INTERCEPT"]) == []


async def test_queue_pages_through_overdue_and_due_items_by_cursor(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _arrange_overdue(session)
    seen: list[str] = []
    after = None
    while True:
        body = await gql(client, token, FILTERED, {"first": 2, "after": after})
        page = body["data"]["workQueue"]
        seen += [e["node"]["order"]["orderNumber"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["LATE-30H", "LATE-12H", "NEAR", "SHIP-SOON", "SHIP-LATER"]


async def test_a_forged_queue_cursor_is_a_clear_error(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _arrange(session)
    body = await gql(client, token, QUEUE, {"after": "bm90LWEtY3Vyc29y"})
    assert "after: not a work queue cursor" in body["errors"][0]["message"]


COUNTS = """
{ shop { queueCounts { total overdue byAction { action count overdue } } } }
"""


async def test_shop_counts_per_action_and_overdue(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _arrange_overdue(session)
    counts = (await gql(client, token, COUNTS))["data"]["shop"]["queueCounts"]
    assert counts == {
        "total": 5,
        "overdue": 2,
        "byAction": [
            {"action": "APOLOGIZE_AND_PROMISE", "count": 2, "overdue": 2},
            {"action": "PROMISE_SHIP_TIME", "count": 2, "overdue": 0},
            {"action": "AGREE_REFUND", "count": 1, "overdue": 0},
        ],
    }


@pytest.mark.parametrize(
    "read",
    [
        "{ workQueue(first: 5) { edges { node { dueAt } } } }",
        "{ orders(first: 5, filter: {overdue: true}) { edges { node { orderNumber } } } }",
        "{ refundRequests(first: 5, filter: {dueWithinHours: 24}) { edges { node { status } } } }",
    ],
    ids=["workQueue", "orders", "refundRequests"],
)
async def test_a_read_keeps_the_states_it_recomputed(
    read: str, settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    # given cases whose states a first read computed at NOW
    token = await _arrange(session)
    await session.commit()
    clock = Clock(NOW)
    async with clocked_client(settings, engine, clock) as client:
        await gql_data(client, token, read)
        # when the same read comes a day later, when some of those states are stale
        clock.now = NOW + timedelta(days=1)
        stale_then = CaseState.stale_at <= clock.now
        stale = set((await session.execute(select(CaseState.id).where(stale_then))).scalars())
        assert stale
        await gql_data(client, token, read)

    # then the read committed what it recomputed: the next read has nothing to redo
    session.expire_all()
    rows = (await session.execute(select(CaseState).where(CaseState.id.in_(stale)))).scalars()
    assert {(r.computed_at, r.stale_at is None or r.stale_at > clock.now) for r in rows} == {
        (clock.now, True)
    }
