"""fiscal-year kick-off jobs: a workflow for every agency, run by the scheduler

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 08:10:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kickoff_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('service_process', sa.String(length=255), nullable=False),
    sa.Column('ministry', sa.String(length=255), server_default='', nullable=False),
    sa.Column('region', sa.String(length=100), server_default='', nullable=False),
    sa.Column('agency_ids', sa.JSON(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), server_default='', nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done')", name='ck_kickoff_job_status'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_kickoff_job_status', 'kickoff_job', ['status', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_kickoff_job_status', table_name='kickoff_job')
    op.drop_table('kickoff_job')
