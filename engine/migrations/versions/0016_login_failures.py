"""failed logins counted in the database, shared by every web worker

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 07:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failure',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_login_failure_key', 'login_failure', ['key', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_login_failure_key', table_name='login_failure')
    op.drop_table('login_failure')
