"""agents and claims: named agents, their tokens, case claims

Revision ID: 73a296acc749
Revises: 5d7a9e3c1b42
Create Date: 2026-12-02 19:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '73a296acc749'
down_revision: str | None = '5d7a9e3c1b42'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_agents_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agents'))
    )
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agents_shop_id'), ['shop_id'], unique=False)

    op.create_table('case_claims',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('agent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_case_claims_agent_id_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_case_claims_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_claims')),
    sa.UniqueConstraint('kind', 'entity_id', name=op.f('uq_case_claims_kind_entity_id'))
    )
    with op.batch_alter_table('case_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_claims_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_claims_shop_id'), ['shop_id'], unique=False)

    with op.batch_alter_table('action_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_agent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_action_records_actor_agent_id_agents'), 'agents', ['actor_agent_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_tokens_agent_id'), ['agent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_agent_id_agents'), 'agents', ['agent_id'], ['id'], ondelete='CASCADE')



def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_agent_id_agents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_agent_id'))
        batch_op.drop_column('agent_id')

    with op.batch_alter_table('action_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_action_records_actor_agent_id_agents'), type_='foreignkey')
        batch_op.drop_column('actor_agent_id')

    with op.batch_alter_table('case_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_claims_shop_id'))
        batch_op.drop_index(batch_op.f('ix_case_claims_agent_id'))

    op.drop_table('case_claims')
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agents_shop_id'))

    op.drop_table('agents')
