"""index claimed tasks only (a partial index the planner trusts at any number of unclaimed tasks)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_human_task_assignee", table_name="human_task")
    op.create_index("ix_human_task_claimed", "human_task", ["assignee_id", "status", "due_at"],
                    sqlite_where=sa.text("assignee_id IS NOT NULL"),
                    postgresql_where=sa.text("assignee_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_human_task_claimed", table_name="human_task")
    op.create_index("ix_human_task_assignee", "human_task", ["assignee_id", "status", "due_at"])
