"""notification outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 15:46:03.020368
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('email_status', sa.String(length=16), nullable=False, server_default='skipped'))
        batch_op.add_column(sa.Column('email_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('email_error', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_notification_outbox', ['email_status', 'next_attempt_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_outbox')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('email_error')
        batch_op.drop_column('email_attempts')
        batch_op.drop_column('email_status')
        batch_op.drop_column('params')
        batch_op.drop_column('task_id')

