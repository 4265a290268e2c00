"""Writing case events in the transaction that recomputes the case states.

:func:`record` runs as new state rows replace the old ones
(:func:`service.store.case_state.refresh_orders`): it compares each new row with the
one it replaced and writes what happened to ``case_events``, plus one pending delivery per
webhook endpoint of the shop that wants the type. Everything commits or rolls back
with the states, so an event is never lost and never written for a change that did
not happen; the unique ``dedup_key`` keeps a second recomputation (another replica,
a retried transaction) from writing the same event again.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast, overload

from sqlalchemy import Table, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from service.db.lists import dialect_of, ids_in, insert_from_arrays
from service.db.models import CaseEvent, CaseState, WebhookDelivery, WebhookEndpoint
from service.decision.outcome import DeadlineKind
from service.events import types
from service.graphql.relay import to_global_id

PENDING = "PENDING"
# What an event compares of a stored state row (see record).
OLD_COLUMNS = (
    CaseState.kind,
    CaseState.entity_id,
    CaseState.open,
    CaseState.action,
    CaseState.rule_id,
    CaseState.due_at,
    CaseState.deadline_kind,
)


@overload
def iso(at: datetime) -> str: ...
@overload
def iso(at: None) -> None: ...
def iso(at: datetime | None) -> str | None:
    """An instant as events show it: ISO 8601, UTC written ``Z``."""
    return at.isoformat().replace("+00:00", "Z") if at is not None else None


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    money = row.get("money_at_risk_cents")
    refund = row.get("refund_request_id")
    return {
        "orderId": to_global_id("Order", row["order_id"]),
        "refundRequestId": to_global_id("RefundRequest", refund) if refund else None,
        "open": row["open"],
        "action": _value(row["action"]),
        "ruleId": row["rule_id"],
        "dueAt": iso(row["due_at"]),
        "deadlineKind": _value(row["deadline_kind"]),
        "overdue": row["overdue"],
        "moneyAtRisk": str(money) if isinstance(money, Decimal) else None,
    }


def _approaching(
    kind: Any, due: datetime | None, now: datetime, windows: Mapping[DeadlineKind, timedelta]
) -> bool:
    if due is None or kind is None:
        return False
    window = windows.get(DeadlineKind(kind))
    if window is None or now < due - window:
        return False
    # An arriving window (APPEAL_OPENS) is news once it has arrived; a duty is news
    # only while it can still be met.
    return now < due or window == type(window)(0)


def event(
    shop_id: int,
    kind: str,
    case_key: str,
    dedup: str,
    now: datetime,
    data: dict[str, Any],
    uid: str | None = None,
) -> dict[str, Any]:
    """An event as :func:`write` takes it: ``data`` in its envelope (id, type, time),
    with the keys that order its deliveries (``case_key``) and make it once-only
    (``dedup``). ``uid``: a fresh ``evt_`` id unless given."""
    uid = uid if uid is not None else f"evt_{uuid.uuid4().hex}"
    return {
        "uid": uid,
        "shop_id": shop_id,
        "type": kind,
        "dedup_key": dedup,
        "case_key": case_key,
        "payload": {"id": uid, "type": kind, "timestamp": iso(now), "data": data},
        "created_at": now,
    }


def _event(
    row: dict[str, Any], kind: str, dedup: str, now: datetime, extra: dict[str, Any]
) -> dict[str, Any]:
    case_key = f"{row['kind']}:{row['entity_id']}"
    data = {"caseKind": row["kind"], **_summary(row), **extra}
    return event(row["shop_id"], kind, case_key, dedup, now, data)


def events_for(
    old: Mapping[tuple[str, int], Any],
    rows: Sequence[dict[str, Any]],
    now: datetime,
    windows: Mapping[int, Mapping[DeadlineKind, timedelta]] | None = None,
) -> list[dict[str, Any]]:
    """The events that recomputing ``old`` into ``rows`` at ``now`` causes;
    ``windows``: each shop's warning windows (default: types.DEFAULT_WARNINGS)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        shop_windows = (windows or {}).get(row["shop_id"], types.DEFAULT_WARNINGS)
        key = (row["kind"], row["entity_id"])
        prev = old.get(key)
        base = f"{row['kind']}:{row['entity_id']}"
        if prev is not None and (prev.action, prev.rule_id) != (row["action"], row["rule_id"]):
            dedup = f"dc:{base}:{prev.rule_id}>{row['rule_id']}:{iso(now)}"
            previous = {"action": _value(prev.action), "ruleId": prev.rule_id}
            out.append(_event(row, types.DECISION_CHANGED, dedup, now, {"previous": previous}))
        # The deadline the case had (an APPEAL_OPENS that has just arrived is gone from
        # the new row) and the one it has now.
        candidates = [(row["open"], row["deadline_kind"], row["due_at"])]
        if prev is not None:
            candidates.insert(0, (prev.open, prev.deadline_kind, prev.due_at))
        for is_open, kind, due in candidates:
            if is_open and _approaching(kind, due, now, shop_windows):
                dedup = f"da:{base}:{_value(kind)}:{iso(due)}"
                extra = {"deadline": {"kind": _value(kind), "at": iso(due)}}
                out.append(_event(row, types.DEADLINE_APPROACHING, dedup, now, extra))
        due = row["due_at"]
        if row["open"] and row["overdue"] and due is not None and due <= now:
            dedup = f"od:{base}:{_value(row['deadline_kind'])}:{iso(due)}"
            out.append(_event(row, types.OVERDUE, dedup, now, {}))
    return out


