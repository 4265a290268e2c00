"""``webhookDeliveries`` as a cursor connection: newest first, keyset pages, filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.db.models import Role, Shop, WebhookDelivery
from service.events import outbox
from service.events.endpoints import create_endpoint
from service.graphql.relay import from_global_id, to_global_id
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import gql, gql_data

PAGE = """query($first: Int, $after: String, $status: String, $endpoint: ID) {
  webhookDeliveries(first: $first, after: $after, status: $status, endpointId: $endpoint) {
    totalCount
    edges { cursor node { id eventId status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def _event(shop: Shop, n: int, now: datetime) -> dict[str, Any]:
    uid = f"evt_log_{shop.id}_{n}"
    return {
        "uid": uid,
        "shop_id": shop.id,
        "type": "case.overdue",
        "dedup_key": f"log:{shop.id}:{n}",
        "case_key": f"ORDER:{n}",
        "payload": {"id": uid, "type": "case.overdue", "timestamp": now.isoformat(), "data": {}},
        "created_at": now,
    }


async def _log(session: AsyncSession, shop: Shop, settings: Settings, events: int) -> list[int]:
    """Two endpoints, ``events`` events: 2 x events deliveries; the endpoints' ids."""
    eps = [
        await create_endpoint(session, shop.id, f"https://{name}.example/hook", [], settings)
        for name in ("a", "b")
    ]
    await session.commit()
    now = datetime.now(UTC)
    await session.run_sync(
        lambda s: outbox.write(s, [_event(shop, i, now) for i in range(events)], now)
    )
    await session.commit()
    return [ep.id for ep in eps]


async def test_pages_follow_each_other_newest_first_without_gaps_or_repeats(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    shop = await make_shop(session)
    other = await make_shop(session, "shop-b")
    token = await make_token(session, shop, Role.ADMIN)
    await _log(session, shop, settings, 5)
    await _log(session, other, settings, 2)  # never shown to the first shop
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await gql_data(client, token, PAGE, first=4, after=after)
        conn = data["webhookDeliveries"]
        pages += 1
        assert conn["totalCount"] == 10
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [e["node"]["id"] for e in conn["edges"]]
        assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 3 and len(seen) == len(set(seen)) == 10
    pks = [parsed[1] for parsed in map(from_global_id, seen) if parsed is not None]
    assert len(pks) == 10 and pks == sorted(pks, reverse=True)  # newest first


async def test_filters_by_status_and_endpoint_and_refuses_a_bad_cursor(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.ADMIN)
    first_ep, _ = await _log(session, shop, settings, 3)
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == first_ep)
        .values(status="DELIVERED")
    )
    await session.commit()
    delivered = await gql_data(client, token, PAGE, status="DELIVERED", first=2)
    conn = delivered["webhookDeliveries"]
    assert conn["totalCount"] == 3 and len(conn["edges"]) == 2
    assert {e["node"]["status"] for e in conn["edges"]} == {"DELIVERED"}
    rest = await gql_data(
        client, token, PAGE, status="DELIVERED", first=2, after=conn["pageInfo"]["endCursor"]
    )
    assert len(rest["webhookDeliveries"]["edges"]) == 1
    assert not rest["webhookDeliveries"]["pageInfo"]["hasNextPage"]
    by_endpoint = await gql_data(
        client, token, PAGE, endpoint=to_global_id("WebhookEndpoint", first_ep)
    )
    assert by_endpoint["webhookDeliveries"]["totalCount"] == 3
    wrong_kind = await gql_data(client, token, PAGE, endpoint=to_global_id("Order", first_ep))
    assert wrong_kind["webhookDeliveries"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }
    bad = await gql(client, token, PAGE, {"after": "nope"})
    assert "not a cursor" in bad["errors"][0]["message"]
    too_big = await gql(client, token, PAGE, {"first": 101})
    assert "first" in too_big["errors"][0]["message"]
    bad_status = await gql(client, token, PAGE, {"status": "LOST"})
    assert "status" in bad_status["errors"][0]["message"]
