"""No N+1: a page's statement count does not grow with the page size."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db.models import Role
from service.decision.facts import OrderStatus, RefundReason, TrackingEventKind
from service.graphql.relay import to_global_id
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund, make_shipment
from tests.graphql.helpers import count_statements, gql

PAGE = """
query Page($first: Int!) {
  refundRequests(first: $first) {
    edges { node {
      refundNumber status
      order { orderNumber amount evidence { kind } }
      shipment { trackingNumber events { at kind } }
      decision { action ruleId nextDeadline script }
    } }
  }
}
"""


async def test_refund_page_statement_count_is_flat(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given 12 refund requests, each on an order with a parcel and tracking events
    shop = await make_shop(session)
    for i in range(12):
        order = await make_order(session, shop, f"O-{i}", status=OrderStatus.SHIPPED)
        at = NOW - timedelta(hours=9)
        await make_shipment(
            session,
            order,
            uploaded_at=at,
            picked_up_at=at + timedelta(hours=1),
            events=((at + timedelta(hours=1), TrackingEventKind.PICKUP),),
            tracking_number=f"ZT{i:04d}",
        )
        await make_refund(session, order, f"RF-{i}", reason=RefundReason.NO_LONGER_WANTED)
    token = await make_token(session, shop, Role.AGENT)

    # when pages of 2 and of 12 are read (after one page, so the token check and the
    # shop policy are cached for both alike)
    await gql(client, token, PAGE, {"first": 1})
    with count_statements(engine) as small:
        body_small = await gql(client, token, PAGE, {"first": 2})
    with count_statements(engine) as large:
        body_large = await gql(client, token, PAGE, {"first": 12})

    # then both pages are complete and cost the same number of statements
    assert "errors" not in body_small and "errors" not in body_large
    assert len(body_small["data"]["refundRequests"]["edges"]) == 2
    edges = body_large["data"]["refundRequests"]["edges"]
    assert len(edges) == 12
    assert all(e["node"]["decision"]["ruleId"] for e in edges)
    assert all(e["node"]["shipment"]["events"] for e in edges)
    assert len(small) == len(large), (small, large)
    assert len(large) <= 10


async def test_nodes_batch_their_lookups(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given 10 orders
    shop = await make_shop(session)
    orders = [await make_order(session, shop, f"N-{i}") for i in range(10)]
    token = await make_token(session, shop, Role.AGENT)
    ids = [to_global_id("Order", o.id) for o in orders]
    await gql(client, token, "{ __typename }")
    # when they are fetched in one nodes() call
    with count_statements(engine) as statements:
        body = await gql(
            client, token, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}
        )
    # then in order, with one statement
    assert [n["id"] for n in body["data"]["nodes"]] == ids
    assert len(statements) == 1, statements


async def test_the_total_is_counted_only_when_selected(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given 3 orders
    shop = await make_shop(session)
    for i in range(3):
        await make_order(session, shop, f"C-{i}")
    token = await make_token(session, shop, Role.AGENT)
    await gql(client, token, "{ __typename }")
    # when a page is read without totalCount, then with it
    with count_statements(engine) as without:
        await gql(client, token, "{ orders(first: 2) { edges { cursor } } }")
    with count_statements(engine) as with_total:
        body = await gql(client, token, "{ orders(first: 2) { totalCount } }")
    # then only the second one counts, and counts every matching order
    assert not any("count(" in s.lower() for s in without), without
    assert sum("count(" in s.lower() for s in with_total) == 1
    assert body["data"]["orders"]["totalCount"] == 3
