"""Upserting orders by the platform's order number."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.base import utcnow
from service.db.lists import dialect_of, orm_insert_from_arrays
from service.db.models import (
    Order,
    Shop,
)
from service.decision import facts as f
from service.decision.validation import check_facts
from service.store import case_state, queries
from service.store.facts import refund_facts, shipment_facts
from service.store.ingest.common import (
    MAX_ORDERS,
    Issue,
    IssueCode,
    Path,
    Rejected,
    dialect_insert,
    fact_field,
    inconsistent,
    raise_if,
)

# -- orders ---------------------------------------------------------------------------


async def upsert_orders(
    session: AsyncSession, shop: Shop, orders: Sequence[f.OrderFacts], path: Path
) -> list[Order]:
    """Insert or update each order by (shop, order number); all or none.

    Every order is checked against what is already stored for it (its latest parcel
    and its refund requests), so an update cannot make stored facts contradict.
    """
    if len(orders) > MAX_ORDERS:
        raise Rejected(
            [
                Issue(
                    path,
                    IssueCode.TOO_MANY,
                    f"at most {MAX_ORDERS} orders per call, got {len(orders)}",
                )
            ]
        )
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for i, o in enumerate(orders):
        here = (*path, str(i))
        if o.order_number in seen:
            issues.append(
                Issue(
                    (*here, "orderNumber"),
                    IssueCode.DUPLICATE,
                    f"order {o.order_number} also appears at index {seen[o.order_number]}",
                )
            )
        else:
            seen[o.order_number] = i
        if o.platform is not shop.platform:
            issues.append(
                Issue(
                    (*here, "platform"),
                    IssueCode.INVALID,
                    f"the shop sells on {shop.platform.value}, not {o.platform.value}",
                )
            )
    raise_if(issues)

    stored = await queries.orders_by_number(session, shop.id, seen)
    ids = [o.id for o in stored.values()]
    shipments = await queries.shipments_by_order(session, shop.id, ids)
    latest = {oid: rows[-1] for oid, rows in shipments.items() if rows}
    events = await queries.events_by_shipment(session, shop.id, [s.id for s in latest.values()])
    refunds = await queries.refunds_by_order(session, shop.id, ids)
    evidence = await queries.evidence_by_order(session, shop.id, ids)

    for i, o in enumerate(orders):
        here = (*path, str(i))
        row = stored.get(o.order_number)
        if row is None:
            cases = [f.CaseFacts(order=o)]
        else:
            sh = latest.get(row.id)
            sf = shipment_facts(sh, events.get(sh.id, [])) if sh is not None else None
            ev = evidence.get(row.id, [])
            cases = [f.CaseFacts(order=o, shipment=sf)] + [
                f.CaseFacts(order=o, shipment=sf, refund=refund_facts(r, row, ev))
                for r in refunds.get(row.id, [])
            ]
        reported: set[str] = set()
        for case in cases:
            for p in check_facts(case):
                if p.field in reported:
                    continue
                reported.add(p.field)
                if p.field.startswith("order."):
                    issues.append(inconsistent(fact_field(here, p.field, {"order": ""}), p))
                else:  # a stored parcel or refund that this order would contradict
                    issues.append(inconsistent((*here, "confirmedAt"), p, "(stored)"))
    raise_if(issues)

    return await _write(session, shop.id, orders)


_ORDER_FIELDS = (
    "platform",
    "amount",
    "status",
    "confirmed_at",
    "group_formed_at",
    "ship_by",
    "can_fulfil",
    "return_address_complete",
    "remote_destination",
    "force_majeure_exempt",
    "destination_province",
    "destination_city",
)


async def _write(
    session: AsyncSession, shop_id: int, orders: Sequence[f.OrderFacts]
) -> list[Order]:
    """One ``INSERT … ON CONFLICT (shop_id, order_number) DO UPDATE … RETURNING`` for
    the whole batch: a round trip per batch instead of an ORM flush of every row."""
    if not orders:
        return []
    now = utcnow()
    values = [
        {
            "shop_id": shop_id,
            "order_number": o.order_number,
            "created_at": now,
            "updated_at": now,
            **{name: getattr(o, name) for name in _ORDER_FIELDS},
        }
        for o in orders
    ]
    columns = [Order.__table__.c[Order.__mapper__.attrs[a].columns[0].name] for a in _ORDER_FIELDS]

    def upsert(stmt: Any) -> Any:
        return stmt.on_conflict_do_update(
            index_elements=[Order.shop_id, Order.order_number],
            set_={c.name: stmt.excluded[c.name] for c in [*columns, Order.__table__.c.updated_at]},
        )

    # populate_existing: orders the checks above loaded get the values just written.
    options = {"populate_existing": True}
    if dialect_of(session) == "postgresql":
        # One array per column: SQLAlchemy's "insertmanyvalues" bound and processed
        # the 500 rows' parameters one by one, a tenth of the batch. The arrays are
        # named by column ("amount" is stored as "amount_cents").
        column_of = {a: c.name for a, c in zip(_ORDER_FIELDS, columns, strict=True)}
        by_column = [{column_of.get(k, k): v for k, v in row.items()} for row in values]
        dialect = session.get_bind().dialect
        stmt = upsert(orm_insert_from_arrays(Order, list(by_column[0]), by_column, dialect))
        rows = (await session.scalars(stmt.returning(Order), execution_options=options)).all()
    else:
        # The rows go as parameters, not as .values(): the statement then compiles once
        # and is cached (SQLAlchemy's "insertmanyvalues" still sends one multi-row
        # INSERT), where 500 rows of literal VALUES took longer to compile than to run.
        rows = (
            await session.scalars(
                upsert(dialect_insert(session, Order)).returning(
                    Order, sort_by_parameter_order=True
                ),
                values,
                execution_options=options,
            )
        ).all()
    by_number = {r.order_number: r for r in rows}
    case_state.note_orders(session.sync_session, [r.id for r in rows])
    return [by_number[o.order_number] for o in orders]
