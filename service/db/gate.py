"""One request's way into its database session.

An ``AsyncSession`` allows one operation at a time, while a GraphQL request runs many
resolvers and DataLoader batches concurrently. Every use of the request's session goes
through its gate: one operation at a time, and none once the request is over.

The second half matters as much as the first. When one branch of a gathered lookup
fails, its siblings are still in flight: they would go on using the session after
the request closed it, leaving the connection checked out ("idle in transaction" on
PostgreSQL) until the garbage collector finds it. :meth:`SessionGate.close` waits
for the operation under way and refuses every later one, so the session can then be
closed cleanly and its connection returned to the pool.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class RequestFinished(RuntimeError):
    """Database work was attempted after its request had ended."""


class SessionGate:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    async def __aenter__(self) -> None:
        if self._closed:  # never queue behind close(), which keeps the lock for good
            raise RequestFinished("the request is over; its session is closed")
        await self._lock.acquire()
        if self._closed:  # queued before the request ended, admitted after
            self._lock.release()
            raise RequestFinished("the request is over; its session is closed")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._lock.release()

    async def close(self) -> None:
        """Wait for the operation under way, then refuse every later one (for good:
        the lock is never released again)."""
        if self._closed:
            return
        self._closed = True
        await self._lock.acquire()
