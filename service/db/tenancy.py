"""Tenancy the database enforces: PostgreSQL row-level security per shop.

Every table holding a shop's rows has a policy that shows the role
``aftersales_tenant`` only the rows whose ``shop_id`` is the transaction's
``app.shop_id`` (``shops`` by its ``id``), and lets it write no others. A request's
session, once its token has named the shop, runs each transaction as that role with
that setting (both transaction-local, so a pooled connection goes back clean). A query
that forgets its shop filter then still sees, and changes, only the caller's shop.

The paths that work across shops by design keep the service's own role, which owns
the tables and so is not subject to the policies: token lookup (before the shop is
known), the refresher, the webhook worker, the CLI and migrations.

SQLite has no roles: the embedded database relies on the queries' own filters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

TENANT_ROLE = "aftersales_tenant"
SHOP_SETTING = "app.shop_id"
_KEY = "tenant_shop_id"

# A request's statements are small and want their first rows fast: no parallel plans.
# A parallel worker costs milliseconds to start, and with LIMIT PostgreSQL misjudged
# when one pays off: the refund page due within 24 hours took 7 ms in a parallel
# index scan and 1 ms without (1,000,000 orders). The refresher and the CLI keep the
# server's setting.
_ENTER = text(
    f"SELECT set_config('role', '{TENANT_ROLE}', true), set_config('{SHOP_SETTING}', :shop, true),"
    " set_config('max_parallel_workers_per_gather', '0', true)"
)


def scope(session: AsyncSession, shop_id: int) -> None:
    """Run this session's next transactions as ``shop_id``'s tenant (PostgreSQL)."""
    session.sync_session.info[_KEY] = shop_id


async def enter(session: AsyncSession, shop_id: int) -> None:
    """Scope the session, including the transaction it is in now (a session that
    looked the token up before the shop was known)."""
    scope(session, shop_id)
    if session.in_transaction() and _is_postgresql(session.sync_session):
        await session.execute(_ENTER, {"shop": str(shop_id)})


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _after_begin(session: Session, transaction: SessionTransaction, connection: Any) -> None:
    shop_id = session.info.get(_KEY)
    if shop_id is None or connection.dialect.name != "postgresql":
        return
    # A savepoint runs inside a transaction already scoped (here as it began, or by
    # enter()), and a transaction-local setting lasts to that transaction's end: a
    # second prelude in every mutation's savepoint was a statement for nothing.
    if transaction.nested:
        return
    connection.execute(_ENTER, {"shop": str(shop_id)})


def install() -> None:
    """Scope every tenant session's transactions as they begin (idempotent)."""
    if not event.contains(Session, "after_begin", _after_begin):
        event.listen(Session, "after_begin", _after_begin)


install()
