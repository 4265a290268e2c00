"""The app skeleton: probes, authentication, one session per request."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.config import Settings
from tests.conftest import make_shop, make_token

TYPENAME = {"query": "{ __typename }"}


async def test_healthz_is_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


async def test_readyz_ready_when_migrated(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"


async def test_readyz_503_names_the_reason_when_not_migrated(tmp_path: Path) -> None:
    # given a database that was never migrated
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    app = create_app(settings)
    # when
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/readyz")
    # then
    assert response.status_code == 503
    assert "aftersales migrate" in response.json()["reason"]
    await app.state.engine.dispose()


async def test_readyz_503_when_shutting_down(app: object, client: httpx.AsyncClient) -> None:
    app.state.lifecycle.begin_shutdown()  # type: ignore[attr-defined]
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"] == "shutting down"


async def test_graphql_without_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=TYPENAME)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_graphql_with_unknown_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json=TYPENAME, headers={"Authorization": "Bearer aft_not-a-real-token"}
    )
    assert response.status_code == 401


async def test_graphql_answers_typename_with_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session))
    response = await client.post(
        "/graphql", json=TYPENAME, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_graphiql_page_served_in_dev(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_graphiql_page_not_served_in_prod(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db", env="prod")  # type: ignore[arg-type]
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404
    await app.state.engine.dispose()


async def test_documents_are_bounded_and_every_rejection_is_coded(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session))
    headers = {"Authorization": f"Bearer {token}"}
    aliases = "{ " + " ".join(f"a{i}: shop {{ slug }}" for i in range(31)) + " }"
    # first: 0 keeps the deep document cheap, so the depth limit is what refuses it.
    deep = (
        "{ orders(first: 0) { nodes { " + "shipments { order { " * 6 + "id" + " } }" * 6 + " } } }"
    )
    costly = "{ orders(first: 100) { nodes { shipments { events { kind } } } } }"
    huge = "{ " + " ".join(["__typename"] * 6000) + " }"
    for document, code in (
        (aliases, "GRAPHQL_VALIDATION_FAILED"),
        (deep, "GRAPHQL_VALIDATION_FAILED"),
        (costly, "MAX_COST_EXCEEDED"),
        (huge, "GRAPHQL_PARSE_FAILED"),
        ("{ shop {", "GRAPHQL_PARSE_FAILED"),
    ):
        response = await client.post("/graphql", json={"query": document}, headers=headers)
        body = response.json()
        assert body.get("data") is None, document[:60]
        assert body["errors"][0]["extensions"]["code"] == code, body
