"""list status indexes: the order and refund lists filtered by status, newest first

Revision ID: 4e0b6c2f9a17
Revises: 73a296acc749
Create Date: 2026-12-02 20:30:00+00:00

On a large live database, build them first without locking out writes, then migrate
(the migration finds them and skips them):

    CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_refund_requests_shop_status_requested
        ON refund_requests (shop_id, status, requested_at, id);
    CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_orders_shop_status_confirmed
        ON orders (shop_id, status, confirmed_at, id);
"""

from collections.abc import Sequence

from alembic import op

revision: str = "4e0b6c2f9a17"
down_revision: str | None = "73a296acc749"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    (
        "refund_requests",
        "ix_refund_requests_shop_status_requested",
        ["shop_id", "status", "requested_at", "id"],
    ),
    ("orders", "ix_orders_shop_status_confirmed", ["shop_id", "status", "confirmed_at", "id"]),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table, if_exists=True)
