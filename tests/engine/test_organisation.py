"""The organisation tree: a department's evaluator (กลุ่มพัฒนาระบบบริหาร) sees and scores its own units
only; every access rule (another agency's object is not found) holds per subtree; the tree has no
cycle."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models import HumanTask
from engine.services import accounts, central, inbox, instance_page, instances, scoring, tasks
from tests.conftest import ADMIN
from tests.workflows.test_sla_paths import deploy_all
from tests.workflows.walker import Walker

UTC = timezone.utc


@pytest.fixture
def units(world):
    """FY 2566 process-improvement KPI in unit A-1 (under A) and unit B-1 (under B), both waiting for
    their department's assessment."""
    scoring.install_shipped(world.ctx)
    deploy_all(world.ctx)
    ids = {}
    for unit in (world.unit_a, world.unit_b):
        with time_machine.travel(datetime(2022, 10, 3, tzinfo=UTC), tick=False):
            ids[unit] = instances.start(world.ctx, ADMIN, "kpi_process_2566", unit, "การออกใบอนุญาต", 2566)
    for unit, who in ((world.unit_a, "u"), (world.unit_b, "ub")):
        w = Walker(world, ids[unit])
        with time_machine.travel(datetime(2023, 4, 3, 2, tzinfo=UTC), tick=False):
            w.do("round1_report", f"officer.{who}", form="kpi_2566/round1")
            w.review("review_round1", f"supervisor.{who}", "approve")
            w.do("round2_report", f"officer.{who}", form="kpi_2566/round2")
            w.review("review_round2", f"supervisor.{who}", "approve")
    return ids


def test_the_evaluator_oversees_its_department_and_units_only(world, units):
    ev = world.actor("evaluator.a")
    assert ev.oversees == {world.agency_a, world.unit_a}
    ctx = world.ctx
    page = instance_page.get(ctx, ev, units[world.unit_a])
    assert page is not None
    with pytest.raises(NotFound):  # another department's unit: as if it did not exist
        instance_page.get(ctx, ev, units[world.unit_b])
    with pytest.raises(NotFound):  # the department's own officers do not see their units' work
        instance_page.get(ctx, world.actor("officer.a"), units[world.unit_a])
    # the assessment of unit A-1 arrives in the evaluator's inbox, not in the central office's
    mine, total = inbox.list_tasks(ctx, ev)
    assert total == 1 and [(t.name, t.agency_name) for t in mine] == [
        ("ประเมินระดับคะแนนตัวชี้วัด", "สำนักงานจังหวัดทดสอบ ก")]
    assert inbox.list_tasks(ctx, world.actor("central"))[1] == 0
    with ctx.uow(write=False) as uow:  # both units wait for an assessment; B-1's is B's evaluator's
        assert len(uow.session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "kpi_assessment",
                                                               HumanTask.status == "open")).all()) == 2
    assessment = mine[0].id
    with pytest.raises(Forbidden):
        tasks.claim(ctx, world.actor("central"), assessment)
    tasks.submit(ctx, ev, assessment, {"round1_level": 5, "round2_level": 3})


def test_the_evaluator_scores_its_subtree_only(world, units):
    ctx, ev = world.ctx, world.actor("evaluator.a")
    Walker(world, units[world.unit_a]).do("kpi_assessment", "evaluator.a", {"round1_level": 5, "round2_level": 3})
    assert scoring.recompute(ctx, ev, 2566) == 1  # unit A-1 only; B-1 is not its to score
    assert scoring.scorecard(ctx, ev, world.unit_a, 2566).scores[0]["score"] == "4.0000"
    with pytest.raises(NotFound):
        scoring.scorecard(ctx, ev, world.unit_b, 2566)
    with pytest.raises(NotFound):
        scoring.correct(ctx, ev, units[world.unit_b], "round2", 5, "ไม่ใช่หน่วยงานในสังกัด")
    view = central.overview(ctx, ev, central.Filters(fiscal_year=2566))
    assert {a["id"] for a in view.agencies} == {world.agency_a, world.unit_a}
    with pytest.raises(Forbidden):
        central.overview(ctx, world.actor("officer.a"), central.Filters(fiscal_year=2566))
    # the SLA KPI's schemes are the central office's; the department publishes its own
    text = open("workflows/kpi/sla-2558-group1.json", encoding="utf-8").read()
    with pytest.raises(Forbidden):
        scoring.upload_scheme(ctx, ev, text.replace("sla-2558-group1", "sla-x"), "x.json")
    assert scoring.copy_schemes(ctx, ev, 2558, 2570) == ["service-standard-2570"]


def test_the_tree_has_no_cycle_and_units_need_a_real_parent(world):
    ctx = world.ctx
    with pytest.raises(InvalidInput):
        accounts.update_agency(ctx, ADMIN, world.agency_a, "กรมทดสอบ ก", "", "", True, parent_id=world.unit_a,
                               kind="department")
    with pytest.raises(InvalidInput):
        accounts.create_agency(ctx, ADMIN, "X", "หน่วยลอย", parent_id=99999, kind="unit")
    with pytest.raises(InvalidInput):
        accounts.create_agency(ctx, ADMIN, "Y", "หน่วยแปลก", kind="ministry")
    deeper = accounts.create_agency(ctx, ADMIN, "A-1-1", "จุดบริการ", parent_id=world.unit_a, kind="unit")
    assert deeper in accounts.authenticate(ctx, "evaluator.a", "password-123").oversees
