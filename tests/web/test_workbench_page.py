"""The workbench page at /app/ and everything it loads, fetched from the app in-process,
and its GraphQL documents checked against the committed schema.

The page needs no database: the app is built on a SQLite file that is never opened."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from graphql import build_schema, parse, validate

from service.graphql.sdl import SDL_PATH
from service.web.static import STATIC_DIR
from tests.web.conftest import ClientFactory
from tests.web.references import CDN_URL, css_references, is_external, js_references, parse_page

HTML = {"Accept": "text/html,application/xhtml+xml"}
TOKEN = "aft_demo-token-for-the-workbench-test"
CONTENT_TYPES = {".js": ("text/javascript", "application/javascript"), ".css": ("text/css",)}
API_JS = STATIC_DIR / "app" / "api.js"


def page_config(html: str) -> dict[str, str]:
    config = json.loads(parse_page(html).scripts["workbench-config"])
    assert isinstance(config, dict)
    return config


async def test_page_and_every_module_it_imports_come_from_the_app(
    app_client: ClientFactory,
) -> None:
    async with app_client(demo_token=TOKEN) as client:
        page = await client.get("/app/", headers=HTML)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        parsed = parse_page(page.text)
        assert [code for code in parsed.inline_code if code.strip()] == []
        assert [r for r in parsed.references if is_external(r)] == []
        fetched: set[str] = set()
        pending = [urljoin(str(page.url), ref) for ref in parsed.references]
        while pending:
            url = pending.pop()
            if url in fetched:
                continue
            assert urlsplit(url).netloc == "test", f"{url} is not on the page's origin"
            response = await client.get(url)
            assert response.status_code == 200, url
            fetched.add(url)
            suffix = Path(urlsplit(url).path).suffix
            if suffix not in CONTENT_TYPES:
                continue
            assert response.headers["content-type"].split(";")[0] in CONTENT_TYPES[suffix], url
            assert not CDN_URL.search(response.text), url
            found = (
                js_references(response.text) if suffix == ".js" else css_references(response.text)
            )
            assert [r for r in found if is_external(r)] == [], url
            pending += [urljoin(url, ref) for ref in found]
    # The module graph was followed: main.js imports the others.
    names = {Path(urlsplit(url).path).name for url in fetched}
    assert {"main.js", "api.js", "i18n.js", "time.js", "dom.js", "live.js", "app.css"} <= names


async def test_demo_token_is_in_the_page_only_in_dev_with_demo(app_client: ClientFactory) -> None:
    async with app_client(demo_token=TOKEN) as client:
        demo = page_config((await client.get("/app/")).text)
    async with app_client() as client:
        plain = (await client.get("/app/")).text
    async with app_client(env="prod", demo_token=TOKEN) as client:
        prod = (await client.get("/app/")).text
    assert demo == {"graphql": "/graphql", "demoToken": TOKEN}
    assert page_config(plain) == {"graphql": "/graphql"}
    assert "aft_" not in plain
    assert TOKEN not in prod and page_config(prod) == {"graphql": "/graphql"}


async def test_app_without_slash_redirects_and_urls_follow_the_root_path(
    app_client: ClientFactory,
) -> None:
    async with app_client(root_path="/aftersales") as client:
        redirect = await client.get("/aftersales/app")
        assert redirect.status_code == 308
        assert redirect.headers["location"] == "/aftersales/app/"
        page = await client.get("/aftersales/app/")
        assert page_config(page.text)["graphql"] == "/aftersales/graphql"
        references = parse_page(page.text).references
        assert references and all(r.startswith("/aftersales/static/") for r in references)


@pytest.mark.parametrize("token", ["</script><script>alert(1)</script>", '"}; alert(1); {"'])
async def test_a_hostile_demo_token_stays_data(app_client: ClientFactory, token: str) -> None:
    async with app_client(demo_token=token) as client:
        page = await client.get("/app/")
    assert [code for code in parse_page(page.text).inline_code if code.strip()] == []
    assert page.text.count("<script") == 2
    assert page_config(page.text)["demoToken"] == token


def graphql_documents() -> dict[str, str]:
    """The exported GraphQL documents of api.js with their ${FRAGMENT} parts filled in."""
    source = API_JS.read_text(encoding="utf-8")
    parts = dict(re.findall(r"^const (\w+) = `([^`]*)`;", source, re.MULTILINE))
    documents = dict(re.findall(r"^export const (\w+) = `([^`]*)`;", source, re.MULTILINE))

    def fill(text: str) -> str:
        return re.sub(r"\$\{(\w+)\}", lambda m: parts[m.group(1)], text)

    return {name: fill(text) for name, text in documents.items()}


def test_the_workbench_documents_are_valid_against_the_committed_schema() -> None:
    documents = graphql_documents()
    assert set(documents) == {
        "QUEUE_QUERY",
        "CASE_QUERY",
        "RECORD_ACTION",
        "CLAIM_CASE",
        "RELEASE_CLAIM",
        "GROUPS_QUERY",
        "GROUP_CASES_QUERY",
        "RECORD_ACTIONS",
        "CASE_EVENTS",
    }
    schema = build_schema(SDL_PATH.read_text(encoding="utf-8"))
    for name, text in documents.items():
        assert validate(schema, parse(text)) == [], name
