"""Drives one instance through its diagrams task by task, checking a save/reload round trip at every step."""
from __future__ import annotations

import json
from datetime import datetime

import time_machine
from sqlalchemy import select

from engine.config import REPO_ROOT
from engine.models import Deadline, HumanTask, Instance
from engine.services import files, tasks, timers
from tests import samples

PDF = samples.pdf()
JPG = samples.image()


def example(form: str) -> dict:
    return json.loads((REPO_ROOT / "forms" / f"{form}.example.json").read_text(encoding="utf-8"))


class Walker:
    def __init__(self, world, instance_id: int):
        self.world, self.ctx, self.iid = world, world.ctx, instance_id
        self.steps = 0

    def open_tasks(self) -> dict[str, HumanTask]:
        with self.ctx.uow(write=False) as uow:
            rows = uow.session.scalars(select(HumanTask).where(HumanTask.instance_id == self.iid,
                                                               HumanTask.status == "open"))
            return {t.bpmn_id: t for t in rows}

    def status(self) -> str:
        with self.ctx.uow(write=False) as uow:
            return uow.session.get(Instance, self.iid).status

    def workflow_data(self, bpmn_id: str) -> dict:
        """The data a ready task of the live workflow holds (what its form page would show)."""
        with self.ctx.uow(write=False) as uow:
            inst = uow.session.get(Instance, self.iid)
            wf = self.ctx.runtime.load(inst.state, *self.ctx.runtime.specs.get(inst.version_id,
                                                                                lambda: inst.version.spec_json))
        task = next(t for t in wf.get_tasks(manual=True) if t.task_spec.bpmn_id == bpmn_id and t.state == 16)
        return dict(task.data)

    def check_round_trip(self) -> None:
        with self.ctx.uow(write=False) as uow:
            inst = uow.session.get(Instance, self.iid)
            spec = self.ctx.runtime.specs.get(inst.version_id, lambda: inst.version.spec_json)
            state = inst.state
        reloaded = self.ctx.runtime.load(state, *spec)
        # the same state (JSON objects compare without their key order, which a reload may change)
        assert json.loads(self.ctx.runtime.dump(reloaded)) == json.loads(state), \
            "state changed on a save/reload round trip"
        self.check_rows_match(reloaded)

    def check_rows_match(self, wf) -> None:
        """The rows derived at every save (open tasks, pending timers) are those of the saved state."""
        with self.ctx.uow(write=False) as uow:
            open_rows = dict(uow.session.execute(select(HumanTask.spiff_task_id, HumanTask.bpmn_id).where(
                HumanTask.instance_id == self.iid, HumanTask.status == "open")).all())
            timer_rows = dict(uow.session.execute(select(Deadline.spiff_task_id, Deadline.due_at).where(
                Deadline.instance_id == self.iid, Deadline.kind == "timer", Deadline.status == "pending")).all())
        assert open_rows == {v.spiff_task_id: v.bpmn_id for v in self.ctx.runtime.ready_user_tasks(wf)}
        assert timer_rows == {t.spiff_task_id: t.due_at for t in self.ctx.runtime.timers(wf)}

    def upload(self, who: str, name: str) -> dict:
        data = JPG if name.endswith(".jpg") else PDF
        file_id = files.upload(self.ctx, self.world.actor(who), self.iid, name, data)
        return {"file_id": file_id, "name": name}

    def with_files(self, who: str, data):
        """Replace every example file reference with a real upload of this instance."""
        if isinstance(data, dict):
            if "file_id" in data:
                return self.upload(who, data.get("name") or "evidence.pdf")
            return {k: self.with_files(who, v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.with_files(who, v) for v in data]
        return data

    def do(self, bpmn_id: str, who: str, data: dict | None = None, form: str | None = None) -> None:
        self.check_round_trip()
        open_ = self.open_tasks()
        assert bpmn_id in open_, f"{bpmn_id} is not open; open: {sorted(open_)}"
        payload = data if data is not None else self.with_files(who, example(form))
        tasks.submit(self.ctx, self.world.actor(who), open_[bpmn_id].id, payload)
        self.steps += 1
        self.check_round_trip()

    def review(self, bpmn_id: str, who: str, decision: str, comment: str = "") -> None:
        data = {"decision": decision}
        if comment:
            data["comment"] = comment
        self.do(bpmn_id, who, data)

    def at(self, when: datetime):
        """Move to ``when`` and run the scheduler's sweep there (the context manager keeps the time)."""
        traveller = time_machine.travel(when, tick=False)
        traveller.start()
        timers.sweep(self.ctx)
        self.check_round_trip()
        return traveller
