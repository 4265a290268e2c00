"""Configuration from ``AFTERSALES_*`` environment variables.

A wrong value fails at start with a message naming the variable
(:func:`load_settings` turns pydantic's error into :class:`ConfigError`).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

ENV_PREFIX = "AFTERSALES_"

# Async drivers only: the service never blocks its event loop on a sync driver.
SUPPORTED_DRIVERS = {
    "sqlite+aiosqlite": "sqlite",
    "postgresql+asyncpg": "postgresql",
}
_DRIVER_ALIASES = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class Environment(StrEnum):
    DEV = "dev"
    PROD = "prod"


class ConfigError(Exception):
    """Configuration that cannot work; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite+aiosqlite:///./aftersales.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path.db or postgresql+asyncpg://...",
    )
    env: Environment = Field(default=Environment.DEV, description="dev enables GraphiQL")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO")
    db_pool_size: int = Field(default=10, ge=1, le=200, description="PostgreSQL pool size")
    db_max_overflow: int = Field(default=5, ge=0, le=200)
    db_pool_timeout_s: float = Field(default=10.0, gt=0, le=300)
    db_echo: bool = Field(default=False, description="log every SQL statement")
    shutdown_timeout_s: int = Field(
        default=20, ge=1, le=600, description="grace for in-flight requests on SIGTERM"
    )
    metrics_public: bool = Field(
        default=False, description="allow unauthenticated scrapes of /metrics"
    )
    metrics_token: str | None = Field(
        default=None, description="bearer token a scraper must send when metrics are not public"
    )
    graphql_max_query_depth: int = Field(default=12, ge=2, le=64)
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        le=256 * 1024 * 1024,
        description="largest request body accepted; a larger one is refused with HTTP 413",
    )
    refresh_interval_s: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        description="seconds between the server's case-state refresh passes (0: none)",
    )
    refresh_lanes: int = Field(
        default=2,
        ge=1,
        le=8,
        description="refresh batches in flight at once on PostgreSQL (SQLite takes one):"
        " one batch computes while another waits for the database",
    )
    gc_freeze: bool = Field(
        default=True,
        description="once started, keep the objects alive then out of the garbage collector's"
        " full passes (gc.freeze): removes a pause of ~150 ms every few thousand requests",
    )
    token_cache_ttl_s: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="how long a replica trusts a token it has checked (0: check every request)",
    )
    claim_lease_minutes: int = Field(
        default=15,
        ge=1,
        le=24 * 60,
        description="how long an agent's claim on a case lasts unless renewed",
    )
    disruption_min_parcels: int = Field(
        default=20,
        ge=2,
        le=1_000_000,
        description="open parcels of one carrier stuck at one place that make a disruption",
    )
    policy_cache_ttl_s: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        description="how long a replica trusts a shop policy it has read: a change made on"
        " another replica is seen within this time (0: read it on every request)",
    )

    idempotency_ttl_h: int = Field(
        default=24,
        ge=1,
        le=24 * 30,
        description="how long an Idempotency-Key's stored response is replayed",
    )
    idempotency_purge_interval_s: float = Field(
        default=300.0,
        ge=0,
        le=86400,
        description="how often a replica deletes expired Idempotency-Keys (0: never)",
    )
    query_max_cost: int = Field(
        default=1000, ge=10, le=1_000_000, description="largest calculated cost of one query"
    )
    rate_limit_points: int = Field(
        default=1000,
        ge=10,
        le=1_000_000,
        description="size of each token's bucket of query-cost points",
    )
    rate_limit_restore_per_s: int = Field(
        default=50, ge=1, le=1_000_000, description="points a token's bucket gets back per second"
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:port/db: share the rate-limit buckets between replicas",
    )
    webhook_timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="how long a webhook receiver may take to answer"
    )
    webhook_max_failures: int = Field(
        default=50,
        ge=1,
        le=10_000,
        description="consecutive failed deliveries after which an endpoint is disabled",
    )
    webhook_allowed_hosts: str = Field(
        default="",
        description="comma-separated hosts or CIDRs a prod webhook may reach although they"
        " are loopback, link-local or private",
    )
    webhook_lease_s: float = Field(
        default=60.0,
        ge=1,
        le=3600,
        description="how long a claimed delivery is a worker's before another may retry it"
        " (a worker that died mid-delivery); keep it above the webhook timeout",
    )
    deliver_interval_s: float = Field(
        default=1.0,
        ge=0,
        le=3600,
        description="seconds between the worker's delivery passes when idle (0: the server"
        " delivers nothing in-process; run `aftersales worker`)",
    )

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("not a Redis URL: use redis://host:6379/0 (or rediss://)")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {exc}") from exc
        drivername = _DRIVER_ALIASES.get(url.drivername, url.drivername)
        if drivername not in SUPPORTED_DRIVERS:
            supported = ", ".join(sorted(SUPPORTED_DRIVERS))
            raise ValueError(f"unsupported scheme {url.drivername!r}; use one of {supported}")
        return url.set(drivername=drivername).render_as_string(hide_password=False)

    @cached_property
    def url(self) -> URL:
        return make_url(self.database_url)

    @property
    def dialect(self) -> str:
        return SUPPORTED_DRIVERS[self.url.drivername]

    @property
    def refresher_lanes(self) -> int:
        """Batches a refresher keeps in flight: SQLite has no SKIP LOCKED to share
        the stale rows between them, and writes one transaction at a time anyway."""
        return self.refresh_lanes if self.dialect == "postgresql" else 1

    @property
    def graphiql(self) -> bool:
        return self.env is Environment.DEV


def load_settings() -> Settings:
    """Read the environment; raise :class:`ConfigError` naming each bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ENV_PREFIX + "_".join(str(p) for p in error["loc"]).upper()
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
