"""case state handled: the decision an agent recorded an action on, and the last action

Revision ID: 9c4e2b7d5a13
Revises: 4e0b6c2f9a17
Create Date: 2026-12-02 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '9c4e2b7d5a13'
down_revision: str | None = "4e0b6c2f9a17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handled_action', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('handled_rule_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('last_action', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('last_action_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_states', schema=None) as batch_op:
        batch_op.drop_column('last_action_at')
        batch_op.drop_column('last_action')
        batch_op.drop_column('handled_rule_id')
        batch_op.drop_column('handled_action')
