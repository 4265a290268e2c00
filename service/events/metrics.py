"""Prometheus metrics of events and deliveries, on their own registry.

The service's :class:`service.observability.metrics.Metrics` exposes this registry
on /metrics too (:class:`Forward`), whichever process (server or worker) records."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry()

EVENTS_CREATED = Counter(
    "aftersales_events_created",
    "Case events written to the outbox, by type",
    ["type"],
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "aftersales_webhook_deliveries",
    "Webhook delivery attempts by outcome (delivered, retry, failed, gone)",
    ["outcome"],
    registry=REGISTRY,
)
DELIVERY_LATENCY = Histogram(
    "aftersales_webhook_delivery_seconds",
    "Time a receiver took to answer a delivery",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
QUEUE_LAG = Gauge(
    "aftersales_webhook_queue_lag_seconds",
    "How long the oldest due delivery has waited, as the worker last saw it",
    registry=REGISTRY,
)


class Forward(Collector):
    """Exposes :data:`REGISTRY` through another registry."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
