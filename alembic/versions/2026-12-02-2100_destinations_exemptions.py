"""destinations and exemptions: order destinations, exemptions, where each case is

Case states gain their parcel's place and the destination; the release's new rules
version has the refresher recompute every row, which fills them.

Revision ID: 9d6e521816a6
Revises: 9c41e7d2a5f3
Create Date: 2026-12-02 20:28:17.839257+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '9d6e521816a6'
down_revision: str | None = "9c41e7d2a5f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exemptions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('carrier', sa.String(length=64), nullable=False),
    sa.Column('province', sa.String(length=64), nullable=False),
    sa.Column('city', sa.String(length=64), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_exemptions_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exemptions'))
    )
    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.create_index('ix_exemptions_shop_carrier', ['shop_id', 'carrier'], unique=False)
        batch_op.create_index(batch_op.f('ix_exemptions_shop_id'), ['shop_id'], unique=False)

    with op.batch_alter_table('case_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carrier', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('place', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('last_scan_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('shipped', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('destination_province', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('destination_city', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_case_states_groups', ['shop_id', 'queue_rank', 'action', 'carrier', 'place', 'shipped', 'destination_city', 'due_at', 'money_at_risk_cents', 'last_scan_at'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('destination_province', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('destination_city', sa.String(length=64), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('destination_city')
        batch_op.drop_column('destination_province')

    with op.batch_alter_table('case_states', schema=None) as batch_op:
        batch_op.drop_index('ix_case_states_groups')
        batch_op.drop_column('destination_city')
        batch_op.drop_column('destination_province')
        batch_op.drop_column('shipped')
        batch_op.drop_column('last_scan_at')
        batch_op.drop_column('place')
        batch_op.drop_column('carrier')

    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exemptions_shop_id'))
        batch_op.drop_index('ix_exemptions_shop_carrier')

    op.drop_table('exemptions')
