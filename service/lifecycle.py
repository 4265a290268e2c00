"""Process lifecycle state shared by the server runner and the readiness probe."""

from __future__ import annotations


class Lifecycle:
    """Tracks whether the process is draining, so /readyz can turn 503 at once, and
    how many requests are in flight (reported in logs and metrics)."""

    def __init__(self) -> None:
        self._shutting_down = False
        self.in_flight = 0

    @property
    def shutting_down(self) -> bool:
        return self._shutting_down

    def begin_shutdown(self) -> None:
        self._shutting_down = True

    def request_started(self) -> None:
        self.in_flight += 1

    def request_finished(self) -> None:
        self.in_flight -= 1
