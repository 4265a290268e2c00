"""Managing webhook endpoints and reading / replaying the delivery log over GraphQL."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from standardwebhooks.webhooks import Webhook

from service.config import Settings
from service.db.engine import create_sessionmaker
from service.db.models import Role
from service.events import types
from service.events.delivery import Deliverer
from service.store.refresher import Refresher
from tests.conftest import make_shop, make_token
from tests.events.receiver import receiver
from tests.events.test_webhooks import Clock, _refund_case
from tests.graphql.helpers import gql

CREATE = """mutation($url: String!, $types: [String!]!) {
  createWebhookEndpoint(input: {url: $url, eventTypes: $types}) {
    endpoint { id url eventTypes enabled } secret userErrors { field code message }
  }
}"""
LOG = """{ webhookDeliveries(first: 10) { nodes { id eventType status attempts lastStatusCode
  lastLatencyMs } } webhookEndpoints { id url enabled } }"""
REPLAY = """mutation($id: ID!) { replayWebhookDelivery(id: $id) {
  delivery { id status } userErrors { field code } } }"""


async def test_an_admin_creates_an_endpoint_reads_the_log_and_replays(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.ADMIN)
    with receiver() as rec:
        made = await gql(client, token, CREATE, {"url": rec.url, "types": [types.OVERDUE]})
        payload = made["data"]["createWebhookEndpoint"]
        assert payload["userErrors"] == [] and payload["secret"].startswith("whsec_")
        state = await _refund_case(session, shop)
        assert state.due_at is not None
        clock = Clock(state.due_at + timedelta(minutes=1))
        sm = create_sessionmaker(engine)
        deliverer = Deliverer(sm, settings, clock=clock)
        try:
            await Refresher(sm, clock=clock).run_once()
            await deliverer.run_once()
            log = (await gql(client, token, LOG))["data"]
            [delivery] = log["webhookDeliveries"]["nodes"]
            assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == (
                "DELIVERED",
                1,
                200,
            )
            assert log["webhookEndpoints"][0]["url"] == rec.url
            replayed = await gql(client, token, REPLAY, {"id": delivery["id"]})
            assert replayed["data"]["replayWebhookDelivery"]["delivery"]["status"] == "PENDING"
            await deliverer.run_once()
        finally:
            await deliverer.aclose()
    assert len(rec.got) == 2 and len(set(rec.ids())) == 1
    Webhook(payload["secret"]).verify(rec.got[1].body, rec.got[1].headers)


async def test_endpoints_need_an_admin_and_a_valid_url(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(session)
    agent = await make_token(session, shop, Role.AGENT)
    admin = await make_token(session, shop, Role.ADMIN)
    denied = await gql(client, agent, CREATE, {"url": "https://example.com/h", "types": []})
    assert denied["data"]["createWebhookEndpoint"]["userErrors"][0]["code"] == "FORBIDDEN"
    bad = await gql(client, admin, CREATE, {"url": "file:///etc/passwd", "types": []})
    errors = bad["data"]["createWebhookEndpoint"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "url"], "INVALID")]
    unknown = await gql(client, admin, CREATE, {"url": "https://example.com/h", "types": ["x"]})
    errors = unknown["data"]["createWebhookEndpoint"]["userErrors"]
    assert [e["field"] for e in errors] == [["input", "eventTypes"]]
    other = await make_shop(session, "shop-b")
    other_admin = await make_token(session, other, Role.ADMIN)
    assert (await gql(client, other_admin, LOG))["data"]["webhookEndpoints"] == []
