"""/static/: vendored bundles pinned by vendor/graphiql, their licences, cache headers."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.config import Settings
from service.web.static import IMMUTABLE, REVALIDATE, STATIC_DIR, vendor_dir, vendored_versions

ROOT = Path(__file__).resolve().parents[2]
VENDOR_SOURCE = ROOT / "vendor" / "graphiql"
VENDOR_DIR = STATIC_DIR / "vendor"
GRAPHIQL_JS = f"/static/vendor/{vendor_dir('graphiql')}/graphiql.min.js"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    await app.state.engine.dispose()


def test_vendored_versions_are_the_ones_pinned_and_locked() -> None:
    pins = json.loads((VENDOR_SOURCE / "package.json").read_text())["dependencies"]
    locked = json.loads((VENDOR_SOURCE / "package-lock.json").read_text())["packages"]
    assert vendored_versions() == pins
    for name, version in pins.items():
        assert locked[f"node_modules/{name}"]["version"] == version


def test_every_vendored_folder_is_listed_and_carries_its_licence() -> None:
    folders = {p.name for p in VENDOR_DIR.iterdir() if p.is_dir()}
    assert folders == {vendor_dir(name) for name in vendored_versions()}
    for folder in folders:
        licence = (VENDOR_DIR / folder / "LICENSE").read_text()
        assert "MIT License" in licence, folder


async def test_versioned_files_are_immutable_and_own_files_revalidate(
    client: httpx.AsyncClient,
) -> None:
    vendored = await client.get(GRAPHIQL_JS)
    assert vendored.status_code == 200
    assert vendored.headers["cache-control"] == IMMUTABLE
    own = await client.get("/static/graphiql/start.js")
    assert own.headers["cache-control"] == REVALIDATE
    assert own.headers["x-content-type-options"] == "nosniff"
    # An unchanged file costs a 304 on revalidation.
    again = await client.get(
        "/static/graphiql/start.js", headers={"If-None-Match": own.headers["etag"]}
    )
    assert again.status_code == 304


async def test_the_big_bundle_is_sent_gzipped(client: httpx.AsyncClient) -> None:
    original = (STATIC_DIR / GRAPHIQL_JS.removeprefix("/static/")).read_bytes()
    async with client.stream("GET", GRAPHIQL_JS, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip"
        sent = b"".join([chunk async for chunk in response.aiter_raw()])
    assert gzip.decompress(sent) == original
    assert len(sent) < len(original) / 3


@pytest.mark.parametrize(
    "path",
    ["/static/../app.py", "/static/%2e%2e/graphiql.py", "/static/vendor/", "/static/nope.js"],
)
async def test_nothing_outside_the_static_folder_is_served(
    client: httpx.AsyncClient, path: str
) -> None:
    assert (await client.get(path)).status_code == 404
