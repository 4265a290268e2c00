"""Declarative base with a constraint naming convention, so migrations are stable."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from service.db.types import BigId, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RecordMixin:
    """Surrogate id plus creation / update times, in UTC."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, sort_order=-100)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, sort_order=100)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, sort_order=101
    )


class ShopOwnedMixin(RecordMixin):
    """Every tenant row names its shop, so every query can filter by it directly."""

    @declared_attr
    def shop_id(cls) -> Mapped[int]:
        return mapped_column(
            BigId, ForeignKey("shops.id", ondelete="CASCADE"), index=True, sort_order=-90
        )
