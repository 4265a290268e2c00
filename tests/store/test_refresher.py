"""The refresher: stale rows are recomputed, in batches, once each, and nothing is lost."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db.engine import create_sessionmaker
from service.db.models import CaseState, Order
from service.decision.facts import OrderStatus, Platform, RefundReason
from service.store import case_state, refresher
from service.store.refresher import Refresher, refresh_all, refresh_stale
from tests.conftest import make_shop
from tests.factories import NOW, make_order, make_refund
from tests.store.brute import decisions


async def _states(session: AsyncSession) -> list[CaseState]:
    stmt = select(CaseState).order_by(CaseState.id).execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars())


async def _arrange(session: AsyncSession, n: int = 6) -> int:
    shop = await make_shop(session)
    for i in range(n):
        order = await make_order(
            session, shop, f"O-{i}", confirmed_at=NOW - timedelta(hours=8 * i + 3)
        )
        if i % 3 == 0:
            await make_refund(session, order, f"RF-{i}", reason=RefundReason.NO_LONGER_WANTED)
    await session.commit()
    # computed at NOW, as a write at NOW would have
    ids = [s.order_id for s in await _states(session)]
    await session.run_sync(case_state.refresh_orders, ids, NOW)
    await session.commit()
    return shop.id


def _at(moment: datetime) -> object:
    return lambda: moment


async def _assert_current(session: AsyncSession, shop_id: int, now: datetime) -> None:
    fresh = await decisions(session, shop_id, now)
    states = {(s.kind, s.entity_id): s for s in await _states(session)}
    assert {k for k, s in states.items() if s.open} == set(fresh)
    for key, d in fresh.items():
        expected = (d.rule_id, d.overdue) if d is not None else (None, False)
        assert (states[key].rule_id, states[key].overdue) == expected, key


async def test_refresher_recomputes_rows_whose_stale_at_passed(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    # given states computed at NOW, and a refresher running two days later
    shop_id = await _arrange(session)
    later = NOW + timedelta(days=2)
    due = [s.order_id for s in await _states(session) if s.stale_at and s.stale_at <= later]
    assert due  # ship-by and respond-by boundaries fall in between

    # when it runs
    done = await Refresher(create_sessionmaker(engine), batch=2, clock=_at(later)).run_once()  # type: ignore[arg-type]

    # then exactly the due orders were recomputed and every state is exact at that time
    assert done == len(set(due))
    await _assert_current(session, shop_id, later)
    assert all(s.stale_at is None or s.stale_at > later for s in await _states(session))


async def test_rows_of_older_rules_are_recomputed(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    await _arrange(session)
    await session.execute(update(CaseState).values(rules_version="older"))
    await session.commit()

    done = await Refresher(create_sessionmaker(engine), clock=_at(NOW)).run_once()  # type: ignore[arg-type]

    assert done == 6
    assert {s.rules_version for s in await _states(session)} == {case_state.RULES_VERSION}


async def test_a_refresher_that_dies_mid_batch_loses_nothing(
    session: AsyncSession, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop_id = await _arrange(session)
    later = NOW + timedelta(days=2)
    real = case_state.refresh_orders

    def dying(*args: object, **kwargs: object) -> list[int]:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("killed")

    # when a refresher dies after writing, before its commit
    monkeypatch.setattr(case_state, "refresh_orders", dying)
    with pytest.raises(RuntimeError):
        await Refresher(
            create_sessionmaker(engine),
            clock=_at(later),  # type: ignore[arg-type]
            outdated=False,
        ).run_batch()
    monkeypatch.setattr(case_state, "refresh_orders", real)

    # then its rows are still stale, and the next refresher takes them
    assert any(s.stale_at is not None and s.stale_at <= later for s in await _states(session))
    await Refresher(create_sessionmaker(engine), clock=_at(later)).run_once()  # type: ignore[arg-type]
    await _assert_current(session, shop_id, later)


async def test_two_refreshers_never_process_the_same_order(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    # given many stale orders
    await _arrange(session, n=120)
    await session.execute(update(CaseState).values(stale_at=case_state.EPOCH))
    await session.commit()

    # when two refreshers work at once in small batches
    makers = [create_sessionmaker(engine), create_sessionmaker(engine)]
    workers = [
        Refresher(m, batch=7, clock=_at(NOW), outdated=False, keep_ids=True)  # type: ignore[arg-type]
        for m in makers
    ]
    await asyncio.gather(*(w.run_once() for w in workers))

    # then together they did every order, and no order twice
    a, b = (w.processed for w in workers)
    assert len(a) == len(set(a)) and len(b) == len(set(b))
    assert not set(a) & set(b)
    assert len(a) + len(b) == 120
    assert all(s.stale_at != case_state.EPOCH for s in await _states(session))


async def test_lanes_share_outdated_then_stale_orders_once_each(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    # given orders computed by older rules, and others past their stale_at
    await _arrange(session, n=60)
    await session.execute(
        update(CaseState).where(CaseState.order_id % 2 == 0).values(rules_version="older")
    )
    await session.execute(
        update(CaseState).where(CaseState.order_id % 2 == 1).values(stale_at=case_state.EPOCH)
    )
    await session.commit()

    # when one refresher works with three batches in flight
    worker = Refresher(
        create_sessionmaker(engine),
        batch=4,
        clock=_at(NOW),  # type: ignore[arg-type]
        keep_ids=True,
        lanes=3,
    )
    done = await worker.run_once()

    # then every order was recomputed exactly once, outdated ones and stale ones alike
    assert sorted(worker.processed) == sorted(set(worker.processed))
    assert done == len(worker.processed) == 60
    states = await _states(session)
    assert all(s.rules_version == case_state.RULES_VERSION for s in states)
    assert all(s.stale_at != case_state.EPOCH for s in states)
    assert worker.outdated is False


async def test_a_failing_lane_stops_the_pass_and_its_sibling(
    session: AsyncSession, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given many stale orders, and a recomputation that fails on its second batch
    await _arrange(session, n=30)
    await session.execute(update(CaseState).values(stale_at=case_state.EPOCH))
    await session.commit()
    real = case_state.refresh_orders
    calls: list[int] = []

    def failing(*args: object, **kwargs: object) -> list[int]:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("lost the database")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(case_state, "refresh_orders", failing)

    # when a refresher with two lanes makes a pass
    worker = Refresher(
        create_sessionmaker(engine),
        batch=3,
        clock=_at(NOW),  # type: ignore[arg-type]
        outdated=False,
        lanes=2,
    )
    with pytest.raises(RuntimeError, match="lost the database"):
        await worker.run_once()

    # then the error is the lane's own, and no lane goes on once the pass has failed
    after = len(calls)
    await asyncio.sleep(0.2)
    assert len(calls) == after
    assert any(s.stale_at == case_state.EPOCH for s in await _states(session))


@pytest.mark.parametrize("lanes", [1, 2])
async def test_refresh_all_fills_orders_loaded_by_sql(
    session: AsyncSession, engine: AsyncEngine, lanes: int
) -> None:
    # given orders inserted by plain SQL: no state rows
    shop = await make_shop(session)
    await session.commit()
    await session.execute(
        insert(Order.__table__),  # type: ignore[arg-type]
        [_bulk_order(shop.id, f"BULK-{i}") for i in range(1, 6)],
    )
    await session.commit()
    assert await _states(session) == []
    seen: list[tuple[int, int]] = []

    # when every case is recomputed, in batches of two, with `lanes` batches in flight
    done = await refresh_all(
        create_sessionmaker(engine),
        lambda d, t, _s: seen.append((d, t)),
        batch=2,
        clock=_at(NOW),  # type: ignore[arg-type]
        lanes=lanes,
    )

    # then every order has its state once, and progress was reported up to the total
    assert done == 5 and len(seen) == 3 and seen[-1] == (5, 5)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    states = await _states(session)
    orders = (await session.execute(select(Order.id))).scalars().all()
    assert sorted(s.order_id for s in states) == sorted(orders)
    assert {(s.rule_id, s.overdue, s.queue_rank) for s in states} == {("V3", True, 0)}


def _bulk_order(shop_id: int, number: str) -> dict[str, object]:
    return dict(
        shop_id=shop_id,
        order_number=number,
        platform=Platform.PDD.value,
        amount_cents=Decimal("10.00"),
        status=OrderStatus.AWAITING_SHIPMENT.value,
        confirmed_at=NOW - timedelta(hours=60),
        group_formed_at=NOW - timedelta(hours=60),
        can_fulfil=True,
        return_address_complete=True,
        remote_destination=False,
        force_majeure_exempt=False,
        created_at=NOW,
        updated_at=NOW,
    )


async def test_a_read_refreshes_only_its_own_shops_stale_rows(session: AsyncSession) -> None:
    shop_id = await _arrange(session)
    other = await make_shop(session, "shop-b")
    await make_order(session, other, "B-1")
    await session.commit()
    await session.execute(update(CaseState).values(stale_at=case_state.EPOCH))
    await session.commit()

    n = await refresh_stale(session, shop_id, NOW)
    await session.commit()

    assert n == 6
    by_shop = {(s.shop_id, s.stale_at == case_state.EPOCH) for s in await _states(session)}
    assert by_shop == {(shop_id, False), (other.id, True)}
    assert refresher.BATCH > 0


async def test_an_order_is_claimed_whole_by_one_refresher(
    session: AsyncSession, engine: AsyncEngine, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("row locks: SQLite has one writer at a time")
    # given one stale order with a refund request: two state rows
    await _arrange(session, n=1)
    await session.execute(update(CaseState).values(stale_at=case_state.EPOCH))
    await session.commit()
    assert len(await _states(session)) == 2

    # when two refreshers claim at once, each in its own open transaction, the first
    # in batches of one row
    makers = [create_sessionmaker(engine), create_sessionmaker(engine)]
    async with makers[0]() as first, makers[1]() as second:
        got_first = await first.run_sync(refresher.claim, NOW, 1, False)
        got_second = await second.run_sync(refresher.claim, NOW, 10, False)
        await first.rollback()
        await second.rollback()

    # then the order went to one of them: the other could not take its refund's row
    assert (got_first, got_second) == ([got_first[0]], [])


async def test_a_full_pass_leaves_planner_statistics_for_the_states(
    session: AsyncSession, engine: AsyncEngine, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    # given a shop whose states a full pass fills from empty
    await _arrange(session, n=6)
    await session.execute(delete(CaseState))
    await session.commit()
    estimate = text(
        "SELECT reltuples, relpages, relallvisible FROM pg_class WHERE relname = 'case_states'"
    )
    await session.commit()

    # when every case is recomputed
    await refresh_all(create_sessionmaker(engine), clock=_at(NOW))  # type: ignore[arg-type]

    # then the planner knows the table's rows, and its pages are marked all-visible
    # (index-only scans skip the table), without waiting for autovacuum
    rows = len(await _states(session))
    assert rows == 8
    await session.commit()
    tuples, pages, visible = (await session.execute(estimate)).one()
    assert (tuples, visible) == (rows, pages)


async def test_a_read_that_loses_a_deadlock_recomputes_again(
    session: AsyncSession, engine: AsyncEngine, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: no deadlocks")
    # given a shop whose states are all stale, and another transaction holding its last
    # order, as the refresher or a write would
    shop_id = await _arrange(session)
    await session.execute(update(CaseState).values(stale_at=case_state.EPOCH))
    await session.commit()
    order_ids = sorted({s.order_id for s in await _states(session)})
    first, last = order_ids[0], order_ids[-1]
    attempts: list[int] = []
    real = case_state.refresh_orders

    def counted(*args: object, **kwargs: object) -> list[int]:
        attempts.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(case_state, "refresh_orders", counted)
    lock = "SELECT id FROM orders WHERE id = :id FOR UPDATE"
    makers = create_sessionmaker(engine)
    async with makers() as holder, makers() as reader, makers() as watcher:
        await holder.execute(text("SET LOCAL deadlock_timeout = '10s'"))
        await holder.execute(text(lock), {"id": last})
        # when a read recomputes them: it locks the orders in id order and waits at the
        # last one, and the holder then asks for the first (a deadlock the read, the
        # first to wait, detects and loses)
        await reader.execute(text("SET LOCAL deadlock_timeout = '50ms'"))
        read = asyncio.create_task(refresh_stale(reader, shop_id, NOW))
        for _ in range(200):
            waiting = await watcher.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
            await watcher.rollback()
            if waiting:
                break
            await asyncio.sleep(0.02)
        await holder.execute(text(lock), {"id": first})
        await holder.commit()
        recomputed = await read
        await reader.commit()

    # then the read answered, having done the work twice, and every state is exact
    assert recomputed == len(order_ids)
    assert len(attempts) == 2
    await _assert_current(session, shop_id, NOW)


async def test_deciding_a_chunk_lets_the_event_loop_turn(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given more stale orders than one slice, and a task that counts the loop's turns
    shop_id = await _arrange(session, n=case_state.SLICE * 2 + 5)
    await session.execute(update(CaseState).values(stale_at=case_state.EPOCH))
    await session.commit()
    turns = 0

    async def tick() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    seen: list[int] = []
    real = case_state.group_states

    def watched(*args: object, **kwargs: object) -> list[dict[str, object]]:
        seen.append(turns)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(case_state, "group_states", watched)
    ticker = asyncio.create_task(tick())
    try:
        # when a read recomputes them, as a server does
        await refresh_stale(session, shop_id, NOW)
    finally:
        ticker.cancel()
    await session.commit()

    # then other tasks ran between slices of the decisions, not only at the end
    slices = [seen[i : i + case_state.SLICE] for i in range(0, len(seen), case_state.SLICE)]
    assert len(slices) == 3
    assert all(len(set(s)) == 1 for s in slices)  # a slice runs without a turn...
    assert len({s[0] for s in slices}) == 3  # ...and the loop turns between slices
    await _assert_current(session, shop_id, NOW)
