"""The database holds the status rules declared in engine/statuses.py: every declared move is stored,
every other move and every unknown value is refused, on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError

from engine import statuses
from engine.errors import Conflict
from engine.models import Deadline, HumanTask, Instance
from engine.statuses import DeadlineStatus, InstanceStatus, TaskStatus
from tests.conftest import ADMIN, REVIEW

NOW = datetime(2026, 1, 5, 3, tzinfo=timezone.utc)
MODELS = {InstanceStatus: Instance, TaskStatus: HumanTask, DeadlineStatus: Deadline}


def _rows(world):
    """One row of each table, to move through the statuses."""
    from engine.services import instances

    iid = instances.start(world.ctx, ADMIN, REVIEW, world.agency_a, "บริการทดสอบสถานะ", 2569)
    with world.ctx.uow() as uow:
        s = uow.session
        task_id = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == iid))
        deadline_id = s.execute(insert(Deadline).values(
            instance_id=iid, spiff_task_id="x", bpmn_id="x", kind="timer", due_at=NOW, status="pending",
            attempts=0, last_error="", expression="")).inserted_primary_key[0]
        uow.commit()
    return {InstanceStatus: iid, TaskStatus: task_id, DeadlineStatus: deadline_id}


def _fresh(ctx, model, like_id, status) -> int:
    """A new row like ``like_id``, inserted with ``status`` (any known status may be inserted)."""
    table = model.__table__
    with ctx.db.begin() as conn:
        row = dict(conn.execute(select(table).where(table.c.id == like_id)).mappings().one())
        row.pop("id")
        row["status"] = str(status)
        if model is HumanTask:
            row["draft"] = None
        if model is Instance:
            row["service_process"] = f"{row['service_process']} {status} {like_id} {_fresh.n}"
        if model in (Deadline, HumanTask):
            row["spiff_task_id"] = f"x{_fresh.n}"
        _fresh.n += 1
        return conn.execute(insert(table).values(**row)).inserted_primary_key[0]


_fresh.n = 0


def _move(ctx, model, row_id, value) -> None:
    with ctx.db.begin() as conn:
        conn.execute(update(model.__table__).where(model.__table__.c.id == row_id).values(status=value))


@pytest.mark.parametrize("kind", [InstanceStatus, TaskStatus, DeadlineStatus], ids=lambda k: k.__name__)
def test_declared_moves_only(any_world, kind):
    ctx, model = any_world.ctx, MODELS[kind]
    like = _rows(any_world)[kind]
    for old in kind:
        for new in kind:
            row_id = _fresh(ctx, model, like, old)
            if statuses.allowed(kind, old, new):
                _move(ctx, model, row_id, new)
            else:
                with pytest.raises(DBAPIError):
                    _move(ctx, model, row_id, new)
                with pytest.raises(Conflict):
                    statuses.transition(kind, old, new)
        with pytest.raises(DBAPIError):
            _move(ctx, model, _fresh(ctx, model, like, old), "bogus")


def test_unknown_values_are_refused_on_insert(any_world):
    with pytest.raises(DBAPIError), any_world.ctx.db.begin() as conn:
        conn.execute(insert(Deadline.__table__).values(
            instance_id=None, spiff_task_id="y", bpmn_id="y", kind="timer", due_at=NOW, status="sleeping",
            attempts=0, last_error="", expression=""))
