"""The stored case state: each case's decision as the dashboard sorts and filters it.

A case is an order and its open or recent refund request. Every order has one row
(kind ORDER) and every refund request one (kind REFUND_REQUEST); ``open`` says which
of them are cases. A row is exact from ``computed_at`` to ``stale_at``, the next instant
its decision could change with no new facts (:mod:`service.decision.horizon`).

Writes keep it current in their own transaction: an ORM flush that touches an order,
shipment, tracking event, refund request or evidence item notes the order, and the
commit (or savepoint release) recomputes that order's rows before it completes. A shop
whose policy changes has every row marked stale. Time makes rows stale; the refresher
(:mod:`service.store.refresher`) and every read recompute them.

Whoever recomputes an order holds a lock on its row (``FOR NO KEY UPDATE`` on
PostgreSQL) while reading the facts and writing the state, so a slow writer never
overwrites a newer state with one computed from older facts.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import chain
from typing import Any, Literal, cast

from sqlalchemy import (
    BigInteger,
    String,
    Table,
    and_,
    bindparam,
    case,
    event,
    func,
    inspect,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.util.concurrency import await_, in_greenlet

from service.db.lists import dialect_of, ids_in, ids_in_param, insert_from_arrays
from service.db.models import (
    CaseState,
    EvidenceItem,
    Exemption,
    Order,
    RefundRequest,
    Shipment,
    Shop,
    TrackingEvent,
)
from service.db.rows import core_columns, joined_columns, joined_part
from service.decision import POLICIES, Action, Decision, InconsistentFacts, decide
from service.decision.facts import ExemptionFacts, OrderStatus, RefundStatus
from service.decision.horizon import earliest_after, next_change
from service.decision.outcome import DeadlineKind
from service.decision.policy import Policy
from service.decision.table import render_rule_table
from service.events import outbox
from service.store.facts import OVERRIDE_COLUMNS, case_facts, shop_policy

# Bump when a rule's behaviour changes in a way the rule table does not show.
RULES_REVISION = "2026.12.2"


def _rules_version() -> str:
    text = render_rule_table() + repr(sorted(POLICIES.items())) + RULES_REVISION
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# Each state records the rules that computed it; a release with other rules or base
# parameters sees every older row as due for recomputation.
RULES_VERSION = _rules_version()

ORDER = "ORDER"
REFUND_REQUEST = "REFUND_REQUEST"
OPEN_ORDER_STATUSES = frozenset(
    {OrderStatus.AWAITING_GROUP, OrderStatus.AWAITING_SHIPMENT, OrderStatus.SHIPPED}
)
# "Stale since forever": what a policy change and the migration's backfill write.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHUNK = 500
# Orders decided between two turns of the event loop. A chunk is read in a few
# statements, then decided in Python; in a server that is a stretch of tens of
# milliseconds (500 orders) in which no other request of the process moves, which
# every page being read at that moment would add to its latency.
SLICE = 50

Lock = Literal["wait", "skip", "none"]

# session.info keys: what flushes touched, and the instant writes are stamped with.
TOUCHED_ORDERS = "case_state.orders"
TOUCHED_SHIPMENTS = "case_state.shipments"
RESTALE_SHOPS = "case_state.shops"
NOW = "case_state.now"


def is_refund_case(refund: RefundRequest, now: datetime, policy: Policy) -> bool:
    """A pending request, or a platform refund recent enough to appeal or intercept."""
    if refund.status is RefundStatus.PENDING:
        return True
    return (
        refund.status is RefundStatus.REFUNDED
        and refund.platform_refund is not None
        and refund.refunded_at is not None
        and refund.refunded_at >= now - policy.refunded_case_td
    )


def queue_rank(decision: Decision) -> int | None:
    """0 overdue, 1 due ahead, None when the case has nothing to do by a deadline."""
    if decision.action is Action.NO_ACTION or decision.urgent_deadline is None:
        return None
    return 0 if decision.overdue else 1


def _values(
    order: Order,
    refund: RefundRequest | None,
    decision: Decision | None,
    is_open: bool,
    policy: Policy,
    now: datetime,
    where: dict[str, Any],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        **where,
        "shop_id": order.shop_id,
        "order_id": order.id,
        "refund_request_id": refund.id if refund is not None else None,
        "kind": REFUND_REQUEST if refund is not None else ORDER,
        "entity_id": refund.id if refund is not None else order.id,
        "open": is_open,
        "queue_rank": None,
        "action": None,
        "rule_id": None,
        "proactive": False,
        "overdue": False,
        "due_at": None,
        "deadline_kind": None,
        "money_at_risk_cents": None,
        "policy_version": policy.version,
        "rules_version": RULES_VERSION,
        "computed_at": now,
        "stale_at": None,
        "status": (refund.status if refund is not None else order.status).value,
        "sort_at": refund.requested_at if refund is not None else order.confirmed_at,
    }
    if decision is not None:
        urgent = decision.urgent_deadline
        row.update(
            queue_rank=queue_rank(decision) if is_open else None,
            action=decision.action,
            rule_id=decision.rule_id,
            proactive=decision.proactive,
            overdue=decision.overdue,
            due_at=urgent.at if urgent is not None else None,
            deadline_kind=urgent.kind if urgent is not None else None,
            money_at_risk_cents=sum((m.amount for m in decision.money_at_risk), Decimal("0.00")),
        )
    return row


def group_states(
    order: Order,
    shipment: Shipment | None,
    events: Sequence[TrackingEvent],
    evidence: Sequence[EvidenceItem],
    refunds: Sequence[RefundRequest],
    policy: Policy,
    now: datetime,
    exemptions: Sequence[ExemptionFacts] = (),
) -> list[dict[str, Any]]:
    """The rows of one order (its own and its refund requests') as of ``now``; they
    share one ``stale_at``, since a refund closing reopens the order's own case.

    Every row carries its decision, open or not (the order alone for the order row,
    as the orders list shows it; the order with the request for a refund row), so the
    lists filter on it; only open rows enter the work queue."""
    bounds: list[datetime] = []
    refund_open = []
    for rf in refunds:
        refund_open.append(is_refund_case(rf, now, policy))
        if rf.status is RefundStatus.REFUNDED and rf.refunded_at is not None:
            bounds.append(rf.refunded_at + policy.refunded_case_td)
    order_open = order.status in OPEN_ORDER_STATUSES and not any(refund_open)
    where = whereabouts(order, shipment, events)

    def decided(refund: RefundRequest | None, is_open: bool) -> dict[str, Any]:
        decision: Decision | None = None
        facts = case_facts(order, shipment, events, evidence, refund, exemptions=exemptions)
        try:
            decision = decide(facts, now, policy)
        except InconsistentFacts:
            # Contradictory facts stay out of the queue until they change; only
            # "now precedes the confirmation" is cured by time alone.
            if now < order.confirmed_at:
                bounds.append(order.confirmed_at)
        else:
            change = next_change(facts, decision, policy)
            if change is not None:
                bounds.append(change)
        return _values(order, refund, decision, is_open, policy, now, where)

    rows = [decided(None, order_open)]
    rows += [decided(rf, o) for rf, o in zip(refunds, refund_open, strict=True)]
    # Wake when a deadline's warning window opens: its event is due then.
    bounds += warning_instants(rows, policy)
    stale_at = earliest_after(bounds, now)
    for row in rows:
        row["stale_at"] = stale_at
    return rows


def whereabouts(
    order: Order, shipment: Shipment | None, events: Sequence[TrackingEvent]
) -> dict[str, Any]:
    """Where the case's parcel is and goes, as caseGroups groups it: the latest parcel's
    carrier, the place and time of its latest event (as the brute-force grouping
    orders them: by time, then id), and the order's destination."""
    last = max(events, key=lambda e: (e.at, e.id)) if events else None
    return {
        "carrier": shipment.carrier if shipment is not None else None,
        "place": last.place if last is not None else None,
        "last_scan_at": last.at if last is not None else None,
        "shipped": shipment is not None,
        "destination_province": order.destination_province,
        "destination_city": order.destination_city,
    }


def warning_instants(rows: Sequence[dict[str, Any]], policy: Policy) -> list[datetime]:
    """When the warning windows (the shop's, in its policy) of the open rows' deadlines
    open."""
    out = []
    for row in rows:
        window = policy.warning_before(row["deadline_kind"])
        if row["open"] and row["due_at"] is not None and window is not None:
            out.append(row["due_at"] - window)
    return out


# -- recomputing ---------------------------------------------------------------------


def _lock_orders(
    session: Session, ids: Sequence[int], lock: Lock
) -> tuple[list[Any], dict[int, Any]]:
    """The orders' rows, locked, and their latest parcels by order, in one statement.

    Each order row carries ``has_evidence`` and ``has_refunds``: most orders have
    neither, and a chunk whose orders have none skips those two reads. The latest parcel
    (the highest id) comes joined to its order, its columns labelled ``shipment__…``."""
    table = cast(Table, Order.__table__)
    dialect = dialect_of(session)
    latest_columns, joined = _latest_shipment(dialect)
    stmt = (
        select(*core_columns(Order), *_HAS, *latest_columns)
        .select_from(joined)
        .where(ids_in(table.c.id, ids, dialect))
        .order_by(table.c.id)
    )
    if lock != "none":
        # NO KEY UPDATE: does not block inserts of shipments or refunds that point here.
        stmt = stmt.with_for_update(key_share=True, skip_locked=lock == "skip", of=table)
    orders = session.execute(stmt).all()
    latest = {o.id: joined_part(o, Shipment) for o in orders if o.shipment__id is not None}
    return list(orders), latest


def _has(model: Any) -> Any:
    child = model.__table__
    orders = cast(Table, Order.__table__)
    return select(child.c.id).where(child.c.order_id == orders.c.id).exists()


_HAS = (
    _has(EvidenceItem).label("has_evidence"),
    _has(RefundRequest).label("has_refunds"),
)


@functools.cache
def _latest_shipment(dialect: str) -> tuple[list[Any], Any]:
    """The latest parcel's columns, labelled ``shipment__…``, and the orders table
    outer-joined to it.

    PostgreSQL takes it through ``LATERAL (… ORDER BY id DESC LIMIT 1)``: one probe of
    the parcels' order index per order. Joined ``ON id = (SELECT max(id) …)`` it hashed
    the whole parcels table instead. SQLite has no LATERAL, and looks that form up by
    rowid."""
    orders = cast(Table, Order.__table__)
    shipments = cast(Table, Shipment.__table__)
    if dialect == "postgresql":
        latest = (
            select(shipments)
            .where(shipments.c.order_id == orders.c.id)
            .order_by(shipments.c.id.desc())
            .limit(1)
            .lateral("latest")
        )
        columns = [
            latest.c[c.element.name].label(f"shipment__{c.key}") for c in core_columns(Shipment)
        ]
        return columns, orders.outerjoin(latest, true())
    later = shipments.alias("later")
    newest = select(func.max(later.c.id)).where(later.c.order_id == orders.c.id).scalar_subquery()
    joined = orders.outerjoin(shipments, shipments.c.id == newest)
    return joined_columns(Shipment, "shipment"), joined


def _grouped(session: Session, model: Any, column: str, ids: Sequence[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    if not ids:
        return out
    col = model.__table__.c[column]
    stmt = select(*core_columns(model)).where(ids_in(col, ids, dialect_of(session)))
    stmt = stmt.order_by(model.__table__.c.id)
    key = [c.name for c in core_columns(model)].index(column)
    # all(), not iteration: the async adapter fetches a row per call otherwise.
    for row in session.execute(stmt).all():
        out[row[key]].append(row)
    return out


def _write(session: Session, rows: list[dict[str, Any]]) -> dict[tuple[str, int], Any]:
    """Upsert the rows; the stored rows of their orders as they were before (what the
    events compare, see :func:`outbox.record`)."""
    if not rows:
        return {}
    orders = sorted({r["order_id"] for r in rows})
    if session.get_bind().dialect.name == "postgresql":
        # One array per column: the statement is built once and the rows travel as
        # about thirty parameters, where a VALUES list took thirty per row (compiled,
        # type-processed and bound one by one: a fifth of the refresher's time). The
        # old rows are read by the same statement: its parts share one snapshot, so
        # the read sees the rows as they were before the upsert.
        params = {**_as_arrays(rows), "old_orders": orders}
        return outbox.by_case(session.execute(_pg_upsert_reading_old(), params).all())
    old = outbox.stored_states(session, orders)
    stmt = sqlite.insert(_TABLE)
    session.execute(_on_conflict(stmt, stmt.excluded), rows)
    return old


_TABLE = cast(Table, CaseState.__table__)
HANDLED = ("handled_action", "handled_rule_id")
# What agents recorded: a recomputation never writes it.
_RECORDED = (*HANDLED, "last_action", "last_action_at")
# The columns a recomputation writes: all but the key and what agents recorded.
_WRITTEN = tuple(c.name for c in _TABLE.columns if c.name not in {"id", *_RECORDED})


def _on_conflict(stmt: Any, new: Any) -> Any:
    table = _TABLE
    keep = {"id", "kind", "entity_id", *_RECORDED}
    # The stored row's values (SET reads the row as it was): a decision still equal to
    # the handled one stays out of the queue; one that differs clears the mark.
    same = and_(
        table.c.handled_action.is_not(None),
        table.c.handled_action == new.action,
        table.c.handled_rule_id == new.rule_id,
    )
    set_: dict[str, Any] = {c.name: new[c.name] for c in table.columns if c.name not in keep}
    set_["queue_rank"] = case((same, None), else_=new.queue_rank)
    for name in HANDLED:
        set_[name] = case((same, table.c[name]), else_=None)
    return stmt.on_conflict_do_update(index_elements=["kind", "entity_id"], set_=set_)


@functools.cache
def _pg_upsert_reading_old() -> Any:
    """``WITH upserted AS (INSERT … ON CONFLICT …) SELECT <old rows>``: a data-modifying
    WITH runs to completion whether or not the query reads it."""
    insert = insert_from_arrays(_TABLE, _WRITTEN)
    upserted = _on_conflict(insert, insert.excluded).returning(_TABLE.c.id).cte("upserted")
    where = ids_in_param(_TABLE.c.order_id, "old_orders", "postgresql")
    return select(*outbox.OLD_COLUMNS).where(where).add_cte(upserted)


def _as_arrays(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The rows as one list per column, in the stored form (enum values, cents)."""
    out: dict[str, list[Any]] = {f"a_{name}": [row[name] for row in rows] for name in _WRITTEN}
    for name in ("action", "deadline_kind"):
        out[f"a_{name}"] = [v.value if v is not None else None for v in out[f"a_{name}"]]
    out["a_money_at_risk_cents"] = [
        int(v * 100) if v is not None else None for v in out["a_money_at_risk_cents"]
    ]
    return out


async def mark_handled(
    session: AsyncSession,
    shop_id: int,
    handled: Sequence[tuple[str, int, Action, str]],
    taken: Action,
    now: datetime,
) -> None:
    """Record that an agent acted on these cases: ``(kind, entity_id, action, rule_id)``
    of the decision each record was made on. A case whose stored decision is that one
    leaves the work queue (and its counts) until a recomputation decides otherwise; a
    stale row is matched when it is recomputed (see :func:`_on_conflict`)."""
    if not handled:
        return
    table = cast(Table, CaseState.__table__)
    b = table.c
    if dialect_of(session) == "postgresql":
        await session.execute(_mark_handled_pg(table, shop_id, handled, taken, now))
        return
    stmt = (
        update(table)
        .where(
            b.shop_id == shop_id,
            b.kind == bindparam("b_kind"),
            b.entity_id == bindparam("b_entity"),
        )
        .values(
            handled_action=bindparam("b_action"),
            handled_rule_id=bindparam("b_rule"),
            last_action=taken.value,
            last_action_at=now,
            queue_rank=case(
                (
                    and_(b.action == bindparam("b_action"), b.rule_id == bindparam("b_rule")),
                    None,
                ),
                else_=b.queue_rank,
            ),
        )
    )
    params = [
        {"b_kind": kind, "b_entity": entity, "b_action": action.value, "b_rule": rule}
        for kind, entity, action, rule in handled
    ]
    await session.execute(stmt, params)


def _mark_handled_pg(
    table: Table,
    shop_id: int,
    handled: Sequence[tuple[str, int, Action, str]],
    taken: Action,
    now: datetime,
) -> Any:
    """:func:`mark_handled` as one statement: the cases travel as four arrays joined to
    the table (``UPDATE … FROM unnest(…)``). An executemany UPDATE of a 500-case
    ``recordActions`` runs the statement 500 times, about a third of the call."""
    b = table.c
    # Sorted by key, so that two calls lock the rows they share in the same order.
    rows = sorted(handled, key=lambda h: (h[0], h[1]))
    h = (
        func.unnest(
            literal([r[0] for r in rows], postgresql.ARRAY(String())),
            literal([r[1] for r in rows], postgresql.ARRAY(BigInteger())),
            literal([r[2].value for r in rows], postgresql.ARRAY(String())),
            literal([r[3] for r in rows], postgresql.ARRAY(String())),
        )
        .table_valued("kind", "entity_id", "action", "rule_id")
        .render_derived(name="handled")
    )
    return (
        update(table)
        .where(b.shop_id == shop_id, b.kind == h.c.kind, b.entity_id == h.c.entity_id)
        .values(
            handled_action=h.c.action,
            handled_rule_id=h.c.rule_id,
            last_action=taken.value,
            last_action_at=now,
            queue_rank=case(
                (and_(b.action == h.c.action, b.rule_id == h.c.rule_id), None),
                else_=b.queue_rank,
            ),
        )
    )


def refresh_orders(
    session: Session, order_ids: Iterable[int], now: datetime, lock: Lock = "wait"
) -> list[int]:
    """Recompute the state rows of these orders as of ``now``; returns the ids done
    (with ``lock="skip"``, orders another transaction holds are left out)."""
    done: list[int] = []
    ids = sorted(set(order_ids))
    for start in range(0, len(ids), CHUNK):
        done += _refresh_chunk(session, ids[start : start + CHUNK], now, lock)
    return done


def _let_others_run() -> None:
    # Run through AsyncSession.run_sync, this code is in a greenlet whose awaits go to
    # the event loop: one turn of it lets the process's other requests move.
    if in_greenlet():
        await_(asyncio.sleep(0))


def _refresh_chunk(session: Session, ids: Sequence[int], now: datetime, lock: Lock) -> list[int]:
    orders, latest = _lock_orders(session, ids, lock)
    if not orders:
        return []
    got = [o.id for o in orders]
    shops, standing = shops_and_exemptions(session, {o.shop_id for o in orders})
    # A chunk is mostly one shop: its policy is built once, not once per order.
    policies: dict[tuple[int, Any], Policy] = {}
    events = _grouped(session, TrackingEvent, "shipment_id", [s.id for s in latest.values()])
    evidence = _grouped(session, EvidenceItem, "order_id", [o.id for o in orders if o.has_evidence])
    refunds = _grouped(session, RefundRequest, "order_id", [o.id for o in orders if o.has_refunds])
    rows: list[dict[str, Any]] = []
    windows: dict[int, Mapping[DeadlineKind, timedelta]] = {}
    for n, order in enumerate(orders):
        if n and not n % SLICE:
            _let_others_run()
        shipment = latest.get(order.id)
        policy = policies.get((order.shop_id, order.platform))
        if policy is None:
            policy = shop_policy(shops[order.shop_id], order.platform)
            policies[order.shop_id, order.platform] = policy
        windows[order.shop_id] = policy.warning_windows
        rows += group_states(
            order,
            shipment,
            events.get(shipment.id, []) if shipment is not None else [],
            evidence.get(order.id, []),
            refunds.get(order.id, []),
            policy,
            now,
            standing.get(order.shop_id, ()),
        )
    old = _write(session, rows)
    outbox.record(session, old, rows, now, windows)
    return got


# An exemption's columns as the shops' read labels them (``id`` is the shop's).
_EXEMPTION = {
    name: cast(Table, Exemption.__table__).c[name].label(f"exemption_{name}")
    for name in ("id", "carrier", "province", "city", "starts_at", "ends_at")
}


def shops_and_exemptions(
    session: Session, shop_ids: Iterable[int]
) -> tuple[dict[int, Any], dict[int, list[ExemptionFacts]]]:
    """The shops' rows by id (rows stand in for the models: same attribute names), and
    their exemptions not revoked by shop, in one statement: a shop has a handful of
    exemptions at most, and a statement costs the database about a millisecond whatever
    it returns."""
    shops = cast(Table, Shop.__table__)
    exemptions = cast(Table, Exemption.__table__)
    standing = and_(exemptions.c.shop_id == shops.c.id, exemptions.c.revoked_at.is_(None))
    stmt = (
        select(*core_columns(Shop), *_EXEMPTION.values())
        .select_from(shops.outerjoin(exemptions, standing))
        .where(ids_in(shops.c.id, sorted(set(shop_ids)), dialect_of(session)))
        .order_by(shops.c.id, exemptions.c.id)
    )
    found: dict[int, Any] = {}
    out: dict[int, list[ExemptionFacts]] = defaultdict(list)
    for row in session.execute(stmt).all():
        found.setdefault(row.id, row)
        if row.exemption_id is not None:
            out[row.id].append(
                ExemptionFacts(
                    number=row.exemption_id,
                    carrier=row.exemption_carrier,
                    province=row.exemption_province,
                    city=row.exemption_city,
                    starts_at=row.exemption_starts_at,
                    ends_at=row.exemption_ends_at,
                )
            )
    return found, out


def restale_shops(session: Session, shop_ids: Iterable[int]) -> None:
    """Mark every state of these shops stale (their policy changed)."""
    ids = sorted(set(shop_ids))
    if ids:
        session.execute(update(CaseState).where(CaseState.shop_id.in_(ids)).values(stale_at=EPOCH))


def stale_condition(now: datetime) -> Any:
    """Rows not exact at ``now``: past their stale_at, or computed for a later instant
    (another replica's clock, or a test's pinned one)."""
    return or_(CaseState.stale_at <= now, CaseState.computed_at > now)


def stale_orders(session: Session, shop_id: int, now: datetime) -> list[int]:
    stmt = (
        select(CaseState.order_id)
        .where(CaseState.shop_id == shop_id, stale_condition(now))
        .distinct()
    )
    return list(session.execute(stmt).scalars().all())


# -- keeping it current on every write -----------------------------------------------


def _note(session: Session, key: str) -> set[int]:
    found: set[int] | None = session.info.get(key)
    if found is None:
        found = session.info[key] = set()
    return found


def note_orders(session: Session, order_ids: Iterable[int]) -> None:
    """Have the commit refresh these orders: for writes made by statements, which
    the flush hook does not see."""
    _note(session, TOUCHED_ORDERS).update(order_ids)


# Shop settings that only change what scripts say: scripts are rendered from decisions
# computed when read, never stored, so changing these leaves every state exact.
SCRIPT_ONLY_SETTINGS = frozenset({"coupon_amount", "carrier_names"})
# The shop's columns a stored state depends on: its platform and the policy overrides
# that move deadlines, warning instants and so the states' stale_at.
_STATE_SETTINGS = ("platform", *(c for c in OVERRIDE_COLUMNS if c not in SCRIPT_ONLY_SETTINGS))


def _changes_states(shop: Shop) -> bool:
    """Whether this flush changes a shop setting that stored states depend on (the
    attributes' history still holds the flushed changes here)."""
    attrs = inspect(shop).attrs
    return any(attrs[name].history.has_changes() for name in _STATE_SETTINGS)


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    orders = _note(session, TOUCHED_ORDERS)
    shipments = _note(session, TOUCHED_SHIPMENTS)
    for obj in chain(session.new, session.dirty, session.deleted):
        # Read loaded values only: a deleted row must not be loaded again.
        loaded = inspect(obj).dict
        if isinstance(obj, Order):
            key, found = "id", orders
        elif isinstance(obj, Shipment | RefundRequest | EvidenceItem):
            key, found = "order_id", orders
        elif isinstance(obj, TrackingEvent):
            key, found = "shipment_id", shipments
        elif isinstance(obj, Shop) and obj in session.dirty and _changes_states(obj):
            key, found = "id", _note(session, RESTALE_SHOPS)
        else:
            continue
        if loaded.get(key) is not None:
            found.add(loaded[key])


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    orders: set[int] = session.info.pop(TOUCHED_ORDERS, set())
    shipments: set[int] = session.info.pop(TOUCHED_SHIPMENTS, set())
    shops: set[int] = session.info.pop(RESTALE_SHOPS, set())
    if not (orders or shipments or shops):
        return
    if shipments:
        orders |= set(
            session.execute(
                select(Shipment.order_id).where(
                    ids_in(Shipment.id, sorted(shipments), dialect_of(session))
                )
            ).scalars()
        )
    now = session.info.get(NOW) or datetime.now(UTC)
    restale_shops(session, shops)
    refresh_orders(session, orders, now)


def install() -> None:
    """Keep states current on every session's writes (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)


install()
