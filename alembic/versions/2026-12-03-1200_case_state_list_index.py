"""case state list index: the lists filtered on the state walk the states alone

Revision ID: 5c1d7e93b2a4
Revises: b81f4c7a2d60
Create Date: 2026-12-03 12:00:00+00:00

Adds ``status`` and ``sort_at`` to ``case_states`` (the order's or refund request's
status, and the time its list sorts by), copies them from the orders and refund
requests, and adds ``ix_case_states_list`` (shop, kind, sort time, id; on PostgreSQL
with the status, due time, action and overdue flag included), which the orders and
refund lists walk when a filter on the state is given. Before, such a list probed a
state per listed row: about 4,000 probes for a page of refunds due within 24 hours at
1,000,000 orders.

On PostgreSQL it also adds statistics of which statuses go with which kind (only a
refund's state is ever PENDING): without them PostgreSQL multiplied the two and took
the pending refunds for a few dozen rows. The copy is one ``UPDATE`` per kind. On a large live database, build the index first
without locking out writes (the migration then finds it and skips it):

    CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_case_states_list ON case_states
        (shop_id, kind, sort_at, entity_id) INCLUDE (status, due_at, action, overdue);
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1d7e93b2a4"
down_revision: str | None = "b81f4c7a2d60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATISTICS = "st_case_states_kind_status"
COPY = {
    "REFUND_REQUEST": ("refund_requests", "requested_at"),
    "ORDER": ("orders", "confirmed_at"),
}


def upgrade() -> None:
    with op.batch_alter_table("case_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sort_at", sa.DateTime(timezone=True), nullable=True))
    for kind, (table, sort_at) in COPY.items():
        # Correlated subqueries rather than UPDATE ... FROM: the same text on both
        # databases.
        op.execute(
            f"UPDATE case_states SET"
            f" status = (SELECT t.status FROM {table} t WHERE t.id = case_states.entity_id),"
            f" sort_at = (SELECT t.{sort_at} FROM {table} t WHERE t.id = case_states.entity_id)"
            f" WHERE kind = '{kind}'"
        )
    op.create_index(
        "ix_case_states_list",
        "case_states",
        ["shop_id", "kind", "sort_at", "entity_id"],
        unique=False,
        if_not_exists=True,
        postgresql_include=["status", "due_at", "action", "overdue"],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv) ON kind, status FROM case_states")
        op.execute("ANALYZE case_states")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    op.drop_index("ix_case_states_list", table_name="case_states", if_exists=True)
    with op.batch_alter_table("case_states", schema=None) as batch_op:
        batch_op.drop_column("sort_at")
        batch_op.drop_column("status")
