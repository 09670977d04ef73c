"""stage summary per agency, process and fiscal year, for the central office's aggregates

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 08:00:00
"""
import json

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stage_summary',
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.String(length=100), nullable=False),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.CheckConstraint('state IN (1, 2)', name='ck_stage_summary_state'),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], ),
    sa.PrimaryKeyConstraint('fiscal_year', 'definition_id', 'agency_id', 'stage_id')
    )
    op.create_index('ix_stage_summary_heat', 'stage_summary', ['fiscal_year', 'definition_id', 'stage_id', 'state'],
                    unique=False)
    op.create_index('ix_instance_year_definition', 'instance', ['fiscal_year', 'definition_id', 'agency_id'],
                    unique=False)
    # the workflows already there: merged per agency, "current" over "done"
    conn = op.get_bind()
    merged: dict = {}
    rows = conn.execute(sa.text("SELECT fiscal_year, definition_id, agency_id, progress FROM instance "
                                "WHERE status != 'cancelled' AND progress IS NOT NULL"))
    for fiscal_year, definition_id, agency_id, progress in rows:
        if isinstance(progress, str):
            progress = json.loads(progress)
        for stage_id, state in (progress or {}).items():
            key = (fiscal_year, definition_id, agency_id, stage_id)
            merged[key] = max(merged.get(key, 0), 2 if state == "current" else 1)
    if merged:
        table = sa.table('stage_summary', sa.column('fiscal_year'), sa.column('definition_id'),
                         sa.column('agency_id'), sa.column('stage_id'), sa.column('state'))
        op.bulk_insert(table, [dict(fiscal_year=k[0], definition_id=k[1], agency_id=k[2], stage_id=k[3], state=v)
                               for k, v in merged.items()])


def downgrade() -> None:
    op.drop_index('ix_instance_year_definition', table_name='instance')
    op.drop_index('ix_stage_summary_heat', table_name='stage_summary')
    op.drop_table('stage_summary')
