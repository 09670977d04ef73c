"""reporting calendars by evaluator with their non-working-day rule, evaluation groups, organisation tree

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reporting_milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar', sa.String(length=32), server_default='sla_kpi', nullable=False))
        batch_op.drop_constraint('uq_milestone', type_='unique')
        batch_op.create_unique_constraint('uq_milestone_calendar', ['fiscal_year', 'calendar', 'code'])
    op.create_table('reporting_calendar_rule',
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('calendar', sa.String(length=32), nullable=False),
    sa.Column('shift', sa.String(length=16), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('fiscal_year', 'calendar')
    )
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_group', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('group_reason', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='department', nullable=False))
        batch_op.create_foreign_key('fk_agency_parent', 'agency', ['parent_id'], ['id'])
        batch_op.create_index('ix_agency_parent', ['parent_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index('ix_agency_parent')
        batch_op.drop_constraint('fk_agency_parent', type_='foreignkey')
        batch_op.drop_column('kind')
        batch_op.drop_column('parent_id')
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_column('group_reason')
        batch_op.drop_column('evaluation_group')
    op.drop_table('reporting_calendar_rule')
    with op.batch_alter_table('reporting_milestone', schema=None) as batch_op:
        batch_op.drop_constraint('uq_milestone_calendar', type_='unique')
        batch_op.create_unique_constraint('uq_milestone', ['fiscal_year', 'code'])
        batch_op.drop_column('calendar')
