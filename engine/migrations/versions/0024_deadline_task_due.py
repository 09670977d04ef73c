"""A task's deadlines indexed by due date too: the scheduler asks whether a later notice of the same task
is already due (then the earlier one is dropped), in one index seek

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 16:00:00
"""
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_deadline_task', table_name='deadline')
    op.create_index('ix_deadline_task', 'deadline', ['task_id', 'status', 'due_at'])


def downgrade() -> None:
    op.drop_index('ix_deadline_task', table_name='deadline')
    op.create_index('ix_deadline_task', 'deadline', ['task_id', 'status'])
