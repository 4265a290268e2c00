"""Process lifecycle state shared by the server runner and the readiness probe."""

from __future__ import annotations

import asyncio


class Lifecycle:
    """Tracks whether the process is draining, so /readyz can turn 503 at once."""

    def __init__(self) -> None:
        self._shutting_down = False
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def shutting_down(self) -> bool:
        return self._shutting_down

    def begin_shutdown(self) -> None:
        self._shutting_down = True

    def request_started(self) -> None:
        self.in_flight += 1
        self._idle.clear()

    def request_finished(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self._idle.set()

    async def wait_idle(self, seconds: float) -> bool:
        """Wait until no request is in flight; False when the timeout ran out first."""
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except TimeoutError:
            return False
        return True
