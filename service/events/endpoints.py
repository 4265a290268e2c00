"""Saving a shop's webhook endpoints and replaying deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.db.models import WebhookDelivery, WebhookEndpoint
from service.events import signing, types, wakeup
from service.events.addresses import UnsafeUrl, check_target

MAX_ENDPOINTS_PER_SHOP = 20


class EndpointError(ValueError):
    """Input an endpoint cannot take: ``field`` names it, ``code`` classifies it."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def check_types(event_types: Sequence[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(types.EVENT_TYPES))
    if unknown:
        known = ", ".join(types.EVENT_TYPES)
        raise EndpointError("eventTypes", "INVALID", f"unknown event types {unknown}; use {known}")
    return sorted(set(event_types))


async def _check_url(url: str, settings: Settings) -> str:
    try:
        await check_target(url, settings)
    except UnsafeUrl as exc:
        raise EndpointError("url", "INVALID", f"refused URL: {exc}") from None
    return url


async def create_endpoint(
    session: AsyncSession,
    shop_id: int,
    url: str,
    event_types: Sequence[str],
    settings: Settings,
) -> WebhookEndpoint:
    """A new enabled endpoint with a fresh secret (the caller shows it once)."""
    await _check_url(url, settings)
    kinds = check_types(event_types)
    count = len(
        (
            await session.execute(
                select(WebhookEndpoint.id).where(WebhookEndpoint.shop_id == shop_id)
            )
        )
        .scalars()
        .all()
    )
    if count >= MAX_ENDPOINTS_PER_SHOP:
        raise EndpointError("url", "LIMIT_REACHED", f"a shop has at most {MAX_ENDPOINTS_PER_SHOP}")
    endpoint = WebhookEndpoint(
        shop_id=shop_id,
        url=url,
        secret=signing.new_secret(),
        event_types=kinds,
        enabled=True,
        consecutive_failures=0,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint


async def get_endpoint(session: AsyncSession, shop_id: int, endpoint_id: int) -> WebhookEndpoint:
    ep = await session.get(WebhookEndpoint, endpoint_id)
    if ep is None or ep.shop_id != shop_id:
        raise EndpointError("id", "NOT_FOUND", "no such webhook endpoint in this shop")
    return ep


async def update_endpoint(
    session: AsyncSession,
    shop_id: int,
    endpoint_id: int,
    settings: Settings,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    ep = await get_endpoint(session, shop_id, endpoint_id)
    if url is not None:
        ep.url = await _check_url(url, settings)
    if event_types is not None:
        ep.event_types = check_types(event_types)
    if enabled is not None:
        ep.enabled = enabled
        ep.disabled_reason = None if enabled else "disabled by an admin"
        ep.consecutive_failures = 0
    await session.flush()
    return ep


async def delete_endpoint(session: AsyncSession, shop_id: int, endpoint_id: int) -> None:
    ep = await get_endpoint(session, shop_id, endpoint_id)
    await session.delete(ep)
    await session.flush()


async def replay_delivery(
    session: AsyncSession, shop_id: int, delivery_id: int, now: datetime
) -> WebhookDelivery:
    """Send a delivery again, whatever its status, as soon as a worker gets to it."""
    d = await session.get(WebhookDelivery, delivery_id)
    if d is None or d.shop_id != shop_id:
        raise EndpointError("id", "NOT_FOUND", "no such webhook delivery in this shop")
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(status="PENDING", next_attempt_at=now, delivered_at=None)
    )
    # The delivery loops sleep until their next poll: wake them at the commit.
    await session.run_sync(wakeup.note_written)
    await session.refresh(d)
    return d
