"""Scores come from the work itself: the central evaluation, reports, lateness; corrections on top."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import Forbidden, InvalidInput
from engine.models import AuditEvent, KpiScore
from engine.services import instances, scoring
from tests.conftest import ADMIN
from tests.workflows.test_sla_paths import deploy_all
from tests.workflows.walker import Walker


@pytest.fixture
def scored_world(world):
    scoring.install_shipped(world.ctx)
    deploy_all(world.ctx)
    return world


def _kpi_2566_done(world, agency, name, late_at):
    with time_machine.travel(datetime(2022, 10, 3, tzinfo=timezone.utc), tick=False):
        iid = instances.start(world.ctx, ADMIN, "kpi_process_2566", agency, name, 2566)
    w = Walker(world, iid)
    traveller = w.at(late_at)
    try:
        w.do("round1_report", "officer.a", form="kpi_2566/round1")
        w.review("review_round1", "supervisor.a", "approve")
        w.do("round2_report", "officer.a", form="kpi_2566/round2")
        w.review("review_round2", "supervisor.a", "approve")
        w.do("kpi_assessment", "central", {"round1_level": 5, "round2_level": 2.5, "comment": "ครบ"})
    finally:
        traveller.stop()
    return iid


def test_recompute_from_workflows_with_lateness_and_correction(scored_world):
    world = scored_world
    ctx, central = world.ctx, world.actor("central")
    # round 1 reported on 13 Apr 2023 09:00: 3 days after the 10 Apr due date
    iid = _kpi_2566_done(world, world.agency_a, "การออกใบอนุญาต", datetime(2023, 4, 13, 2, tzinfo=timezone.utc))
    assert scoring.recompute(ctx, central, 2566) == 1
    with ctx.uow(write=False) as uow:
        row = uow.session.scalar(select(KpiScore).where(KpiScore.agency_id == world.agency_a))
    lines = row.details["processes"][0]["lines"]
    assert [(ln["level"], ln["days_late"], ln["penalty"], ln["score"]) for ln in lines] == [
        ("5.0000", 3, "0.3000", "4.7000"), ("2.5000", 0, "0.0000", "2.5000")]
    assert str(row.score) == "3.6000"  # (4.70 + 2.50) / 2
    # the central office corrects round 2 to 3, with a reason; audited; the score follows
    with pytest.raises(InvalidInput):
        scoring.correct(ctx, central, iid, "round2", 3, "")
    with pytest.raises(Forbidden):
        scoring.correct(ctx, world.actor("officer.a"), iid, "round2", 3, "แก้ไข")
    scoring.correct(ctx, central, iid, "round2", 3, "ตรวจพบหลักฐานการอบรมเพิ่มเติม")
    scoring.recompute(ctx, central, 2566)
    card = scoring.scorecard(ctx, central, world.agency_a, 2566)
    assert card.scores[0]["score"] == "3.8500" and card.scores[0]["corrections"]
    with ctx.uow(write=False) as uow:
        ev = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "score.correct"))
    assert ev.after == {"round2": 3} and ev.comment == "ตรวจพบหลักฐานการอบรมเพิ่มเติม"
    with pytest.raises(Forbidden):
        scoring.recompute(ctx, world.actor("officer.a"), 2566)


def test_sla_lifecycle_results_choose_the_group_scheme(scored_world):
    world = scored_world
    ctx = world.ctx
    with time_machine.travel(datetime(2025, 10, 6, tzinfo=timezone.utc), tick=False):
        iid = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "ภาษีรถ", 2569)
    w = Walker(world, iid)
    with time_machine.travel(datetime(2025, 10, 6, tzinfo=timezone.utc), tick=False):
        w.do("select_process", "officer.a", form="sla/select_process")
        w.do("stage1_targets", "officer.a", form="sla/stage1")
        w.review("review_stage1", "supervisor.a", "approve")
    # no central evaluation yet, so no group: no FY 2558 group scheme applies (a correction alone is not enough)
    scoring.correct(ctx, world.actor("central"), iid, "1.3", 80, "ผลสำรวจของสำนักงาน ก.พ.ร.")
    assert scoring.recompute(ctx, world.actor("central"), 2569) == 0  # no group yet: no scheme applies
    scored = scoring.scorecard(ctx, world.actor("officer.a"), world.agency_a, 2569)
    assert scored.scores == []
    with pytest.raises(Exception):
        scoring.scorecard(ctx, world.actor("officer.b"), world.agency_a, 2569)


def test_scheme_upload_is_validated_and_versioned(scored_world):
    ctx, central = scored_world.ctx, scored_world.actor("central")
    text = open("workflows/kpi/sla-2558-group1.json", encoding="utf-8").read()
    assert scoring.upload_scheme(ctx, central, text, "g1.json")[2] is False  # identical: no new version
    changed = text.replace('"fiscal_year": 2558', '"fiscal_year": 2569')
    assert scoring.upload_scheme(ctx, central, changed, "g1.json") == ("sla-2558-group1", 2, True)
    with pytest.raises(InvalidInput) as info:
        scoring.upload_scheme(ctx, central, '{"code": "bad"}', "bad.json")
    assert info.value.details["errors"]
    with pytest.raises(Forbidden):
        scoring.upload_scheme(ctx, scored_world.actor("designer"), text, "g1.json")
