"""A real uvicorn process drains in-flight requests on SIGTERM and refuses new ones."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from tests.observability.conftest import make_client

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
CONCURRENT = 30
SLEEP_S = 2.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def can_connect(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.observability.testapp", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while not can_connect(port):
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"server did not start:\n{output}")
            time.sleep(0.1)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


async def test_sigterm_lets_in_flight_requests_finish_then_refuses_connections(
    server: tuple[subprocess.Popen[bytes], int],
) -> None:
    # given: 30 slow requests in flight
    process, port = server
    base = f"http://{HOST}:{port}"
    limits = httpx.Limits(max_connections=CONCURRENT + 5)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=15) as client:
        calls = [
            asyncio.create_task(client.get("/sleep", params={"s": SLEEP_S}))
            for _ in range(CONCURRENT)
        ]
        async with httpx.AsyncClient(base_url=base, timeout=5) as probe:
            for _ in range(50):
                in_flight = (await probe.get("/in-flight")).json()["in_flight"]
                if in_flight > CONCURRENT:  # the probe request counts itself
                    break
                await asyncio.sleep(0.05)
            assert in_flight > CONCURRENT

        # when
        process.send_signal(signal.SIGTERM)

        # then: new connections are refused soon, while the old ones still run
        refused = False
        for _ in range(20):
            await asyncio.sleep(0.1)
            if not can_connect(port):
                refused = True
                break
        assert refused
        assert not all(call.done() for call in calls)

        responses = await asyncio.wait_for(asyncio.gather(*calls), timeout=15)

    assert [r.status_code for r in responses] == [200] * CONCURRENT
    assert all(r.json() == {"slept": SLEEP_S} for r in responses)
    returncode = await asyncio.to_thread(process.wait, 15)
    # uvicorn re-raises the captured SIGTERM once drained, so either is a clean end
    assert returncode in (0, -signal.SIGTERM)
    output = process.stdout.read().decode() if process.stdout else ""
    assert '"msg":"draining"' in output
    assert not can_connect(port)


async def test_readyz_turns_503_once_shutdown_begins(
    app_factory: Callable[..., Starlette],
) -> None:
    # given
    app = app_factory()
    async with make_client(app) as client:
        assert (await client.get("/readyz")).status_code == 200

        # when
        app.state.lifecycle.begin_shutdown()

        # then
        assert (await client.get("/readyz")).status_code == 503
        assert (await client.get("/healthz")).status_code == 200


def test_signal_handler_marks_lifecycle_draining(app_factory: Callable[..., Starlette]) -> None:
    from service.config import Settings
    from service.server import build_server

    app = app_factory()
    server = build_server(app, host=HOST, port=free_port(), settings=Settings())
    server.handle_exit(signal.SIGTERM, None)
    assert app.state.lifecycle.shutting_down
    assert server.should_exit
    assert server.config.timeout_graceful_shutdown == Settings().shutdown_timeout_s
