"""``aftersales serve`` over real HTTP: the GraphiQL page it serves and the token in it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from service.web.graphiql import read_template
from tests.web.references import parse_page
from tests.web.server import Server, run_cli, serve

HTML = {"Accept": "text/html"}


def get_page(server: Server) -> tuple[str, dict[str, str]]:
    page = httpx.get(f"{server.base_url}/graphql", headers=HTML, trust_env=False)
    assert page.status_code == 200
    config = json.loads(parse_page(page.text).scripts["graphiql-config"])
    return page.text, config


def test_serve_demo_prints_the_address_and_the_page_runs_its_query(demo_server: Server) -> None:
    # given what `serve --demo` printed
    assert f"GraphiQL:   {demo_server.base_url}/graphql (works offline;" in demo_server.output
    token = demo_server.demo_token
    # when the page is fetched
    _, config = get_page(demo_server)
    # then it carries that token, and its first query, sent with those headers, answers
    headers = json.loads(config["headers"])
    assert headers == {"Authorization": f"Bearer {token}"}
    answer = httpx.post(
        f"{demo_server.base_url}/graphql",
        json={"query": config["query"]},
        headers=headers,
        trust_env=False,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body
    assert body["data"]["workQueue"]["edges"], "the demo queue is empty"
    assert config["query"] == read_template("first_query.graphql")


def test_serve_without_demo_never_embeds_a_token(tmp_path: Path) -> None:
    # given a database with demo data and a token made by hand
    run_cli("migrate", workdir=tmp_path)
    run_cli("seed-demo", workdir=tmp_path)
    token = run_cli(
        "token", "create", "--shop", "demo-pdd", "--role", "admin", workdir=tmp_path
    ).strip()
    # when the service runs without --demo
    with serve(workdir=tmp_path) as server:
        text, config = get_page(server)
        works = httpx.post(
            f"{server.base_url}/graphql",
            json={"query": "{ shop { slug } }"},
            headers={"Authorization": f"Bearer {token}"},
            trust_env=False,
        )
    # then the page holds no token, while the token itself is valid
    assert works.json()["data"] == {"shop": {"slug": "demo-pdd"}}
    assert token not in text
    assert "headers" not in config
    assert "put a token in its Headers tab" in server.output
    assert "Demo token" not in server.output
