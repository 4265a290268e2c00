"""``caseEvents`` over a real websocket (graphql-transport-ws) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import uvicorn
import websockets
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.app import create_app
from service.config import Settings
from service.db.engine import create_sessionmaker
from service.db.models import Role
from service.events import types
from service.store.refresher import Refresher
from tests.conftest import make_shop, make_token
from tests.events.test_webhooks import Clock, _refund_case

SUBSCRIBE = "subscription($t: [String!]) { caseEvents(types: $t) { id type refundRequestId } }"


@contextmanager
def server(settings: Settings) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(settings.model_copy(update={"refresh_interval_s": 0, "deliver_interval_s": 0}))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    # On PostgreSQL events reach subscribers through the app's LISTEN connection.
    listener = app.state.event_listener
    while listener is not None and not listener.connected.is_set():
        assert time.monotonic() < deadline, "the event listener did not connect"
        time.sleep(0.02)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        srv.should_exit = True
        thread.join(10)


async def _subscribe(url: str, token: str, kinds: list[str] | None) -> Any:
    ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ack["type"] == "connection_ack"
    message = {"query": SUBSCRIBE, "variables": {"t": kinds}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
    return ws


async def test_a_dashboard_receives_its_shops_event_and_another_shop_does_not(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    shop = await make_shop(session)
    other = await make_shop(session, "shop-b")
    token = await make_token(session, shop, Role.AGENT)
    other_token = await make_token(session, other, Role.AGENT)
    state = await _refund_case(session, shop)
    assert state.due_at is not None
    with server(settings) as url:
        mine = await _subscribe(url, token, [types.OVERDUE])
        theirs = await _subscribe(url, other_token, None)
        try:
            await asyncio.sleep(0.3)  # the subscriptions are registered
            clock = Clock(state.due_at + timedelta(minutes=1))
            await Refresher(create_sessionmaker(engine), clock=clock).run_once()
            got = json.loads(await asyncio.wait_for(mine.recv(), 10))
            assert got["type"] == "next"
            event = got["payload"]["data"]["caseEvents"]
            assert event["type"] == types.OVERDUE and event["refundRequestId"]
            # the other shop's socket gets nothing
            try:
                extra = await asyncio.wait_for(theirs.recv(), 0.5)
            except TimeoutError:
                extra = None
            assert extra is None
        finally:
            await mine.close()
            await theirs.close()


async def test_a_socket_without_a_valid_token_is_refused(settings: Settings) -> None:
    with server(settings) as url:
        ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": "nope"}}))
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as exc:
            assert exc.rcvd is not None and exc.rcvd.code == 4403
        else:
            raise AssertionError("the socket was not closed")
