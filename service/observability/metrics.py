"""Prometheus metrics on a per-app registry (never the process-global default one).

One :class:`Metrics` lives on ``app.state.metrics``. Label values that come from
clients (GraphQL operation names) are checked and capped so a caller cannot blow up
the number of time series.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from service.events.metrics import Forward as EventsForward
from service.lifecycle import Lifecycle

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "PoolStats", "record_decision"]

# (size, checked_out, overflow); any of them None when the pool cannot tell.
PoolStats = tuple[int | None, int | None, int | None]

NO_OPERATION = "none"
ANONYMOUS_OPERATION = "anonymous"
OTHER = "other"
MAX_OPERATION_NAMES = 200
_OPERATION_RE = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_LABEL_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def engine_pool_stats(engine: AsyncEngine) -> PoolStats:
    """Read a SQLAlchemy pool's numbers; None for those this pool type does not keep."""
    pool = engine.sync_engine.pool

    def read(name: str) -> int | None:
        method = getattr(pool, name, None)
        if not callable(method):
            return None
        try:
            value = method()
        except (TypeError, NotImplementedError):
            return None
        return value if isinstance(value, int) else None

    overflow = read("overflow")
    # QueuePool counts overflow from -size up: negative means "slots not opened yet".
    return read("size"), read("checkedout"), None if overflow is None else max(overflow, 0)


class _StateCollector(Collector):
    """Gauges read at scrape time: pool use, requests in flight, draining."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterable[Metric]:
        pool_source = self._metrics.pool_source
        if pool_source is not None:
            names = ("size", "checked_out", "overflow")
            helps = (
                "Connections the pool keeps open",
                "Connections lent to requests now",
                "Connections opened beyond the pool size now",
            )
            try:
                stats = pool_source()
            except Exception:  # a scrape must never fail on a pool that went away
                stats = (None, None, None)
            for name, help_text, value in zip(names, helps, stats, strict=True):
                if value is not None:
                    yield GaugeMetricFamily(f"aftersales_db_pool_{name}", help_text, value=value)
        lifecycle = self._metrics.lifecycle_source()
        if lifecycle is not None:
            yield GaugeMetricFamily(
                "aftersales_requests_in_flight",
                "HTTP requests being served now",
                value=lifecycle.in_flight,
            )
            yield GaugeMetricFamily(
                "aftersales_shutting_down",
                "1 once the process began draining",
                value=int(lifecycle.shutting_down),
            )


class Metrics:
    """The service's Prometheus metrics, all registered on :attr:`registry`."""

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        *,
        lifecycle_source: Callable[[], Lifecycle | None] | None = None,
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.pool_source: Callable[[], PoolStats] | None = None
        self.lifecycle_source: Callable[[], Lifecycle | None] = lifecycle_source or (lambda: None)
        self._operations: set[str] = set()
        self._operations_lock = threading.Lock()
        self.requests = Counter(
            "aftersales_requests",
            "HTTP requests by route, GraphQL operation and outcome",
            ["route", "operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "aftersales_request_duration_seconds",
            "HTTP request latency by route and GraphQL operation",
            ["route", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.decisions = Counter(
            "aftersales_decisions",
            "Recommendations made, by action and the rule that decided",
            ["action", "rule_id"],
            registry=self.registry,
        )
        self.registry.register(_StateCollector(self))
        # Events and webhook deliveries (service.events.metrics), on /metrics too.
        self.registry.register(EventsForward())
        self._request_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        self._decision_children: dict[tuple[str, str], Any] = {}

    def operation_label(self, name: object) -> str:
        """A bounded label for a client-chosen GraphQL operation name.

        Takes any value: the name comes from the request body, where a client may send
        a number or an object."""
        if name is None:
            return ANONYMOUS_OPERATION
        if not isinstance(name, str) or not _OPERATION_RE.fullmatch(name):
            return OTHER
        with self._operations_lock:
            if name in self._operations:
                return name
            if len(self._operations) >= MAX_OPERATION_NAMES:
                return OTHER
            self._operations.add(name)
            return name

    def observe_request(
        self, *, route: str, operation: str | None, outcome: str, duration_s: float
    ) -> None:
        operation = operation or NO_OPERATION
        key = (route, operation, outcome)
        children = self._request_children.get(key)
        if children is None:
            # labels() validates and locks on every call: keep the children (the label
            # sets are bounded: operation names are, see operation_label).
            children = self._request_children[key] = (
                self.requests.labels(route=route, operation=operation, outcome=outcome),
                self.latency.labels(route=route, operation=operation),
            )
        children[0].inc()
        children[1].observe(duration_s)

    def record_decision(self, action: str, rule_id: str) -> None:
        """Count one recommendation; call it once per decision the API returns."""
        key = (action, rule_id)
        child = self._decision_children.get(key)
        if child is None:
            child = self._decision_children[key] = self.decisions.labels(
                action=_label(action), rule_id=_label(rule_id)
            )
        child.inc()

    def watch_pool(self, engine: AsyncEngine) -> None:
        """Report ``engine``'s pool (size, checked out, overflow) at every scrape.

        Pools that do not keep a number (SQLite's static or null pools) simply omit
        that gauge.
        """
        self.watch_pool_stats(lambda: engine_pool_stats(engine))

    def watch_pool_stats(self, source: Callable[[], PoolStats]) -> None:
        self.pool_source = source

    def render(self) -> bytes:
        return generate_latest(self.registry)


def record_decision(metrics: Metrics | Any, action: str, rule_id: str) -> None:
    """Count a decision on ``metrics`` (a :class:`Metrics`, or an app/state holding one).

    Accepts the Metrics object itself, ``app.state`` or the app, so a resolver can pass
    whatever it has at hand. Does nothing when no metrics are configured (tests).
    """
    target: Any = metrics
    for attr in ("state", "metrics"):
        if not isinstance(target, Metrics):
            target = getattr(target, attr, target)
    if isinstance(target, Metrics):
        target.record_decision(action, rule_id)


def _label(value: str) -> str:
    return value if _LABEL_RE.fullmatch(value) else OTHER
