"""DNS pinning: a delivery connects to the address its check approved, never to one a
second DNS answer (rebinding) names; Host and TLS server name stay the URL's host."""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import trustme
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Environment, Settings
from service.db.engine import create_sessionmaker
from service.db.models import WebhookDelivery
from service.events import outbox
from service.events.addresses import PinnedResolver, UnsafeUrl
from service.events.delivery import Deliverer
from service.events.endpoints import create_endpoint
from tests.conftest import make_shop
from tests.events.receiver import receiver

HOST = "hooks.example.test"
PUBLIC = "93.184.216.34"


class Rebinding:
    """A DNS server that answers each lookup with the next of ``answers`` (the last
    one repeated), and counts the lookups."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _tls(ca: trustme.CA, names: list[str]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(server)

    def note_sni(_sock: object, name: str | None, _ctx: object) -> None:
        names.append(name or "")

    server.sni_callback = note_sni
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def _prod(settings: Settings, allowed: str = "") -> Settings:
    return settings.model_copy(
        update={"env": Environment.PROD, "webhook_allowed_hosts": allowed, "webhook_timeout_s": 1}
    )


async def _one_event(session: AsyncSession, settings: Settings, url: str) -> None:
    shop = await make_shop(session)
    # saved under dev settings: the name resolves only through the test's resolver
    await create_endpoint(session, shop.id, url, [], settings)
    now = datetime.now(UTC)
    payload = {"id": "evt_pin", "type": "case.overdue", "timestamp": now.isoformat(), "data": {}}
    ev = {
        "uid": "evt_pin",
        "shop_id": shop.id,
        "type": "case.overdue",
        "dedup_key": "pin:1",
        "case_key": "ORDER:1",
        "payload": payload,
        "created_at": now,
    }
    await session.run_sync(lambda s: outbox.write(s, [ev], now))
    await session.commit()


async def _delivery(session: AsyncSession) -> WebhookDelivery:
    q = select(WebhookDelivery).execution_options(populate_existing=True)
    return (await session.execute(q)).scalar_one()


async def test_the_request_goes_to_the_checked_address_with_the_hosts_name(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, ca: trustme.CA
) -> None:
    # given a name whose first answer is an allowed address (the receiver) and whose
    # later answers point at another loopback address that is not allowed
    sni: list[str] = []
    server_tls, client_tls = _tls(ca, sni)
    dns = Rebinding(["127.0.0.1"], ["127.0.0.2"])
    with receiver(tls=server_tls) as rec:
        port = urlsplit(rec.url).port
        await _one_event(session, settings, f"https://{HOST}:{port}/hook")
        prod = _prod(settings, allowed="127.0.0.1/32")
        sm = create_sessionmaker(engine)
        deliverer = Deliverer(sm, prod, lookup=dns, ssl_context=client_tls)
        try:
            assert await deliverer.run_once() == 1
        finally:
            await deliverer.aclose()
    # then one lookup was made and the request reached the address it approved, named
    # as the URL names it: Host header, TLS server name and certificate
    assert dns.asked == [HOST]
    assert len(rec.got) == 1
    assert rec.got[0].headers["host"] == f"{HOST}:{port}"
    assert sni == [HOST]
    d = await _delivery(session)
    assert (d.status, d.last_status_code) == ("DELIVERED", 200)


async def test_a_rebinding_answer_after_a_public_one_never_reaches_loopback(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, ca: trustme.CA
) -> None:
    # given a resolver answering a public address first, then the receiver's loopback one
    sni: list[str] = []
    server_tls, client_tls = _tls(ca, sni)
    dns = Rebinding([PUBLIC], ["127.0.0.1"])
    with receiver(tls=server_tls) as rec:
        port = urlsplit(rec.url).port
        await _one_event(session, settings, f"https://{HOST}:{port}/hook")
        sm = create_sessionmaker(engine)
        deliverer = Deliverer(sm, _prod(settings), lookup=dns, ssl_context=client_tls)
        try:
            await deliverer.run_once()
        finally:
            await deliverer.aclose()
    # then the one answer checked is the one connected to: the public address (which
    # does not answer here), never the loopback receiver of the second answer
    assert dns.asked == [HOST]
    assert rec.got == [] and sni == []
    d = await _delivery(session)
    assert d.status == "PENDING" and d.last_status_code is None
    assert d.last_error is not None and "refused" not in d.last_error


async def test_a_name_resolving_to_loopback_is_refused_before_connecting(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, ca: trustme.CA
) -> None:
    sni: list[str] = []
    server_tls, client_tls = _tls(ca, sni)
    dns = Rebinding([PUBLIC, "127.0.0.1"])
    with receiver(tls=server_tls) as rec:
        port = urlsplit(rec.url).port
        await _one_event(session, settings, f"https://{HOST}:{port}/hook")
        sm = create_sessionmaker(engine)
        deliverer = Deliverer(sm, _prod(settings), lookup=dns, ssl_context=client_tls)
        try:
            await deliverer.run_once()
        finally:
            await deliverer.aclose()
    assert rec.got == []
    d = await _delivery(session)
    assert d.status == "PENDING"
    assert d.last_error is not None and "non-public address 127.0.0.1" in d.last_error


async def test_the_resolver_hands_over_exactly_the_addresses_it_checked(
    settings: Settings,
) -> None:
    dns = Rebinding([PUBLIC, "2606:2800:220:1:248:1893:25c8:1946"], ["10.0.0.1"])
    resolver = PinnedResolver(_prod(settings), dns)
    got = await resolver.resolve(HOST, 443, family=socket.AF_UNSPEC)
    assert [(r["host"], r["hostname"], r["port"]) for r in got] == [
        (PUBLIC, HOST, 443),
        ("2606:2800:220:1:248:1893:25c8:1946", HOST, 443),
    ]
    with pytest.raises(UnsafeUrl, match=r"10\.0\.0\.1"):
        await resolver.resolve(HOST, 443)
