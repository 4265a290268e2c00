"""Named agents: created and deactivated by admins, identified by their tokens."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db.models import Role
from service.graphql.relay import to_global_id
from service.store.tokens import authenticate
from service.team import claims
from service.team.claims import CaseKey
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order
from tests.graphql.helpers import gql, gql_data
from tests.team.helpers import Clock, clocked_client, make_agent

VIEWER = "{ viewer { role agent { id displayName role active } } }"
CREATE = """
mutation Create($name: String!, $role: TokenRole!) {
  createAgent(input: {displayName: $name, role: $role}) {
    agent { id displayName role active } token userErrors { field code message }
  }
}
"""
DEACTIVATE = """
mutation Off($id: ID!) {
  deactivateAgent(input: {agentId: $id}) {
    agent { active deactivatedAt } userErrors { field code message }
  }
}
"""
CLAIM = """
mutation Claim($id: ID!) { claimCase(input: {orderId: $id}) { userErrors { code } } }
"""
RECORD = """
mutation Record($id: ID!) {
  recordAction(input: {orderId: $id, takenAction: UPLOAD_TRACKING}) {
    actionRecord { agent { displayName } } userErrors { code message }
  }
}
"""


async def test_an_admin_creates_an_agent_whose_token_names_them(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    admin = await make_token(session, shop, Role.ADMIN)
    created = (await gql_data(client, admin, CREATE, name="小王 early shift", role="AGENT"))[
        "createAgent"
    ]
    assert created["userErrors"] == []
    assert created["agent"]["displayName"] == "小王 early shift"
    viewer = (await gql_data(client, created["token"], VIEWER))["viewer"]
    assert viewer == {"role": "AGENT", "agent": created["agent"]}
    # a shop-level token names no agent
    assert (await gql_data(client, admin, VIEWER))["viewer"] == {"role": "ADMIN", "agent": None}


async def test_create_agent_refuses_bad_input_and_non_admins(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    admin = await make_token(session, shop, Role.ADMIN)
    _, agent_token = await make_agent(session, shop, "Li")
    refused = await gql_data(client, agent_token, CREATE, name="X", role="AGENT")
    assert [e["code"] for e in refused["createAgent"]["userErrors"]] == ["FORBIDDEN"]
    bad = (await gql_data(client, admin, CREATE, name="  ", role="INTEGRATION"))["createAgent"]
    assert {(tuple(e["field"]), e["code"]) for e in bad["userErrors"]} == {
        (("input", "displayName"), "REQUIRED"),
        (("input", "role"), "INVALID"),
    }
    assert bad["agent"] is None and bad["token"] is None
    agents = (await gql_data(client, admin, "{ agents { displayName } }"))["agents"]
    assert agents == [{"displayName": "Li"}]


async def test_deactivation_revokes_the_agents_tokens(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    admin = await make_token(session, shop, Role.ADMIN)
    agent_id, agent_token = await make_agent(session, shop, "Zhang")
    # token_cache_ttl_s=0: the bound is zero, so the very next request sees it.
    order = await make_order(session, shop, "PO-1")
    await session.commit()
    order_id = to_global_id("Order", order.id)
    async with clocked_client(settings, engine, Clock(), token_cache_ttl_s=0) as client:
        assert (await gql_data(client, agent_token, VIEWER))["viewer"]["agent"]["id"] == agent_id
        claimed = await gql_data(client, agent_token, CLAIM, id=order_id)
        assert claimed["claimCase"]["userErrors"] == []
        off = (await gql_data(client, admin, DEACTIVATE, id=agent_id))["deactivateAgent"]
        assert off["userErrors"] == [] and off["agent"]["active"] is False
        refused = await client.post(
            "/graphql",
            json={"query": VIEWER},
            headers={"Authorization": f"Bearer {agent_token}"},
        )
        assert refused.status_code == 401
    assert await authenticate(session, agent_token) is None
    # their claim ended with them
    assert await claims.holds(session, shop.id, [CaseKey(claims.ORDER, order.id)], NOW) == {}
    # the admin's shop-level token is untouched
    assert await authenticate(session, admin) is not None


async def test_another_shops_agents_are_invisible(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop_a = await make_shop(session, "shop-a")
    shop_b = await make_shop(session, "shop-b")
    agent_a, _ = await make_agent(session, shop_a, "A-agent")
    admin_b = await make_token(session, shop_b, Role.ADMIN)
    assert (await gql_data(client, admin_b, "{ agents { id } }"))["agents"] == []
    off = (await gql_data(client, admin_b, DEACTIVATE, id=agent_a))["deactivateAgent"]
    assert [e["code"] for e in off["userErrors"]] == ["NOT_FOUND"]
    viewer_a = await authenticate(session, (await make_agent(session, shop_a, "A2"))[1])
    assert viewer_a is not None and viewer_a.shop_id == shop_a.id


async def test_an_action_record_names_the_agent_who_recorded_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    order = await make_order(session, shop, "PO-1")
    await session.commit()
    _, token = await make_agent(session, shop, "Chen")
    body = await gql(client, token, RECORD, {"id": to_global_id("Order", order.id)})
    record = body["data"]["recordAction"]
    assert record["userErrors"] == []
    assert record["actionRecord"]["agent"] == {"displayName": "Chen"}
    # a shop-level admin token records with no agent
    admin = await make_token(session, shop, Role.ADMIN)
    body = await gql(client, admin, RECORD, {"id": to_global_id("Order", order.id)})
    assert body["data"]["recordAction"]["actionRecord"]["agent"] is None
