"""Dashboard lists: cursor pagination, caps and filters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from graphql.execution.executor import Executor
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Role
from service.decision.facts import OrderStatus, RefundReason, TrackingEventKind
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund, make_shipment
from tests.graphql.helpers import gql

ORDERS = """
query Orders($first: Int, $after: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, filter: $filter) {
    totalCount
    nodes { orderNumber status }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""

REFUNDS = """
query Refunds($filter: RefundRequestFilter) {
  refundRequests(filter: $filter) {
    totalCount
    nodes { refundNumber decision { action } }
  }
}
"""


async def test_orders_page_by_cursor_newest_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given 25 orders confirmed an hour apart
    shop = await make_shop(session)
    for i in range(25):
        await make_order(session, shop, f"O-{i:02d}", confirmed_at=NOW - timedelta(hours=i))
    token = await make_token(session, shop, Role.AGENT)

    # when the first page is read with the default size, then the next one
    first = (await gql(client, token, ORDERS))["data"]["orders"]
    second = (await gql(client, token, ORDERS, {"after": first["pageInfo"]["endCursor"]}))["data"][
        "orders"
    ]

    # then
    assert first["totalCount"] == 25
    assert [n["orderNumber"] for n in first["nodes"]] == [f"O-{i:02d}" for i in range(20)]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert [n["orderNumber"] for n in second["nodes"]] == [f"O-{i:02d}" for i in range(20, 25)]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": second["pageInfo"]["endCursor"],
    }


async def test_first_above_100_is_a_clear_error(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session))
    body = await gql(client, token, ORDERS, {"first": 101})
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "first" in error["message"] and "100" in error["message"]


