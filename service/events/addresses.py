"""Which webhook URLs may be called: https in prod, and no internal addresses.

In ``prod`` an endpoint whose host resolves to a loopback, link-local, private or
otherwise non-public address is refused (server-side request forgery), unless its
host or address is in ``AFTERSALES_WEBHOOK_ALLOWED_HOSTS``. The check runs when the
endpoint is saved and again before every delivery (DNS may have changed)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from service.config import Environment, Settings

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


async def check_target(url: str, settings: Settings) -> None:
    """Refuse (in prod) a URL whose host resolves to an internal address."""
    check_shape(url, settings)
    if settings.env is not Environment.PROD:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeUrl(f"the host {host!r} does not resolve") from exc
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if not addr.is_global and not _allowed(host, addr, settings.webhook_allowed_hosts):
            raise UnsafeUrl(f"the host {host!r} resolves to the non-public address {addr}")
