"""case states: the stored decision per case, for the work queue and list filters

Revision ID: 3c5e0f1a9b27
Revises: 57187411c534
Create Date: 2026-12-02 16:30:00+00:00

The backfill inserts one row per order and per refund request, in batches of order
ids, each marked stale (computed and stale at the epoch, no rules version). Deciding
needs the decision module, which a migration must not import; the stale rows are
recomputed by the refresher (``aftersales refresh --all`` after a large upgrade) and,
before that, by every read that meets them, so no answer is ever wrong meanwhile.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision: str = '3c5e0f1a9b27'
down_revision: str | None = '57187411c534'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 50_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('case_states',
    sa.Column('id', BigId, nullable=False),
    sa.Column('shop_id', BigId, nullable=False),
    sa.Column('order_id', BigId, nullable=False),
    sa.Column('refund_request_id', BigId, nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('entity_id', BigId, nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('queue_rank', sa.SmallInteger(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=True),
    sa.Column('rule_id', sa.String(length=32), nullable=True),
    sa.Column('proactive', sa.Boolean(), nullable=False),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('due_at', Stamp, nullable=True),
    sa.Column('deadline_kind', sa.String(length=32), nullable=True),
    sa.Column('money_at_risk_cents', sa.BigInteger(), nullable=True),
    sa.Column('policy_version', sa.String(length=64), nullable=False),
    sa.Column('rules_version', sa.String(length=64), nullable=False),
    sa.Column('computed_at', Stamp, nullable=False),
    sa.Column('stale_at', Stamp, nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_case_states_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['refund_request_id'], ['refund_requests.id'], name=op.f('fk_case_states_refund_request_id_refund_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_case_states_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_states')),
    sa.UniqueConstraint('kind', 'entity_id', name=op.f('uq_case_states_kind_entity_id'))
    )
    with op.batch_alter_table('case_states', schema=None) as batch_op:
        batch_op.create_index('ix_case_states_queue', ['shop_id', 'queue_rank', 'due_at', 'kind', 'entity_id'], unique=False)
        batch_op.create_index('ix_case_states_shop_stale', ['shop_id', 'stale_at'], unique=False)
        batch_op.create_index('ix_case_states_shop_computed', ['shop_id', 'computed_at'], unique=False)
        batch_op.create_index('ix_case_states_stale', ['stale_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_states_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_states_refund_request_id'), ['refund_request_id'], unique=False)
    # The lists' keyset order per shop, which state-filtered pages walk.
    op.create_index('ix_orders_shop_confirmed', 'orders', ['shop_id', 'confirmed_at', 'id'], unique=False)
    op.create_index('ix_refund_requests_shop_requested', 'refund_requests', ['shop_id', 'requested_at', 'id'], unique=False)
    _backfill()


def _backfill() -> None:
    states = sa.table(
        'case_states',
        *(sa.column(n) for n in (
            'shop_id', 'order_id', 'refund_request_id', 'kind', 'entity_id', 'open',
            'proactive', 'overdue', 'policy_version', 'rules_version', 'computed_at',
            'stale_at',
        )),
    )
    orders = sa.table('orders', sa.column('id'), sa.column('shop_id'))
    refunds = sa.table(
        'refund_requests', sa.column('id'), sa.column('shop_id'), sa.column('order_id')
    )
    columns = [
        'shop_id', 'order_id', 'refund_request_id', 'kind', 'entity_id', 'open',
        'proactive', 'overdue', 'policy_version', 'rules_version', 'computed_at', 'stale_at',
    ]

    def stale_tail() -> list[sa.ColumnElement[object]]:
        return [
            sa.false(), sa.false(), sa.false(), sa.literal(''), sa.literal(''),
            sa.literal(EPOCH, Stamp), sa.literal(EPOCH, Stamp),
        ]

    bind = op.get_bind()
    top = bind.execute(sa.select(sa.func.max(orders.c.id))).scalar() or 0
    for lo in range(0, top, BATCH):
        hi = lo + BATCH
        order_rows = sa.select(
            orders.c.shop_id, orders.c.id, sa.null(), sa.literal('ORDER'), orders.c.id,
            *stale_tail(),
        ).where(orders.c.id > lo, orders.c.id <= hi)
        op.execute(states.insert().from_select(columns, order_rows))
        refund_rows = sa.select(
            refunds.c.shop_id, refunds.c.order_id, refunds.c.id, sa.literal('REFUND_REQUEST'),
            refunds.c.id, *stale_tail(),
        ).where(refunds.c.order_id > lo, refunds.c.order_id <= hi)
        op.execute(states.insert().from_select(columns, refund_rows))


def downgrade() -> None:
    op.drop_index('ix_refund_requests_shop_requested', table_name='refund_requests')
    op.drop_index('ix_orders_shop_confirmed', table_name='orders')
    with op.batch_alter_table('case_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_states_refund_request_id'))
        batch_op.drop_index(batch_op.f('ix_case_states_order_id'))
        batch_op.drop_index('ix_case_states_stale')
        batch_op.drop_index('ix_case_states_shop_computed')
        batch_op.drop_index('ix_case_states_shop_stale')
        batch_op.drop_index('ix_case_states_queue')

    op.drop_table('case_states')
