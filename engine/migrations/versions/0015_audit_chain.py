"""the audit trail as a chain: each event sealed with the hash of the one before

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # events already recorded stay as they are (verify counts them as before the chain)
    # plain ADD COLUMN (no table copy): the append-only triggers stay in place
    op.add_column('audit_event', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_event', sa.Column('hash', sa.String(length=64), nullable=True))
    op.create_table('audit_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.execute("INSERT INTO audit_chain (id, last_event_id, last_hash) VALUES (1, 0, '')")  # the one head row


def downgrade() -> None:
    op.drop_table('audit_chain')
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('hash')
        batch.drop_column('prev_hash')
