"""The per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from service.config import Settings
from service.db.gate import SessionGate
from service.graphql.errors import PermissionDenied
from service.store.tokens import Principal

if TYPE_CHECKING:
    from service.graphql.loaders import Loaders


@dataclass
class Context:
    request: Request
    session: AsyncSession
    principal: Principal
    settings: Settings
    # One "now" per request, so every decision on a dashboard page agrees.
    now: datetime
    metrics: Any = None
    failed: bool = False
    # Every use of ``session`` goes through this gate (see service.db.gate).
    db_lock: SessionGate = field(default_factory=SessionGate)

    @property
    def shop_id(self) -> int:
        return self.principal.shop_id

    @cached_property
    def loaders(self) -> Loaders:
        from service.graphql.loaders import Loaders

        return Loaders(self.session, self.principal.shop_id, self.db_lock)

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
