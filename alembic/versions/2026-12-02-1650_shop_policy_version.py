"""shop policy version

Revision ID: 3b9f2c61d0a4
Revises: 3c5e0f1a9b27
Create Date: 2026-12-02 16:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '3b9f2c61d0a4'
down_revision: str | None = '3c5e0f1a9b27'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('policy_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('policy_version')
