"""What an import converted and what it left for a person, kept with the draft it made

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 11:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('design_draft') as batch:
        batch.add_column(sa.Column('import_notes', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('design_draft') as batch:
        batch.drop_column('import_notes')
