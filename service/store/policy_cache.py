"""Each replica's copy of its shops' policy settings, so a request that only needs
the policy (``recommend``, every decision on a page) makes no SQL statement for it.

An entry remembers the shop's ``policy_version`` (bumped by every
``updateShopPolicy``) and is trusted for ``ttl_s`` seconds; after that the next
request reads the shop row again and keeps the built entry when the version has not
moved. So a change made on another replica is seen within ``ttl_s``
(``AFTERSALES_POLICY_CACHE_TTL_S``, 5 s by default), and on the replica that made it
as soon as its transaction commits (:meth:`PolicyCache.forget`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Shop
from service.decision.facts import Platform
from service.decision.policy import Policy, ShopPolicyOverrides, policy_for
from service.store.facts import OVERRIDE_COLUMNS, shop_overrides


class ShopGone(LookupError):
    """The token's shop no longer exists."""


@dataclass(slots=True)
class ShopPolicies:
    """A shop's policy settings as read at ``version``."""

    shop_id: int
    version: int
    platform: Platform
    overrides: ShopPolicyOverrides | None
    _built: dict[Platform, Policy] = field(default_factory=dict)

    def policy(self, platform: Platform | None = None) -> Policy:
        """The policy for an order on ``platform`` (default: the shop's own)."""
        platform = platform or self.platform
        built = self._built.get(platform)
        if built is None:
            built = self._built[platform] = policy_for(platform, self.overrides)
        return built


class PolicyCache:
    def __init__(
        self,
        ttl_s: float = 5.0,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[int, tuple[float, ShopPolicies]] = {}
        # Bumped by forget(): a read that began before a forget must not store what
        # it read, since it may predate the change that was just committed.
        self._epochs: dict[int, int] = {}

    def get(self, shop_id: int) -> ShopPolicies | None:
        """The shop's settings if read less than ``ttl_s`` ago, else None."""
        entry = self._entries.get(shop_id)
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1]

    async def load(self, session: AsyncSession, shop_id: int) -> ShopPolicies:
        """Read the shop's settings (one statement) and remember them."""
        epoch = self._epochs.get(shop_id, 0)
        row = (
            await session.execute(
                select(
                    Shop.policy_version,
                    Shop.platform,
                    *(getattr(Shop, name) for name in OVERRIDE_COLUMNS),
                ).where(Shop.id == shop_id)
            )
        ).one_or_none()
        if row is None:
            self._entries.pop(shop_id, None)
            raise ShopGone("the token's shop no longer exists")
        old = self._entries.get(shop_id)
        if old is not None and old[1].version == row.policy_version:
            policies = old[1]  # unchanged: keep the policies already built
        else:
            policies = ShopPolicies(shop_id, row.policy_version, row.platform, shop_overrides(row))
        if self._epochs.get(shop_id, 0) == epoch:
            if len(self._entries) >= self.max_entries and shop_id not in self._entries:
                self._entries.clear()  # bounded memory; entries are cheap to read again
            self._entries[shop_id] = (self.clock() + self.ttl_s, policies)
        return policies

    def forget(self, shop_id: int) -> None:
        """Drop the shop's entry: its policy changed on this replica."""
        self._entries.pop(shop_id, None)
        self._epochs[shop_id] = self._epochs.get(shop_id, 0) + 1
