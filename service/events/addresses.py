"""Which webhook URLs may be called: https in prod, and no internal addresses.

In ``prod`` an endpoint whose host resolves to a loopback, link-local, private or
otherwise non-public address is refused (server-side request forgery), unless its
host or address is in ``AFTERSALES_WEBHOOK_ALLOWED_HOSTS``. The check runs when the
endpoint is saved and again on every delivery, where it is pinned: the delivery's HTTP
client resolves names only through :class:`PinnedResolver`, which checks every address
of one answer and hands the client exactly those to connect to, so a DNS answer that
changes between the check and the connection (rebinding) cannot reach an internal
address. The Host header and the TLS server name stay the URL's host."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

from service.config import Environment, Settings

# host, port -> the addresses of one DNS answer (injectable: tests answer as they like).
Lookup = Callable[[str, int], Awaitable[list[str]]]

MAX_URL = 2000


class UnsafeUrl(ValueError):
    """A URL the service will not call; the message says why."""


def check_shape(url: str, settings: Settings) -> str:
    """The URL if its form is acceptable; raises :class:`UnsafeUrl`."""
    if len(url) > MAX_URL:
        raise UnsafeUrl(f"longer than {MAX_URL} characters")
    parts = urlsplit(url)
    allowed = ("https",) if settings.env is Environment.PROD else ("https", "http")
    if parts.scheme not in allowed:
        raise UnsafeUrl(f"the scheme must be {' or '.join(allowed)}")
    if not parts.hostname:
        raise UnsafeUrl("no host")
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in the URL are not accepted")
    return url


def _allowed(host: str, addr: ipaddress.IPv4Address | ipaddress.IPv6Address, allow: str) -> bool:
    for item in (x.strip() for x in allow.split(",")):
        if not item:
            continue
        if item == host:
            return True
        try:
            if addr in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue
    return False


async def system_lookup(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host``, each once, in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_addresses(host: str, addresses: list[str], settings: Settings) -> None:
    """Refuse (in prod) if any of ``host``'s addresses is non-public and not allowed."""
    if settings.env is not Environment.PROD:
        return
    for text in addresses:
        addr = ipaddress.ip_address(text.split("%", 1)[0])
        if not addr.is_global and not _allowed(host, addr, settings.webhook_allowed_hosts):
            raise UnsafeUrl(f"the host {host!r} resolves to the non-public address {addr}")


def literal_address(host: str) -> str | None:
    """``host`` if it is an IP address (no DNS involved), else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


async def check_target(url: str, settings: Settings, lookup: Lookup = system_lookup) -> None:
    """Refuse (in prod) a URL whose host resolves to an internal address."""
    check_shape(url, settings)
    if settings.env is not Environment.PROD:
        return
    host = urlsplit(url).hostname or ""
    literal = literal_address(host)
    if literal is not None:
        check_addresses(host, [literal], settings)
        return
    try:
        addresses = await lookup(host, 0)
    except OSError as exc:
        raise UnsafeUrl(f"the host {host!r} does not resolve") from exc
    check_addresses(host, addresses, settings)


class PinnedResolver(AbstractResolver):
    """aiohttp's resolver for deliveries: one lookup per new connection, every address
    of the answer checked, and only those given to the connector. A connection kept
    alive and reused was made to an address checked when it was opened."""

    def __init__(self, settings: Settings, lookup: Lookup = system_lookup) -> None:
        self.settings = settings
        self.lookup = lookup

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self.lookup(host, port)
        if not addresses:
            raise OSError(f"the host {host!r} does not resolve")
        check_addresses(host, addresses, self.settings)
        out: list[ResolveResult] = []
        for text in addresses:
            addr = ipaddress.ip_address(text.split("%", 1)[0])
            v6 = addr.version == 6
            if family not in (socket.AF_UNSPEC, socket.AF_INET6 if v6 else socket.AF_INET):
                continue
            out.append(
                {
                    "hostname": host,
                    "host": str(addr),
                    "port": port,
                    "family": socket.AF_INET6 if v6 else socket.AF_INET,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
            )
        if not out:
            raise OSError(f"the host {host!r} has no address of the family asked for")
        return out

    async def close(self) -> None:
        return None
