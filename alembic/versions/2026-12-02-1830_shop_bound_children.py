"""shop-bound children: a child row's shop is its order's (or parcel's) shop

Composite foreign keys (order_id, shop_id) -> orders(id, shop_id) on every table that
hangs off an order, and (shipment_id, shop_id) -> shipments(id, shop_id) on tracking
events, so the database refuses a row whose shop differs from its parent's. They
replace the single-column keys of the same names.

Revision ID: 5d7a9e3c1b42
Revises: e7a4b1c09d52
Create Date: 2026-12-02 18:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '5d7a9e3c1b42'
down_revision: str | None = 'e7a4b1c09d52'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, parent table); every key is named fk_<table>_<column>_<parent>.
CHILDREN = [
    ('order_lines', 'order_id', 'orders'),
    ('shipments', 'order_id', 'orders'),
    ('tracking_events', 'shipment_id', 'shipments'),
    ('refund_requests', 'order_id', 'orders'),
    ('evidence_items', 'order_id', 'orders'),
    ('action_records', 'order_id', 'orders'),
    ('case_states', 'order_id', 'orders'),
]
PARENTS = ['orders', 'shipments']


def upgrade() -> None:
    for parent in PARENTS:
        with op.batch_alter_table(parent) as batch_op:
            batch_op.create_unique_constraint(f'uq_{parent}_id_shop_id', ['id', 'shop_id'])
    for table, column, parent in CHILDREN:
        with op.batch_alter_table(table) as batch_op:
            name = f'fk_{table}_{column}_{parent}'
            batch_op.drop_constraint(name, type_='foreignkey')
            batch_op.create_foreign_key(
                name, parent, [column, 'shop_id'], ['id', 'shop_id'], ondelete='CASCADE'
            )


def downgrade() -> None:
    for table, column, parent in reversed(CHILDREN):
        with op.batch_alter_table(table) as batch_op:
            name = f'fk_{table}_{column}_{parent}'
            batch_op.drop_constraint(name, type_='foreignkey')
            batch_op.create_foreign_key(name, parent, [column], ['id'], ondelete='CASCADE')
    for parent in reversed(PARENTS):
        with op.batch_alter_table(parent) as batch_op:
            batch_op.drop_constraint(f'uq_{parent}_id_shop_id', type_='unique')
