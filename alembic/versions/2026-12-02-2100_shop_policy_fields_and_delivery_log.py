"""shop warning windows, carrier names, delivery log index

Revision ID: 9c41e7d2a5f3
Revises: 9c4e2b7d5a13
Create Date: 2026-12-02 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '9c41e7d2a5f3'
down_revision: str | None = "9c4e2b7d5a13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WARNINGS = (
    'respond_by_warning_hours',
    'ship_by_warning_hours',
    'pickup_by_warning_hours',
    'appeal_closes_warning_hours',
)


def upgrade() -> None:
    with op.batch_alter_table('shops', schema=None) as batch_op:
        for name in WARNINGS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carrier_names', sa.JSON(), nullable=True))
    op.create_index(
        'ix_webhook_deliveries_shop_id_id', 'webhook_deliveries', ['shop_id', 'id'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_webhook_deliveries_shop_id_id', table_name='webhook_deliveries')
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('carrier_names')
        for name in reversed(WARNINGS):
            batch_op.drop_column(name)
