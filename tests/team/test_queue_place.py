"""A work item names its carrier and last-scan place as caseGroups groups it, so a client
can list a group's cases from the queue."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import TrackingEvent
from service.decision.facts import OrderStatus, TrackingEventKind
from tests.conftest import make_shop
from tests.factories import NOW, make_order, make_shipment
from tests.graphql.helpers import gql_data
from tests.team.helpers import make_agent

QUERY = """
{
  workQueue(first: 20) { edges { node { order { orderNumber } carrier lastScanPlace } } }
  caseGroups { carrier place count }
}
"""


async def test_items_carry_the_carrier_and_place_their_group_has(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    for i, place in enumerate(["杭州转运中心", "金华", "杭州转运中心"]):
        order = await make_order(
            session,
            shop,
            f"PO-{i}",
            status=OrderStatus.SHIPPED,
            confirmed_at=NOW - timedelta(days=5),
        )
        parcel = await make_shipment(
            session, order, uploaded_at=NOW - timedelta(hours=100), tracking_number=f"ZT-{i}"
        )
        # Out of order on purpose: the latest scan is by time, not by insertion.
        for hours, kind, where in (
            (70, TrackingEventKind.SORTING_DEPARTURE, place),
            (90, TrackingEventKind.PICKUP, "义乌"),
        ):
            session.add(
                TrackingEvent(
                    shop_id=shop.id,
                    shipment_id=parcel.id,
                    at=NOW - timedelta(hours=hours),
                    kind=kind,
                    place=where,
                )
            )
    unshipped = await make_order(session, shop, "PO-unshipped")
    assert unshipped.id
    await session.commit()
    _, token = await make_agent(session, shop, "Zhou")
    data = await gql_data(client, token, QUERY)
    items = {e["node"]["order"]["orderNumber"]: e["node"] for e in data["workQueue"]["edges"]}
    assert {n: (i["carrier"], i["lastScanPlace"]) for n, i in items.items()} == {
        "PO-0": ("ZTO", "杭州转运中心"),
        "PO-1": ("ZTO", "金华"),
        "PO-2": ("ZTO", "杭州转运中心"),
        "PO-unshipped": ("", ""),
    }
    by_place = {(g["carrier"], g["place"]): g["count"] for g in data["caseGroups"]}
    assert by_place[("ZTO", "杭州转运中心")] == 2 and by_place[("ZTO", "金华")] == 1
