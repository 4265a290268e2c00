"""The GraphiQL page and everything it loads, fetched from the app in-process.

The page needs no database: the app is built on a SQLite file that is never opened."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from graphql import build_schema, parse, validate

from service.config import Settings
from service.graphql.sdl import SDL_PATH
from service.web.graphiql import HEADERS_TEMPLATE, graphiql_page, read_template, script_json
from tests.web.conftest import ClientFactory
from tests.web.references import (
    CDN_URL,
    css_references,
    is_external,
    js_references,
    parse_page,
)

HTML = {"Accept": "text/html,application/xhtml+xml"}
TOKEN = "aft_demo-token-for-the-page-test"
FIRST_QUERY = read_template("first_query.graphql")
CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".svg": ("image/svg+xml",),
}


def page_config(html: str) -> dict[str, str]:
    config = json.loads(parse_page(html).scripts["graphiql-config"])
    assert isinstance(config, dict)
    return config


async def test_page_and_every_asset_it_loads_come_from_the_app(app_client: ClientFactory) -> None:
    async with app_client(demo_token=TOKEN) as client:
        # given the page a browser gets at /graphql
        page = await client.get("/graphql", headers=HTML)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        parsed = parse_page(page.text)
        # then it references no other origin and runs no inline code
        assert parsed.references, "the page loads nothing?"
        assert [r for r in parsed.references if is_external(r)] == []
        assert not CDN_URL.search(page.text)
        assert [code for code in parsed.inline_code if code.strip()] == []
        # and every asset, and whatever the assets load in turn, is served by the app
        fetched: dict[str, httpx.Response] = {}
        pending = [urljoin(str(page.url), ref) for ref in parsed.references]
        while pending:
            url = pending.pop()
            if url in fetched:
                continue
            assert urlsplit(url).netloc == "test", f"{url} is not on the page's origin"
            response = await client.get(url)
            assert response.status_code == 200, url
            fetched[url] = response
            kinds = CONTENT_TYPES[Path(urlsplit(url).path).suffix]
            assert response.headers["content-type"].split(";")[0] in kinds, url
            text = response.text
            assert not CDN_URL.search(text), f"{url} loads from a CDN: {CDN_URL.search(text)}"
            found = js_references(text) if url.endswith(".js") else css_references(text)
            assert [r for r in found if is_external(r)] == [], url
            pending += [urljoin(url, ref) for ref in found]
    paths = sorted(urlsplit(url).path for url in fetched)
    assert any(p.endswith("/graphiql.min.js") for p in paths), paths
    assert any(p.endswith("/react-dom.production.min.js") for p in paths), paths
    assert any(p.endswith("/graphiql.min.css") for p in paths), paths


async def test_demo_page_carries_the_token_and_the_first_query(
    app_client: ClientFactory,
) -> None:
    async with app_client(demo_token=TOKEN) as client:
        page = await client.get("/graphql", headers=HTML)
    config = page_config(page.text)
    assert json.loads(config["headers"]) == {"Authorization": f"Bearer {TOKEN}"}
    assert config["query"] == FIRST_QUERY
    assert "workQueue(first: 10)" in config["query"]
    # A page holding a token is kept by no cache, and its scripts come from here only.
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_without_demo_the_page_has_no_token_only_where_it_goes(
    app_client: ClientFactory,
) -> None:
    async with app_client() as client:
        page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    config = page_config(page.text)
    assert "headers" not in config
    assert config["defaultHeaders"] == HEADERS_TEMPLATE
    assert "aft_" not in page.text
    assert config["query"] == FIRST_QUERY


async def test_prod_serves_no_page_even_with_a_token(app_client: ClientFactory) -> None:
    async with app_client(env="prod", demo_token=TOKEN) as client:
        page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 404
    assert TOKEN not in page.text
    settings = Settings(database_url="sqlite+aiosqlite:///unused.db", env="prod")  # type: ignore[arg-type]
    assert graphiql_page(settings, demo_token=TOKEN) is None


async def test_a_query_in_the_url_is_still_run_not_answered_with_the_page(
    app_client: ClientFactory,
) -> None:
    async with app_client(demo_token=TOKEN) as client:
        response = await client.get("/graphql?query={__typename}", headers=HTML)
    # No Authorization header: the GraphQL endpoint answered, not the page.
    assert response.status_code == 401
    assert TOKEN not in response.text


@pytest.mark.parametrize(
    "token",
    [
        "</script><script>alert(1)</script>",
        "<!--<script>",
        '"}; alert(1); {"',
        "\u2028&amp;<b>$static</b>",
    ],
)
async def test_a_hostile_token_stays_data(app_client: ClientFactory, token: str) -> None:
    async with app_client(demo_token=token) as client:
        page = await client.get("/graphql", headers=HTML)
    parsed = parse_page(page.text)
    # The page still has exactly its own elements and the value reads back unchanged.
    assert [code for code in parsed.inline_code if code.strip()] == []
    assert page.text.count("<script") == 5
    assert json.loads(page_config(page.text)["headers"])["Authorization"] == f"Bearer {token}"


def test_script_json_leaves_no_markup() -> None:
    value = {"a": "</script><!-- & >"}
    text = script_json(value)
    assert not {"<", ">", "&"} & set(text)
    assert json.loads(text) == value


async def test_asset_urls_follow_the_root_path(app_client: ClientFactory) -> None:
    async with app_client(root_path="/aftersales") as client:
        page = await client.get("/aftersales/graphql", headers=HTML)
        references = parse_page(page.text).references
        assert references and all(r.startswith("/aftersales/static/") for r in references)
        for reference in references:
            assert (await client.get(reference)).status_code == 200, reference


def test_first_query_is_valid_against_the_committed_schema() -> None:
    schema = build_schema(SDL_PATH.read_text(encoding="utf-8"))
    assert validate(schema, parse(FIRST_QUERY)) == []
