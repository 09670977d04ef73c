"""statuses of workflows, tasks and deadlines: only known values, only declared moves

The rules are those of engine/statuses.py as of this revision (written out here: a migration does not
change when the code does).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 08:30:00
"""
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

RULES = {
    "instance": (("running", "stalled", "completed", "cancelled"), (
        ("running", "stalled"), ("running", "completed"), ("running", "cancelled"),
        ("stalled", "running"), ("stalled", "completed"), ("stalled", "cancelled"))),
    "human_task": (("open", "completed", "cancelled"), (("open", "completed"), ("open", "cancelled"))),
    "deadline": (("pending", "fired", "cancelled", "failed"), (
        ("pending", "fired"), ("pending", "cancelled"), ("pending", "failed"), ("failed", "pending"),
        ("failed", "cancelled"), ("cancelled", "pending"), ("fired", "pending"))),
}


def _values(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, (values, moves) in RULES.items():
        if dialect == "postgresql":
            op.create_check_constraint(f"ck_{table}_status", table, f"status IN ({_values(values)})")
            pairs = ", ".join(f"('{a}', '{b}')" for a, b in moves)
            op.execute(
                f"CREATE FUNCTION {table}_status_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN ({pairs}) THEN "
                f"RAISE EXCEPTION '{table} status cannot go from % to %', OLD.status, NEW.status "
                f"USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$")
            op.execute(f"CREATE TRIGGER {table}_status_move BEFORE UPDATE OF status ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {table}_status_move()")
        elif dialect == "sqlite":
            op.execute(f"CREATE TRIGGER {table}_status_value BEFORE INSERT ON {table} "
                       f"WHEN NEW.status NOT IN ({_values(values)}) "
                       f"BEGIN SELECT RAISE(ABORT, '{table} status is not a known status'); END")
            pairs = _values(f"{a}>{b}" for a, b in moves)
            op.execute(f"CREATE TRIGGER {table}_status_move BEFORE UPDATE OF status ON {table} "
                       f"WHEN NEW.status IS NOT OLD.status AND (OLD.status || '>' || NEW.status) NOT IN ({pairs}) "
                       f"BEGIN SELECT RAISE(ABORT, '{table} status cannot make this move'); END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in RULES:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_status_move ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_status_move()")
            op.drop_constraint(f"ck_{table}_status", table, type_="check")
        elif dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_status_value")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_status_move")
