"""A real Apollo Gateway composes aftersales with a second subgraph ("orders", written
with @apollo/subgraph) and one query fetches an order from that service together with
its decision from this one, under the caller's own token.

Needs node and `npm ci` in tests/federation; without them the test skips and says so,
unless AFTERSALES_TEST_REQUIRE_FEDERATION=1 (set by .ci/run), which makes it fail.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
REQUIRE_VAR = "AFTERSALES_TEST_REQUIRE_FEDERATION"
AFTERSALES = Path(sys.executable).with_name("aftersales")
STARTUP_S = 60.0

THROUGH_GATEWAY = """
{ recentOrders { orderNumber platform buyerName decision { ruleId action } } }
"""
DIRECT = """
{ orders(first: 3) { nodes { orderNumber platform decision { ruleId action } } } }
"""


def _skip_or_fail(reason: str) -> None:
    if os.environ.get(REQUIRE_VAR) == "1":
        pytest.fail(f"the gateway test is required ({REQUIRE_VAR}=1) but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def aftersales(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """`aftersales serve --demo` on a scratch SQLite file: its base URL and the env."""
    # Checked first, so a machine without node does not start a server for nothing.
    if shutil.which("node") is None:
        _skip_or_fail("node is not installed")
    if not (HERE / "node_modules" / "@apollo" / "gateway").is_dir():
        _skip_or_fail("tests/federation/node_modules is missing: run `npm ci` there")
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "AFTERSALES_LOG_LEVEL": "WARNING",
    }
    port = _free_port()
    log = (tmp_path / "aftersales.log").open("w")
    server = subprocess.Popen(
        [str(AFTERSALES), "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert server.poll() is None, (tmp_path / "aftersales.log").read_text()
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "aftersales did not become ready"
            time.sleep(0.2)
        yield base, env
    finally:
        _stop(server)
        log.close()


def _token(env: dict[str, str], shop: str, name: str) -> str:
    out = subprocess.run(
        [str(AFTERSALES), "token", "create", "--shop", shop, "--role", "agent", "--name", name],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def _start_supergraph(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    node = shutil.which("node")
    assert node is not None
    process = subprocess.Popen(
        [node, str(HERE / "supergraph.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_S
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([process.stdout], [], [], remaining)
        line = process.stdout.readline() if ready else ""
        if not line:
            break
        if line.startswith("{"):
            return process, str(json.loads(line)["gateway"])
    _stop(process)
    stderr = process.stderr.read() if process.stderr else ""
    pytest.fail(f"the gateway did not start: {stderr}")


def _post(url: str, token: str, query: str) -> dict[str, Any]:
    response = httpx.post(
        url, json={"query": query}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_gateway_joins_an_order_with_its_decision_under_the_callers_token(
    aftersales: tuple[str, dict[str, str]],
) -> None:
    base, env = aftersales
    # given a token of the demo PDD shop, its orders and their decisions as /graphql gives them
    token_pdd = _token(env, "demo-pdd", "caller")
    token_kuaishou = _token(env, "demo-kuaishou", "other-shop")
    direct = _post(f"{base}/graphql", token_pdd, DIRECT)["data"]["orders"]["nodes"]
    assert len(direct) == 3
    # and an order service that knows those orders and their buyers
    orders = [
        {"platform": o["platform"], "orderNumber": o["orderNumber"], "buyerName": f"buyer {i}"}
        for i, o in enumerate(direct)
    ]
    gateway_env = {
        **env,
        "AFTERSALES_SUBGRAPH_URL": f"{base}/subgraph",
        # Composition reads `_service` with a token of its own, from another shop.
        "AFTERSALES_GATEWAY_TOKEN": token_kuaishou,
        "ORDERS_JSON": json.dumps(orders),
    }
    process, gateway = _start_supergraph(gateway_env)
    try:
        # when the caller asks the gateway for the orders with their decisions
        body = _post(gateway, token_pdd, THROUGH_GATEWAY)
        # then each order carries its buyer (orders subgraph) and its decision (aftersales)
        assert "errors" not in body, body
        assert body["data"]["recentOrders"] == [
            {**o, "buyerName": f"buyer {i}"} for i, o in enumerate(direct)
        ]

        # when another shop's token asks for the same orders
        other = _post(gateway, token_kuaishou, THROUGH_GATEWAY)
        # then aftersales resolved none of them for it (the caller's token was forwarded,
        # not the gateway's): the orders come from the orders subgraph, with no decision
        assert [o["orderNumber"] for o in other["data"]["recentOrders"]] == [
            o["orderNumber"] for o in direct
        ], other
        assert all(o["decision"] is None for o in other["data"]["recentOrders"]), other
    finally:
        _stop(process)
