"""A token that changes with every change of the working-day calendar (by trigger, whoever writes), so
that a process keeps the calendar in memory and reads one row instead of the whole table each time

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 11:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_revision',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('token', sa.String(length=64), nullable=False),
                    sa.CheckConstraint('id = 1', name='ck_calendar_revision_one_row'),
                    sa.PrimaryKeyConstraint('id'))
    op.execute("INSERT INTO calendar_revision (id, token) VALUES (1, 'initial')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION calendar_revision_bump() RETURNS trigger AS $$ BEGIN "
                   "UPDATE calendar_revision SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1; "
                   "RETURN NULL; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER calendar_day_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   "ON calendar_day FOR EACH STATEMENT EXECUTE FUNCTION calendar_revision_bump()")
    else:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER calendar_day_revision_{event.lower()} AFTER {event} ON calendar_day "
                       "BEGIN UPDATE calendar_revision SET token = lower(hex(randomblob(16))) WHERE id = 1; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS calendar_day_revision ON calendar_day")
        op.execute("DROP FUNCTION IF EXISTS calendar_revision_bump()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS calendar_day_revision_{event}")
    op.drop_table('calendar_revision')
