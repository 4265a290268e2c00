"""The per-request context every resolver receives.

The database session is opened on first use: a request that needs no database (a
``recommend`` with its token and shop policy cached) opens none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from service.config import Settings
from service.db import tenancy
from service.db.gate import SessionGate
from service.graphql.errors import PermissionDenied
from service.store.policy_cache import PolicyCache, ShopPolicies
from service.store.tokens import Principal

if TYPE_CHECKING:
    from service.graphql.loaders import Loaders


@dataclass
class Context:
    request: Request
    sessionmaker: async_sessionmaker[AsyncSession]
    principal: Principal
    settings: Settings
    # One "now" per request, so every decision on a dashboard page agrees.
    now: datetime
    metrics: Any = None
    failed: bool = False
    # Every use of ``session`` goes through this gate (see service.db.gate).
    db_lock: SessionGate = field(default_factory=SessionGate)
    policy_cache: PolicyCache | None = None
    # The session, once something asked for it (or the one authentication used).
    opened: AsyncSession | None = None
    # Set by the mutations' ``run`` before they write: only then does the request
    # commit; a read-only request's transaction (if any) is rolled back (see finish).
    writes: bool = False
    # Run after a successful commit (e.g. forget a changed policy on this replica).
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # caseGroups' grouped scan, shared by the request's caseGroups and disruptions.
    case_groups: Any = None

    @property
    def session(self) -> AsyncSession:
        if self.opened is None:
            self.opened = self.sessionmaker()
            # On PostgreSQL its transactions see only the caller's shop (tenancy.py).
            tenancy.scope(self.opened, self.principal.shop_id)
        return self.opened

    @property
    def shop_id(self) -> int:
        return self.principal.shop_id

    def cached_shop_policies(self) -> ShopPolicies | None:
        """The caller's shop policy settings if this replica's cache holds them fresh."""
        cache = self.policy_cache
        return cache.get(self.principal.shop_id) if cache is not None else None

    async def shop_policies(self) -> ShopPolicies:
        """The caller's shop policy settings, from this replica's cache when fresh."""
        cached = self.cached_shop_policies()
        if cached is not None:
            return cached
        cache = self.policy_cache if self.policy_cache is not None else PolicyCache(ttl_s=0)
        async with self.db_lock:
            return await cache.load(self.session, self.principal.shop_id)

    async def finish(self, commit: bool, *, answered: bool = False) -> None:
        """End the request's transaction (commit only when asked) and close the
        session, if one was opened; then run the after-commit hooks.

        ``answered``: a read that succeeded. Closing alone ends its transaction (the
        connection is rolled back as it goes back to the pool); an explicit rollback
        would first expire every object the request loaded, one by one, to no use
        (about 4 % of a 50-row page). Failed requests still roll back explicitly, so
        that a lost connection raises here."""
        session = self.opened
        if session is None:
            return
        try:
            if commit:
                await session.commit()
            elif not answered:
                await session.rollback()
        finally:
            # Forgotten first, so a second call (an error path after a finish) is a no-op.
            self.opened = None
            await session.close()
        if commit:
            for hook in self.after_commit:
                hook()

    def release(self) -> None:
        """Drop the request's loaded objects (see ``Loaders.release``); the answer
        must already be built."""
        loaders = self.__dict__.pop("loaders", None)
        if loaders is not None:
            loaders.release()
        self.case_groups = None

    @cached_property
    def loaders(self) -> Loaders:
        from service.graphql.loaders import Loaders

        return Loaders(self.session, self.principal.shop_id, self.db_lock, self.shop_policies)

    def require_ingest(self) -> None:
        if not self.principal.can_ingest:
            raise PermissionDenied(
                "this token's role cannot ingest data (needs integration or admin)"
            )

    def require_record(self) -> None:
        if not self.principal.can_record_actions:
            raise PermissionDenied("this token's role cannot record actions (needs agent or admin)")

    def require_admin(self) -> None:
        if not self.principal.can_administer:
            raise PermissionDenied("this token's role cannot change shop policy (needs admin)")


Info = StrawberryInfo[Context, None]
