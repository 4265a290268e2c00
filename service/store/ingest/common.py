"""What the ingest writes share: the issue vocabulary and lookups within one shop."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import (
    Order,
    Shipment,
    TrackingEvent,
)
from service.decision.validation import Problem
from service.store import queries

MAX_ORDERS = 500
MAX_TRACKING_EVENTS = 500
MAX_SHIPMENTS = 500
MAX_REFERENCE = 500
BUYER_DECLARED = "buyer-declared"

Path = tuple[str, ...]
T = TypeVar("T")


class IssueCode(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    TOO_MANY = "TOO_MANY"
    INCONSISTENT_FACTS = "INCONSISTENT_FACTS"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE = "DUPLICATE"


@dataclass(frozen=True, slots=True)
class Issue:
    field: Path
    code: IssueCode
    message: str


class Rejected(Exception):
    """The input cannot be stored; ``issues`` lists every reason found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__("; ".join(f"{'.'.join(i.field)}: {i.message}" for i in issues))
        self.issues = list(issues)


def dialect_insert(session: AsyncSession, model: Any) -> Any:
    """The dialect's ``INSERT`` for ``model``: both PostgreSQL's and SQLite's take
    ``ON CONFLICT … RETURNING``, the generic one does not."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def raise_if(issues: list[Issue]) -> None:
    if issues:
        raise Rejected(issues)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def fact_field(prefix: Path, dotted: str, rename: dict[str, str] | None = None) -> Path:
    """``shipment.events[2].at`` → ``(*prefix, "shipment", "events", "2", "at")``;
    ``rename`` maps a leading fact name to the input's name (``refund`` →
    ``refundRequest``) or drops it (``order`` → ``""``)."""
    out = list(prefix)
    for n, part in enumerate(dotted.split(".")):
        name, _, index = part.partition("[")
        if n == 0 and rename is not None and name in rename:
            name = rename[name]
            if not name:
                continue
        else:
            name = camel(name)
        out.append(name)
        if index:
            out.append(index.rstrip("]"))
    return tuple(out)


def inconsistent(field: Path, problem: Problem, context: str = "") -> Issue:
    prefix = f"{problem.field} {context}".rstrip() if context else problem.field
    return Issue(field, IssueCode.INCONSISTENT_FACTS, f"{prefix}: {problem.message}")


# -- lookups within one shop ------------------------------------------------------------


async def get_owned(
    session: AsyncSession, model: type[T], shop_id: int, pk: int | None
) -> T | None:
    """The row of ``model`` with id ``pk`` in the shop; None for another shop's row."""
    if pk is None:
        return None
    found = await queries.by_ids(session, model, shop_id, [pk])
    return found.get(pk)


async def order_by_number(session: AsyncSession, shop_id: int, number: str) -> Order | None:
    return (await queries.orders_by_number(session, shop_id, [number])).get(number)


async def latest_shipment(session: AsyncSession, shop_id: int, order_id: int) -> Shipment | None:
    shipments = (await queries.shipments_by_order(session, shop_id, [order_id])).get(order_id)
    return shipments[-1] if shipments else None


async def events_of(session: AsyncSession, shop_id: int, shipment_id: int) -> list[TrackingEvent]:
    return (await queries.events_by_shipment(session, shop_id, [shipment_id])).get(shipment_id, [])
