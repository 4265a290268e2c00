"""Stored answers to ``Idempotency-Key`` requests: look one up, claim a key, save one,
purge the expired.

A key is claimed for the length of the request's transaction and its answer is saved
in that same transaction, so a crash leaves either the effect and its key, or neither.
On PostgreSQL the claim is a transaction-scoped advisory lock: a second request with
the key, on any replica, sees it taken at once instead of waiting. SQLite serialises
writers anyway; there the claim takes the write lock up front (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.engine import begin_write
from service.db.models import IdempotencyKey

PURGE_BATCH = 1000


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    status_code: int
    content_type: str
    body: bytes


def lock_id(shop_id: int, key: str) -> int:
    """A signed 64-bit number for the advisory lock of ``key`` in ``shop_id``; a
    collision only makes an unrelated request wait for a retry."""
    digest = hashlib.blake2b(f"{shop_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def claim(session: AsyncSession, shop_id: int, key: str) -> bool:
    """Hold ``key`` until the session's transaction ends; False when another
    transaction holds it (its request is still running)."""
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        taken = await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": lock_id(shop_id, key)}
        )
        return bool(taken)
    await begin_write(session)
    return True


async def find(session: AsyncSession, shop_id: int, key: str, now: datetime) -> StoredAnswer | None:
    """The unexpired answer stored for ``key``; an expired one is deleted (the key is
    free again). Call after :func:`claim`."""
    row = await session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.shop_id == shop_id, IdempotencyKey.key == key)
    )
    if row is None:
        return None
    if row.expires_at <= now:
        await session.delete(row)
        await session.flush()
        return None
    return StoredAnswer(row.fingerprint, row.status_code, row.content_type, row.body)


async def save(
    session: AsyncSession,
    shop_id: int,
    key: str,
    answer: StoredAnswer,
    *,
    now: datetime,
    ttl: timedelta,
) -> None:
    session.add(
        IdempotencyKey(
            shop_id=shop_id,
            key=key,
            fingerprint=answer.fingerprint,
            status_code=answer.status_code,
            content_type=answer.content_type,
            body=answer.body,
            expires_at=now + ttl,
        )
    )
    await session.flush()


async def purge_expired(session: AsyncSession, now: datetime, batch: int = PURGE_BATCH) -> int:
    """Delete up to ``batch`` expired keys (small batches keep locks short); the number
    deleted. The caller commits."""
    expired = (
        select(IdempotencyKey.id)
        .where(IdempotencyKey.expires_at <= now)
        .order_by(IdempotencyKey.expires_at)
        .limit(batch)
    )
    ids = list((await session.scalars(expired)).all())
    if not ids:
        return 0
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(ids)))
    return len(ids)


async def count_keys(session: AsyncSession, shop_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(IdempotencyKey)
            .where(IdempotencyKey.shop_id == shop_id)
        )
        or 0
    )