def stored_states(session: Session, order_ids: Sequence[int]) -> dict[tuple[str, int], Any]:
    """The stored state rows of these orders, as :func:`record` compares them.

    Every row of a recomputed order is recomputed with it, so the stored rows are
    found by their order: one indexed array lookup. A (kind, entity_id) IN list of
    row values made PostgreSQL scan the whole table (a quarter of the refresher's
    time at 30,000 orders) and was compiled anew for every batch."""
    stmt = select(*OLD_COLUMNS).where(ids_in(CaseState.order_id, order_ids, dialect_of(session)))
    return by_case(session.execute(stmt).all())


def by_case(rows: Sequence[Any]) -> dict[tuple[str, int], Any]:
    """Rows of :data:`OLD_COLUMNS` by their case's key."""
    return {(o.kind, o.entity_id): o for o in rows}


def record(
    session: Session,
    old: Mapping[tuple[str, int], Any],
    rows: Sequence[dict[str, Any]],
    now: datetime,
    windows: Mapping[int, Mapping[DeadlineKind, timedelta]] | None = None,
) -> None:
    """Write the events of this recomputation (see the module's docstring): ``old``
    the stored rows as they were (:func:`stored_states`), ``rows`` the new ones;
    ``windows``: each shop's warning windows, from its policy."""
    if rows:
        write(session, events_for(old, rows, now, windows), now)


_EVENT_COLUMNS = ("uid", "shop_id", "type", "dedup_key", "case_key", "payload", "created_at")


@functools.cache
def _pg_insert_events() -> Any:
    table = cast(Table, CaseEvent.__table__)
    stmt = insert_from_arrays(table, _EVENT_COLUMNS)
    stmt = stmt.on_conflict_do_nothing(index_elements=["dedup_key"])
    return stmt.returning(table.c.id, table.c.dedup_key)


def write(session: Session, events: list[dict[str, Any]], now: datetime) -> list[int]:
    """Insert events (skipping ones already written) and their deliveries; the ids
    of the events inserted."""
    if not events:
        return []
    # One executemany: the dedup keys already taken are skipped, and only the events
    # actually inserted (returned) get deliveries.
    table = cast(Table, CaseEvent.__table__)
    dialect = session.get_bind().dialect.name
    by_key = {ev["dedup_key"]: ev for ev in events}
    if dialect == "postgresql":
        # One array per column (see insert_from_arrays): an executemany INSERT of a
        # batch's events was bound one parameter at a time.
        values = list(by_key.values())
        arrays = {f"a_{name}": [ev[name] for ev in values] for name in _EVENT_COLUMNS}
        # Stored as the JSON column would store them (SQLAlchemy's json.dumps).
        arrays["a_payload"] = [json.dumps(p) for p in arrays["a_payload"]]
        got = session.execute(_pg_insert_events(), arrays)
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=["dedup_key"])
        got = session.execute(stmt.returning(table.c.id, table.c.dedup_key), list(by_key.values()))
    inserted = [(row.id, by_key[row.dedup_key]) for row in got]
    if not inserted:
        return []
    from service.events import metrics

    for _, ev in inserted:
        metrics.EVENTS_CREATED.labels(ev["type"]).inc()
    shops = {ev["shop_id"] for _, ev in inserted}
    endpoints = session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.shop_id, WebhookEndpoint.event_types).where(
            WebhookEndpoint.shop_id.in_(shops), WebhookEndpoint.enabled.is_(True)
        )
    ).all()
    deliveries = [
        {
            "shop_id": ev["shop_id"],
            "event_id": event_id,
            "endpoint_id": ep.id,
            "case_key": ev["case_key"],
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for event_id, ev in inserted
        for ep in endpoints
        if ep.shop_id == ev["shop_id"] and (not ep.event_types or ev["type"] in ep.event_types)
    ]
    if deliveries:
        session.execute(cast(Table, WebhookDelivery.__table__).insert(), deliveries)
        from service.events import wakeup

        wakeup.note_written(session)
    if dialect == "postgresql":
        from service.events import listener

        # Every replica (this one too) hears it at the commit, and publishes locally.
        listener.notify(session, [(i, ev["shop_id"]) for i, ev in inserted])
    else:
        from service.events import bus

        bus.after_commit(session, [ev for _, ev in inserted])
    return [i for i, _ in inserted]