async def test_a_forged_cursor_is_a_clear_error(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session))
    body = await gql(client, token, ORDERS, {"after": "bm90LWEtY3Vyc29y"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "after" in body["errors"][0]["message"]


async def test_orders_filtered_by_status(client: httpx.AsyncClient, session: AsyncSession) -> None:
    shop = await make_shop(session)
    await make_order(session, shop, "A", status=OrderStatus.AWAITING_SHIPMENT)
    await make_order(session, shop, "B", status=OrderStatus.CANCELLED)
    token = await make_token(session, shop)
    body = await gql(client, token, ORDERS, {"filter": {"status": ["CANCELLED"]}})
    assert body["data"]["orders"]["nodes"] == [{"orderNumber": "B", "status": "CANCELLED"}]
    assert body["data"]["orders"]["totalCount"] == 1


async def test_refunds_filtered_by_recommended_action_and_due_time(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given a pending refund on an unshipped order (agree at once) and one on an order
    # awaiting its group (guide to platform support)
    shop = await make_shop(session)
    unshipped = await make_order(session, shop, "UNSHIPPED", confirmed_at=NOW - timedelta(hours=30))
    grouping = await make_order(
        session,
        shop,
        "GROUPING",
        status=OrderStatus.AWAITING_GROUP,
        confirmed_at=NOW - timedelta(hours=3),
    )
    await make_refund(session, unshipped, "RF-A", reason=RefundReason.NOT_SHIPPED)
    await make_refund(session, grouping, "RF-B", reason=RefundReason.NO_LONGER_WANTED)
    token = await make_token(session, shop)

    # when filtered by action
    agree = await gql(client, token, REFUNDS, {"filter": {"recommendedAction": ["AGREE_REFUND"]}})
    guide = await gql(
        client, token, REFUNDS, {"filter": {"recommendedAction": ["GUIDE_TO_PLATFORM_SUPPORT"]}}
    )

    # then each list holds the one case; the filters are SQL on the stored state, so
    # the count is offered too
    assert [n["refundNumber"] for n in agree["data"]["refundRequests"]["nodes"]] == ["RF-A"]
    assert [n["refundNumber"] for n in guide["data"]["refundRequests"]["nodes"]] == ["RF-B"]
    assert agree["data"]["refundRequests"]["totalCount"] == 1


async def test_due_within_hours_bounds_are_checked(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session))
    body = await gql(client, token, REFUNDS, {"filter": {"dueWithinHours": 0}})
    assert "dueWithinHours" in body["errors"][0]["message"]


def _decisions_counted(app: object, rule_id: str) -> float:
    registry = app.state.metrics.registry  # type: ignore[attr-defined]
    value = registry.get_sample_value(
        "aftersales_decisions_total", {"action": "AGREE_REFUND", "rule_id": rule_id}
    )
    return float(value or 0)


async def test_metrics_count_decisions_shown_not_those_computed_to_filter(
    app: object, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given three unshipped orders with pending refunds (R2: agree the refund)
    shop = await make_shop(session)
    for i in range(3):
        order = await make_order(session, shop, f"U-{i}", confirmed_at=NOW - timedelta(hours=5))
        await make_refund(session, order, f"RF-{i}", reason=RefundReason.NOT_SHIPPED)
    token = await make_token(session, shop)
    # when the list is filtered by decision without asking for decisions
    await gql(
        client,
        token,
        REFUNDS.replace("decision { action }", ""),
        {"filter": {"recommendedAction": ["AGREE_REFUND"]}},
    )
    # then nothing was shown, nothing is counted
    assert _decisions_counted(app, "R2") == 0
    # when the decisions are asked for
    await gql(client, token, REFUNDS)
    # then each shown decision counts once
    assert _decisions_counted(app, "R2") == 3


async def test_orders_filtered_by_overdue_and_due_within_from_the_stored_state(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given an order 12 h past its ship-by, one due in 20 h and one due in 40 h
    shop = await make_shop(session)
    await make_order(session, shop, "LATE", confirmed_at=NOW - timedelta(hours=60))
    await make_order(session, shop, "SOON", confirmed_at=NOW - timedelta(hours=28))
    await make_order(session, shop, "LATER", confirmed_at=NOW - timedelta(hours=8))
    token = await make_token(session, shop)

    async def numbers(flt: dict[str, object]) -> tuple[list[str], int]:
        body = (await gql(client, token, ORDERS, {"filter": flt}))["data"]["orders"]
        return [n["orderNumber"] for n in body["nodes"]], body["totalCount"]

    # then overdue, due-within (missed deadlines included) and action filters agree
    assert await numbers({"overdue": True}) == (["LATE"], 1)
    assert await numbers({"overdue": False}) == (["LATER", "SOON"], 2)
    assert await numbers({"dueWithinHours": 24}) == (["SOON", "LATE"], 2)
    assert await numbers({"recommendedAction": ["PROMISE_SHIP_TIME"], "dueWithinHours": 30}) == (
        ["SOON"],
        1,
    )


LOADED_AHEAD = """
query {
  refundRequests(first: 10) {
    nodes {
      refundNumber
      order { orderNumber }
      shipment { trackingNumber events { kind } }
      decision { action }
      later: decision(at: "2026-12-01T00:00:00Z") { action }
    }
  }
  orders(first: 10) {
    nodes {
      orderNumber
      shipments { trackingNumber }
      evidence { kind }
      refundRequests { refundNumber }
      decision { action }
    }
  }
}
"""


async def test_a_pages_rows_answer_at_once_when_loaded_ahead(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given orders, each with a parcel that has moved and a refund request
    shop = await make_shop(session)
    for i in range(4):
        order = await make_order(session, shop, f"O-{i}", status=OrderStatus.SHIPPED)
        await make_shipment(
            session,
            order,
            uploaded_at=NOW - timedelta(hours=9),
            events=((NOW - timedelta(hours=8), TrackingEventKind.PICKUP),),
            tracking_number=f"ZT{i}",
        )
        await make_refund(session, order, f"RF-{i}", reason=RefundReason.NO_LONGER_WANTED)
    token = await make_token(session, shop, Role.AGENT)
    awaited: list[str] = []
    real = Executor.complete_awaitable_value

    def counted(self: Executor[Any], return_type: Any, fields: Any, info: Any, *args: Any) -> Any:
        awaited.append(info.field_name)
        return real(self, return_type, fields, info, *args)

    monkeypatch.setattr(Executor, "complete_awaitable_value", counted)

    # when both lists are read with their rows' related objects and decisions
    data = (await gql(client, token, LOADED_AHEAD))["data"]

    # then every row's fields answered at once, but the decisions at another time,
    # which the page cannot know ahead
    assert sorted(awaited) == ["decision"] * 4 + ["orders", "refundRequests"]
    refunds = data["refundRequests"]["nodes"]
    assert sorted(r["refundNumber"] for r in refunds) == [f"RF-{i}" for i in range(4)]
    for r in refunds:
        i = r["refundNumber"][-1]
        assert r["order"] == {"orderNumber": f"O-{i}"}
        assert r["shipment"] == {"trackingNumber": f"ZT{i}", "events": [{"kind": "PICKUP"}]}
        assert r["decision"]["action"] and r["later"]["action"]
    for o in data["orders"]["nodes"]:
        i = o["orderNumber"][-1]
        assert o["shipments"] == [{"trackingNumber": f"ZT{i}"}]
        assert o["refundRequests"] == [{"refundNumber": f"RF-{i}"}]
        assert o["evidence"] == [] and o["decision"]["action"]


PENDING_DUE = """
query Refunds($filter: RefundRequestFilter, $after: String) {
  refundRequests(first: 2, after: $after, filter: $filter) {
    totalCount
    nodes { refundNumber status }
    pageInfo { hasNextPage endCursor }
  }
}
"""
AGREE = """
mutation Agree($id: ID!) {
  updateRefundStatus(input: {refundRequestId: $id, status: AGREED}) { userErrors { code } }
}
"""
IDS = "query { refundRequests(first: 50) { nodes { id refundNumber } } }"


async def test_a_list_filtered_on_the_state_pages_newest_first_and_follows_status_changes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given five pending refunds on unshipped orders, requested an hour apart (each
    # answered within 48 h), and one refund already agreed
    shop = await make_shop(session)
    for i in range(6):
        order = await make_order(session, shop, f"O-{i}", confirmed_at=NOW - timedelta(hours=30))
        reason = RefundReason.QUALITY if i == 3 else RefundReason.NOT_SHIPPED
        await make_refund(
            session, order, f"RF-{i}", reason=reason, requested_at=NOW - timedelta(hours=i + 1)
        )
    token = await make_token(session, shop, Role.ADMIN)
    ids = {
        n["refundNumber"]: n["id"]
        for n in (await gql(client, token, IDS))["data"]["refundRequests"]["nodes"]
    }
    assert "errors" not in await gql(client, token, AGREE, {"id": ids["RF-5"]})

    async def walk(flt: dict[str, Any]) -> tuple[list[str], int]:
        seen: list[str] = []
        after = None
        while True:
            body = await gql(client, token, PENDING_DUE, {"filter": flt, "after": after})
            page = body["data"]["refundRequests"]
            seen += [n["refundNumber"] for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                return seen, page["totalCount"]
            after = page["pageInfo"]["endCursor"]

    pending_due = {"status": ["PENDING"], "dueWithinHours": 48}
    # then the pending ones come newest first over three pages, the agreed one not
    assert await walk(pending_due) == ([f"RF-{i}" for i in range(5)], 5)
    assert await walk({"status": ["AGREED"], "overdue": False}) == (["RF-5"], 1)

    # when one more is agreed, it moves from one filtered list to the other
    assert "errors" not in await gql(client, token, AGREE, {"id": ids["RF-2"]})
    assert await walk(pending_due) == (["RF-0", "RF-1", "RF-3", "RF-4"], 4)
    assert await walk({"status": ["AGREED"], "overdue": False}) == (["RF-2", "RF-5"], 2)
    # and a filter on the state with no status keeps every status, newest first
    assert (await walk({"overdue": False}))[0] == [f"RF-{i}" for i in range(6)]
    # and the rows' own filters (reason, time) combine with the state's
    quality = pending_due | {"reason": ["QUALITY"]}
    assert await walk(quality) == (["RF-3"], 1)
    assert await walk(pending_due | {"reason": ["NOT_SHIPPED"]}) == (["RF-0", "RF-1", "RF-4"], 3)
    since = (NOW - timedelta(hours=4, minutes=30)).isoformat()
    assert await walk(pending_due | {"requestedFrom": since}) == (["RF-0", "RF-1", "RF-3"], 3)
    assert await walk(quality | {"requestedFrom": since, "platform": "PDD"}) == (["RF-3"], 1)
