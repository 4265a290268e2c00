"""Settings from AFTERSALES_* variables; bad values fail naming the variable."""

from __future__ import annotations

import os

import pytest

from service.config import ENV_PREFIX, ConfigError, Environment, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test from no AFTERSALES_* variable at all."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)


def test_defaults_without_any_variable() -> None:
    # given: no AFTERSALES_* variable (fixture)

    # when
    settings = load_settings()

    # then
    assert settings.database_url == "sqlite+aiosqlite:///./aftersales.db"
    assert settings.dialect == "sqlite"
    assert settings.env is Environment.DEV
    assert settings.graphiql is True
    assert settings.log_level == "INFO"
    assert settings.db_pool_size == 10
    assert settings.db_echo is False
    assert settings.metrics_public is False
    assert settings.metrics_token is None
    assert settings.redis_url is None  # buckets per replica
    assert (settings.rate_limit_points, settings.rate_limit_restore_per_s) == (1000, 50)
    assert settings.idempotency_ttl_h == 24


def test_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("AFTERSALES_ENV", "prod")
    monkeypatch.setenv("AFTERSALES_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("AFTERSALES_DB_POOL_SIZE", "25")
    monkeypatch.setenv("AFTERSALES_METRICS_TOKEN", "scrape-me")

    # when
    settings = load_settings()

    # then
    assert settings.env is Environment.PROD
    assert settings.graphiql is False
    assert settings.log_level == "WARNING"
    assert settings.db_pool_size == 25
    assert settings.metrics_token == "scrape-me"


@pytest.mark.parametrize(
    ("given", "expected", "dialect"),
    [
        (
            "postgres://app:pw@db:5432/shop",
            "postgresql+asyncpg://app:pw@db:5432/shop",
            "postgresql",
        ),
        ("postgresql://app@db/shop", "postgresql+asyncpg://app@db/shop", "postgresql"),
        ("postgresql+asyncpg://app@db/shop", "postgresql+asyncpg://app@db/shop", "postgresql"),
        ("sqlite:///data/aftersales.db", "sqlite+aiosqlite:///data/aftersales.db", "sqlite"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db", "sqlite"),
    ],
)
def test_database_url_is_mapped_to_an_async_driver(
    monkeypatch: pytest.MonkeyPatch, given: str, expected: str, dialect: str
) -> None:
    # given
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", given)

    # when
    settings = load_settings()

    # then
    assert settings.database_url == expected
    assert settings.url.render_as_string(hide_password=False) == expected
    assert settings.dialect == dialect


@pytest.mark.parametrize(
    ("url", "mentions"),
    [
        ("mysql://app@db/shop", "'mysql'"),
        ("postgresql+psycopg2://app@db/shop", "'postgresql+psycopg2'"),
        ("not a url", "not a database URL"),
    ],
)
def test_unusable_database_url_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, url: str, mentions: str
) -> None:
    # given
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", url)

    # when
    with pytest.raises(ConfigError) as raised:
        load_settings()

    # then
    message = str(raised.value)
    assert "AFTERSALES_DATABASE_URL" in message
    assert mentions in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AFTERSALES_ENV", "staging"),
        ("AFTERSALES_LOG_LEVEL", "VERBOSE"),
        ("AFTERSALES_DB_POOL_SIZE", "0"),
        ("AFTERSALES_DB_POOL_SIZE", "many"),
        ("AFTERSALES_SHUTDOWN_TIMEOUT_S", "0"),
        ("AFTERSALES_REDIS_URL", "127.0.0.1:6379"),
        ("AFTERSALES_RATE_LIMIT_POINTS", "0"),
        ("AFTERSALES_RATE_LIMIT_RESTORE_PER_S", "-5"),
        ("AFTERSALES_QUERY_MAX_COST", "1"),
        ("AFTERSALES_IDEMPOTENCY_TTL_H", "0"),
        ("AFTERSALES_IDEMPOTENCY_PURGE_INTERVAL_S", "soon"),
    ],
)
def test_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    # given
    monkeypatch.setenv(name, value)

    # when
    with pytest.raises(ConfigError) as raised:
        load_settings()

    # then
    message = str(raised.value)
    assert name in message
    assert "\n" not in message
    others = {"AFTERSALES_ENV", "AFTERSALES_LOG_LEVEL", "AFTERSALES_DB_POOL_SIZE"} - {name}
    assert not any(other in message for other in others)


def test_every_bad_variable_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", "mysql://x")
    monkeypatch.setenv("AFTERSALES_ENV", "staging")
    monkeypatch.setenv("AFTERSALES_LOG_LEVEL", "VERBOSE")
    monkeypatch.setenv("AFTERSALES_DB_POOL_SIZE", "0")
    monkeypatch.setenv("AFTERSALES_DB_ECHO", "yes")  # a valid boolean: not named

    # when
    with pytest.raises(ConfigError) as raised:
        load_settings()

    # then
    message = str(raised.value)
    for name in (
        "AFTERSALES_DATABASE_URL",
        "AFTERSALES_ENV",
        "AFTERSALES_LOG_LEVEL",
        "AFTERSALES_DB_POOL_SIZE",
    ):
        assert name in message
    assert "AFTERSALES_DB_ECHO" not in message
    assert "\n" not in message


def test_database_password_is_not_echoed_in_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a valid URL with a secret, and another variable that is wrong
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", "postgres://app:s3cr3t@db/shop")
    monkeypatch.setenv("AFTERSALES_ENV", "staging")

    # when
    with pytest.raises(ConfigError) as raised:
        load_settings()

    # then
    assert "AFTERSALES_ENV" in str(raised.value)
    assert "s3cr3t" not in str(raised.value)


@pytest.mark.parametrize("value", ["0", "100", "-1", "lots", str(2**40)])
def test_max_body_bytes_out_of_range_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("AFTERSALES_MAX_BODY_BYTES", value)
    with pytest.raises(ConfigError, match="AFTERSALES_MAX_BODY_BYTES"):
        load_settings()


def test_max_body_bytes_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFTERSALES_MAX_BODY_BYTES", "65536")
    assert load_settings().max_body_bytes == 65536
