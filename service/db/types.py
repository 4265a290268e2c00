"""Column types that keep the stored values honest on both SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, String
from sqlalchemy.types import TypeDecorator

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a real bigint.
BigId = BigInteger().with_variant(Integer(), "sqlite")

_CENT = Decimal("0.01")

E = TypeVar("E", bound=StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware in, timezone-aware (UTC) out; naive datetimes are refused.

    SQLite has no time zone type, so every value is normalised to UTC before it is
    stored and UTC is re-attached on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} refused: times must carry a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is UTC:
            # What asyncpg returns for timestamptz: nothing to convert (the facts
            # readers meet a few hundred thousand of these per second).
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # One function per value, not TypeDecorator's wrapper around this class's
        # method: the facts readers convert a few hundred thousand of these a second.
        impl = self.impl_instance.result_processor(dialect, coltype)
        convert = self.process_result_value
        if impl is None:

            def process(value: datetime | None) -> datetime | None:
                if value is None or value.tzinfo is UTC:
                    return value
                return convert(value, dialect)

            return process

        def process_impl(value: Any) -> datetime | None:
            return convert(impl(value), dialect)

        return process_impl


class Money(TypeDecorator[Decimal]):
    """CNY stored as whole cents in a bigint: exact and sortable on both databases."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"money must be a Decimal, not {type(value).__name__}")
        cents = value * 100
        if cents != cents.to_integral_value():
            raise ValueError(f"money {value} has more than two decimal places")
        return int(cents)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(_CENT)


class EnumText(TypeDecorator[E]):
    """A Python StrEnum stored as its value in a short text column.

    Text rather than a native enum keeps migrations simple when a value is added.
    """

    impl = String(32)
    cache_ok = True

    def __init__(self, enum_cls: type[E], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enum_cls = enum_cls

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum_cls(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        if value is None:
            return None
        return self.enum_cls(value)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # A dict lookup, not the enum's call (several times slower): bulk reads turn
        # hundreds of thousands of these a second.
        members: dict[str, E] = {m.value: m for m in self.enum_cls}
        convert = self.enum_cls

        def process(value: str | None) -> E | None:
            if value is None:
                return None
            member = members.get(value)
            return member if member is not None else convert(value)

        return process
