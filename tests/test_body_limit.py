"""Request bodies over AFTERSALES_MAX_BODY_BYTES are refused with a JSON 413 before
they are read in full."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.app import create_app
from service.config import Settings
from tests.conftest import make_shop, make_token
from tests.factories import NOW

LIMIT = 4096


@pytest.fixture
async def limited(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    app = create_app(
        settings.model_copy(update={"max_body_bytes": LIMIT}), engine=engine, clock=lambda: NOW
    )
    token = await make_token(session, await make_shop(session))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, headers


def body_of(size: int) -> bytes:
    """A valid request of exactly ``size`` bytes (padded with insignificant spaces)."""
    core = json.dumps({"query": "{ __typename }"}).encode()
    return core[:-1] + b" " * (size - len(core)) + b"}"


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert str(LIMIT) in error["message"]


async def test_a_body_at_the_limit_is_served(
    limited: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, headers = limited
    response = await client.post("/graphql", content=body_of(LIMIT), headers=headers)
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_declared_length_over_the_limit_is_413(
    limited: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, headers = limited
    assert_too_large(await client.post("/graphql", content=body_of(LIMIT + 1), headers=headers))


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(
    limited: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    # given a body with no Content-Length that would go on for 10 MiB
    client, headers = limited
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(10 * 1024):
            sent += 1
            yield b"x" * 1024

    # when
    response = await client.post("/graphql", content=chunks(), headers=headers)
    # then it is refused, having read little more than the limit
    assert_too_large(response)
    assert sent <= LIMIT // 1024 + 2


async def test_the_default_limit_is_one_mebibyte() -> None:
    assert Settings.model_fields["max_body_bytes"].default == 1024 * 1024
