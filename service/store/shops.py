from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Shop


async def get_by_slug(session: AsyncSession, slug: str) -> Shop | None:
    return (await session.execute(select(Shop).where(Shop.slug == slug))).scalar_one_or_none()


async def get(session: AsyncSession, shop_id: int) -> Shop | None:
    return await session.get(Shop, shop_id)
