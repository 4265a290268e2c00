"""row level security: every shop's rows visible to its own requests only (PostgreSQL)

Revision ID: b81f4c7a2d60
Revises: 9d6e521816a6
Create Date: 2026-12-02 21:00:00+00:00

Creates the role ``aftersales_tenant`` (NOLOGIN) unless it exists, grants it the
tables and sequences (and, by default privileges, those created later by the same
owner), makes the service's own role a member so that it may ``SET ROLE`` to it, and
puts a policy on ``shops`` and on every table with a ``shop_id`` column. The role is
cluster-wide: where the migrating role may not create roles, a DBA runs
``CREATE ROLE aftersales_tenant NOLOGIN; GRANT aftersales_tenant TO <service role>;``
first. A table added later needs its own policy: ``tests/db/test_row_level_security.py``
fails for a table with a ``shop_id`` column and none. SQLite: nothing to do.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b81f4c7a2d60"
down_revision: str | None = "9d6e521816a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "aftersales_tenant"
POLICY = "shop_isolation"
# NULLIF: after a transaction that set it ends, the setting reads '' (no rows), not NULL.
SHOP = "NULLIF(current_setting('app.shop_id', true), '')::bigint"


def _tenant_tables() -> list[str]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'shop_id'"
            " ORDER BY table_name"
        )
    )
    return [str(name) for (name,) in rows]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"DO $$ BEGIN CREATE ROLE {ROLE} NOLOGIN;"
        " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    op.execute(
        f"DO $$ BEGIN IF NOT pg_has_role(current_user, '{ROLE}', 'MEMBER') THEN"
        f" EXECUTE format('GRANT {ROLE} TO %I', current_user); END IF; END $$"
    )
    op.execute(
        f"DO $$ BEGIN"
        f" EXECUTE format('GRANT USAGE ON SCHEMA %I TO {ROLE}', current_schema());"
        f" EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I"
        f" TO {ROLE}', current_schema());"
        f" EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {ROLE}',"
        f" current_schema());"
        f" EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT,"
        f" UPDATE, DELETE ON TABLES TO {ROLE}', current_schema());"
        f" EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON"
        f" SEQUENCES TO {ROLE}', current_schema());"
        f" END $$"
    )
    op.execute("ALTER TABLE shops ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {POLICY} ON shops TO {ROLE} USING (id = {SHOP}) WITH CHECK (id = {SHOP})"
    )
    for table in _tenant_tables():
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(
            f'CREATE POLICY {POLICY} ON "{table}" TO {ROLE}'
            f" USING (shop_id = {SHOP}) WITH CHECK (shop_id = {SHOP})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ["shops", *_tenant_tables()]:
        op.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    # The role stays: it is cluster-wide and other databases may use it.
    op.execute(
        f"DO $$ BEGIN"
        f" EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES"
        f" FROM {ROLE}', current_schema());"
        f" EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES"
        f" FROM {ROLE}', current_schema());"
        f" EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {ROLE}',"
        f" current_schema());"
        f" EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM {ROLE}',"
        f" current_schema());"
        f" EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM {ROLE}', current_schema());"
        f" END $$"
    )
