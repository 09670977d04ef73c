"""An instance does not grow with its age: 50 send-backs later its state is the size it was after one,
every step survives a save/reload round trip, and the instance page still marks what was done."""
from __future__ import annotations

import time_machine

from engine.models import Instance
from engine.services import instance_page, instances
from tests.conftest import ADMIN
from tests.workflows.test_sla_paths import APR_20, START, deploy_all
from tests.workflows.walker import Walker


def _state(w: Walker) -> str:
    with w.ctx.uow(write=False) as uow:
        return uow.session.get(Instance, w.iid).state


def test_fifty_send_backs_leave_the_state_flat(world):
    ctx = world.ctx
    ctx.settings = ctx.settings.replace(revision_cap=100)
    deploy_all(ctx)
    with time_machine.travel(START, tick=False):
        w = Walker(world, instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "การชำระภาษีรถประจำปี", 2569))
        w.do("select_process", "officer.a", form="sla/select_process")
    traveller = w.at(APR_20)  # after stage 1's due date: its timer has fired and run its path, every round
    try:
        sizes = []
        for i in range(50):
            w.do("stage1_targets", "officer.a", form="sla/stage1")
            w.review("review_stage1", "supervisor.a", "send_back", f"แก้ไขรอบที่ {i + 1}")  # round trip checked
            sizes.append(len(_state(w)))
        assert sizes[-1] <= sizes[0] * 1.05, sizes  # flat, not +3.4 KB a round
        w.do("stage1_targets", "officer.a", form="sla/stage1")
        w.review("review_stage1", "supervisor.a", "approve")
        assert {"stage2_sla", "change_management"} <= set(w.open_tasks())
        page = instance_page.get(ctx, world.actor("supervisor.a"), w.iid)
    finally:
        traveller.stop()
    marks = {mark for states in page.element_states.values() for mark in states.items()}
    assert ("review_stage1", "done") in marks and ("stage1_targets", "done") in marks
    assert ("stage2_sla", "current") in marks
    assert len(page.events) >= 102  # the timeline keeps every pass: 50 send-backs, their 50 redos, ...
