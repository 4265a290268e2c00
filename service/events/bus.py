"""Pushing committed events to open subscriptions in this process.

On SQLite, events written in a session are kept in ``session.info`` and published
only after its commit, so a subscriber never sees an event whose transaction rolled
back. On PostgreSQL they reach every replica, this one included, through
LISTEN/NOTIFY instead (:mod:`service.events.listener`), which calls :func:`publish`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING = "events.pending"

_subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]], int]] = set()


def after_commit(session: Session, events: list[dict[str, Any]]) -> None:
    session.info.setdefault(PENDING, []).extend(events)


def publish(events: list[dict[str, Any]], loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Hand events to every local subscriber of their shop; with ``loop``, only to the
    subscribers on that event loop (a PostgreSQL listener serves its own loop's, so two
    apps in one process, each with its listener, do not both deliver an event)."""
    for at, queue, shop_id in list(_subscribers):
        if loop is not None and at is not loop:
            continue
        for ev in events:
            if ev["shop_id"] == shop_id:
                at.call_soon_threadsafe(queue.put_nowait, ev["payload"])


def has_subscribers(shop_id: int, loop: asyncio.AbstractEventLoop | None = None) -> bool:
    """Whether a subscription of the shop is open in this process (on ``loop``)."""
    return any(
        entry[2] == shop_id and (loop is None or entry[0] is loop) for entry in list(_subscribers)
    )


def subscribed_shops(loop: asyncio.AbstractEventLoop | None = None) -> set[int]:
    return {entry[2] for entry in list(_subscribers) if loop is None or entry[0] is loop}


@contextmanager
def subscribe(shop_id: int) -> Iterator[asyncio.Queue[dict[str, Any]]]:
    """A queue receiving the payloads of the shop's events while the block runs."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    entry = (asyncio.get_running_loop(), queue, shop_id)
    _subscribers.add(entry)
    try:
        yield queue
    finally:
        _subscribers.discard(entry)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        publish(pending)


def _after_rollback(session: Session, transaction: Any) -> None:
    # A savepoint's rollback leaves the outer transaction's events standing (rare:
    # events are written at the commit, after every savepoint).
    if not transaction.nested:
        session.info.pop(PENDING, None)


def install() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


install()
