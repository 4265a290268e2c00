"""What a request loaded is freed when its answer is built, by reference counting.

Left in a reference cycle, a page's rows, facts and decisions wait for the garbage
collector's full passes, which then take tens of milliseconds at once (one page in
sixteen paid about 22 ms for the others at 200,000 orders)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.base import Base
from service.db.models import Role
from service.decision.facts import TrackingEventKind
from service.decision.outcome import Decision
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund, make_shipment
from tests.graphql.helpers import gql_data

PAGES = """
query {
  refundRequests(first: 10) { edges { node {
    refundNumber order { orderNumber } shipment { trackingNumber events { at kind } }
    decision { action ruleId script }
  } } }
  orders(first: 10) { edges { node {
    orderNumber shipments { trackingNumber } refundRequests { refundNumber }
    decision { action deadlines { kind at } }
  } } }
  workQueue(first: 10) { edges { node { decision { action ruleId } } } }
}
"""


@contextmanager
def cyclic_garbage() -> Iterator[list[object]]:
    """The objects only the cycle collector would have freed while the block ran."""
    found: list[object] = []
    gc.collect()
    flags = gc.get_debug()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.garbage.clear()
        gc.set_debug(flags)
        gc.enable()


async def test_a_read_leaves_no_row_or_decision_to_the_cycle_collector(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given a shop with shipped orders, their tracking and pending refunds
    shop = await make_shop(session)
    for n in range(5):
        order = await make_order(session, shop, f"O-{n}", confirmed_at=NOW - timedelta(days=3))
        await make_shipment(
            session,
            order,
            uploaded_at=NOW - timedelta(days=2),
            picked_up_at=NOW - timedelta(days=2),
            events=((NOW - timedelta(days=2), TrackingEventKind.PICKUP),),
            tracking_number=f"ZT{n}",
        )
        await make_refund(session, order, f"RF-{n}")
    token = await make_token(session, shop, Role.AGENT)
    await session.commit()
    await session.close()
    first = await gql_data(client, token, PAGES)  # states computed, caches warm
    assert len(first["refundRequests"]["edges"]) == 5

    # when the pages are read again
    with cyclic_garbage() as garbage:
        data = await gql_data(client, token, PAGES)
        await asyncio.sleep(0)

    # then the same pages came back, and none of what they loaded waits for the
    # cycle collector
    assert data == first
    left = [o for o in garbage if isinstance(o, Base | Decision | asyncio.Future)]
    assert left == [], sorted({type(o).__name__ for o in left})
