"""/subgraph is a federation subgraph: `_service { sdl }` shows the entities' keys,
`_entities` resolves them within the caller's shop only, batched; /graphql and the plain
SDL gain none of it."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import build_schema
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db.models import Role
from service.graphql.federation import FEDERATION_SDL_PATH, render_federation_sdl
from service.graphql.relay import to_global_id
from service.graphql.sdl import SDL_PATH, render_sdl
from tests.conftest import make_shop, make_token
from tests.factories import make_order, make_refund, make_shipment
from tests.graphql.helpers import count_statements, gql

ENTITIES = """
query($reps: [_Any!]!) {
  _entities(representations: $reps) {
    __typename
    ... on Order { id orderNumber platform decision { ruleId } }
    ... on Shipment { id trackingNumber }
    ... on RefundRequest { id refundNumber decision { ruleId } }
  }
}
"""


async def subgraph(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/subgraph",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_committed_federation_sdl_matches_the_code() -> None:
    assert FEDERATION_SDL_PATH.read_text(encoding="utf-8") == render_federation_sdl(), (
        "schema/schema.federation.graphql is stale: run `python -m service.graphql.sdl`"
        " and commit it"
    )


def test_the_federation_sdl_keys_the_three_entities_and_the_plain_sdl_has_no_trace_of_it() -> None:
    federation = render_federation_sdl()
    assert 'type Order implements Node @key(fields: "id", resolvable: true) @key(fields:' in (
        federation
    )
    assert '@key(fields: "platform orderNumber", resolvable: true)' in federation
    for name in ("Shipment", "RefundRequest"):
        assert f'type {name} implements Node @key(fields: "id", resolvable: true) {{' in federation
    assert "union _Entity = Order | RefundRequest | Shipment" in federation
    assert '@link(url: "https://specs.apollo.dev/federation/' in federation
    # The plain schema, built after the federation one in this process, is untouched.
    plain = render_sdl()
    assert plain == SDL_PATH.read_text(encoding="utf-8")
    for federation_only in ("@key", "_entities", "_service", "_Any", "_FieldSet", "@link"):
        assert federation_only not in plain, federation_only
    served = build_schema(plain)
    assert served.get_directive("key") is None


async def test_service_sdl_over_http_is_the_exported_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session), Role.AGENT)
    body = await subgraph(client, token, "{ _service { sdl } }")
    assert body["data"]["_service"]["sdl"] == FEDERATION_SDL_PATH.read_text(encoding="utf-8")
    plain = await gql(client, token, "{ _service { sdl } }")
    assert plain["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_entities_resolve_by_id_and_by_order_number_within_the_shop(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given shop A with an order, its parcel and a refund request, and shop B
    shop_a = await make_shop(session, "shop-a")
    order = await make_order(session, shop_a, "A-1")
    shipment = await make_shipment(session, order, tracking_number="ZT-A")
    refund = await make_refund(session, order, "RF-A")
    token_a = await make_token(session, shop_a, Role.AGENT)
    shop_b = await make_shop(session, "shop-b")
    token_b = await make_token(session, shop_b, Role.AGENT)
    order_id = to_global_id("Order", order.id)
    reps = [
        {"__typename": "Order", "id": order_id},
        {"__typename": "Shipment", "id": to_global_id("Shipment", shipment.id)},
        {"__typename": "RefundRequest", "id": to_global_id("RefundRequest", refund.id)},
        {"__typename": "Order", "platform": "PDD", "orderNumber": "A-1"},
        # names nothing: another platform's number, an id of another type, garbage
        {"__typename": "Order", "platform": "KUAISHOU", "orderNumber": "A-1"},
        {"__typename": "Order", "id": to_global_id("Shipment", shipment.id)},
        {"__typename": "Order", "id": "not-an-id"},
        {"__typename": "Order", "platform": "TAOBAO", "orderNumber": "A-1"},
    ]

    # when shop A asks
    body = await subgraph(client, token_a, ENTITIES, {"reps": reps})

    # then its own objects come back in order, with their decisions
    assert "errors" not in body, body
    found = body["data"]["_entities"]
    assert found[0]["id"] == order_id and found[0]["orderNumber"] == "A-1"
    assert found[0]["decision"]["ruleId"]
    assert found[1] == {"__typename": "Shipment", "id": reps[1]["id"], "trackingNumber": "ZT-A"}
    assert found[2]["refundNumber"] == "RF-A" and found[2]["decision"]["ruleId"]
    assert found[3] == found[0]
    assert found[4:] == [None, None, None, None]

    # when shop B asks for the same keys, then every one is null, as with node()
    body_b = await subgraph(client, token_b, ENTITIES, {"reps": reps})
    assert "errors" not in body_b, body_b
    assert body_b["data"]["_entities"] == [None] * len(reps)


async def test_a_malformed_representation_is_an_error_naming_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    order = await make_order(session, shop, "A-1")
    token = await make_token(session, shop, Role.AGENT)
    reps: list[Any] = [
        {"__typename": "Order", "id": to_global_id("Order", order.id)},
        {"__typename": "Order"},
        {"__typename": "Shop", "id": "x"},
        {"__typename": "Shipment", "id": 7},
        "Order",
    ]
    body = await subgraph(client, token, ENTITIES, {"reps": reps})
    entities = body["data"]["_entities"]
    assert entities[0]["orderNumber"] == "A-1"
    assert entities[1:] == [None, None, None, None]
    errors = {tuple(e["path"]): e for e in body["errors"]}
    assert set(errors) == {("_entities", i) for i in range(1, 5)}
    assert (
        "representations[1]: Order needs `id` or `platform` and `orderNumber`"
        in (errors[("_entities", 1)]["message"])
    )
    assert "representations[2]: __typename: 'Shop'" in errors[("_entities", 2)]["message"]
    assert "representations[3]: id: must be a string" in errors[("_entities", 3)]["message"]
    assert "representations[4]" in errors[("_entities", 4)]["message"]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}


async def test_entity_lookups_are_batched(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given 2 and then 12 orders, half asked by id and half by order number
    shop = await make_shop(session)
    orders = [await make_order(session, shop, f"N-{i}") for i in range(12)]
    token = await make_token(session, shop, Role.AGENT)

    def reps(count: int) -> list[dict[str, str]]:
        return [
            {"__typename": "Order", "id": to_global_id("Order", o.id)}
            if i % 2
            else {"__typename": "Order", "platform": "PDD", "orderNumber": o.order_number}
            for i, o in enumerate(orders[:count])
        ]

    # (one request first, so the token and the shop's policy are cached for both)
    await subgraph(client, token, ENTITIES, {"reps": reps(1)})
    # when each page is fetched with its decisions
    with count_statements(engine) as small:
        body_small = await subgraph(client, token, ENTITIES, {"reps": reps(2)})
    with count_statements(engine) as large:
        body_large = await subgraph(client, token, ENTITIES, {"reps": reps(12)})
    # then the statement count does not grow with the number of entities
    assert "errors" not in body_small and "errors" not in body_large
    assert [e["orderNumber"] for e in body_large["data"]["_entities"]] == [
        o.order_number for o in orders
    ]
    assert len(small) == len(large), (small, large)


async def test_too_many_representations_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session), Role.AGENT)
    reps = [{"__typename": "Order", "id": "x"}] * 101
    body = await subgraph(client, token, ENTITIES, {"reps": reps})
    assert body["data"] is None
    assert "representations: at most 100 per call, got 101" in body["errors"][0]["message"]


async def test_subgraph_requires_a_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/subgraph", json={"query": "{ _service { sdl } }"})
    assert response.status_code == 401


def test_every_member_of_ours_in_the_subgraph_is_described() -> None:
    # The federation spec's own scalars and enums come undescribed from strawberry.
    from service.graphql.federation import build_federation_schema
    from service.graphql.lint import undocumented

    spec_members = ("_Any", "_FieldSet", "link__")
    missing = [
        m for m in undocumented(build_federation_schema()._schema) if not m.startswith(spec_members)
    ]
    assert missing == [], missing
