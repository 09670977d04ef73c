"""Scores come from the work itself through each process's profile: the group known at start, the
reports and when they left the agency, the plan's activities; one scheme per fiscal year; corrections
and group overrides by the evaluator on top."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models import AuditEvent, Instance, KpiScore
from engine.services import dashboard, instances, scoring
from tests.conftest import ADMIN
from tests.workflows.test_sla_paths import START, deploy_all, stage1
from tests.workflows.walker import Walker
from workflows.profiles import plan_completeness

UTC = timezone.utc


@pytest.fixture
def scored_world(world):
    scoring.install_shipped(world.ctx)
    deploy_all(world.ctx)
    return world


def _kpi_2566(world, agency, name):
    with time_machine.travel(datetime(2022, 10, 3, tzinfo=UTC), tick=False):
        return instances.start(world.ctx, ADMIN, "kpi_process_2566", agency, name, 2566)


def _kpi_2566_done(world, agency, name, sent_at):
    """FY 2566 KPI done: round 1 approved (sent) at ``sent_at``, round 2 on time; levels 5 and 2.5."""
    w = Walker(world, _kpi_2566(world, agency, name))
    with time_machine.travel(sent_at, tick=False):
        w.do("round1_report", "officer.a", form="kpi_2566/round1")
        w.review("review_round1", "supervisor.a", "approve")
        w.do("round2_report", "officer.a", form="kpi_2566/round2")
        w.review("review_round2", "supervisor.a", "approve")
        w.do("kpi_assessment", "evaluator.a", {"round1_level": 5, "round2_level": 2.5, "comment": "ครบ"})
    return w.iid


def _score_row(ctx, agency_id, fiscal_year):
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(KpiScore).where(KpiScore.agency_id == agency_id,
                                                         KpiScore.fiscal_year == fiscal_year))


def test_days_late_run_to_the_approval_that_sends_the_report_and_come_off_the_indicator(scored_world):
    world = scored_world
    ctx, central = world.ctx, world.actor("central")
    iid = _kpi_2566(world, world.agency_a, "การออกใบอนุญาต")
    w = Walker(world, iid)
    # round 1 is due 10 Apr 2023 23:59 Bangkok (department calendar, seed 002). The officer submits on
    # 11 Apr (1 day late), the supervisor sends it back, and approves it on 13 Apr 09:00: it left the
    # agency 3 days late (seed 004: 0.10 a day from the indicator's score).
    with time_machine.travel(datetime(2023, 4, 11, 2, tzinfo=UTC), tick=False):
        w.do("round1_report", "officer.a", form="kpi_2566/round1")
        w.review("review_round1", "supervisor.a", "send_back", "แนบแผนฉบับลงนาม")
        w.do("round1_report", "officer.a", form="kpi_2566/round1")
    with time_machine.travel(datetime(2023, 4, 12, 2, tzinfo=UTC), tick=False):
        # not sent yet: 2 days so far, 0.20 points so far, shown on the scorecard
        card = scoring.scorecard(ctx, central, world.agency_a, 2566)
        so_far = card.instances[0]["penalty_so_far"]
        assert so_far["days_late"] == 2 and so_far["penalty"] == "0.2000"
        assert [x["task"] for x in so_far["overdue"]] == ["round1_report"]
        # and on the agency's own dashboard
        board = dashboard.get(ctx, world.actor("officer.a"), fiscal_year=2566)
        assert board.rows[0].penalty["penalty"] == "0.2000"
        assert [x["label"] for x in board.rows[0].overdue] == ["รายงานรอบที่ 1"]
    with time_machine.travel(datetime(2023, 4, 13, 2, tzinfo=UTC), tick=False):
        w.review("review_round1", "supervisor.a", "approve")
        w.do("round2_report", "officer.a", form="kpi_2566/round2")
        w.review("review_round2", "supervisor.a", "approve")
        w.do("kpi_assessment", "evaluator.a", {"round1_level": 5, "round2_level": 2.5, "comment": "ครบ"})
        assert scoring.recompute(ctx, central, 2566) == 1
    row = _score_row(ctx, world.agency_a, 2566)
    round1 = next(x for x in row.details["lateness"] if x["task"] == "round1_report")
    assert (round1["state"], round1["days_late"]) == ("sent", 3)
    # (5 + 2.5) / 2 = 3.75; 3.75 - 3 x 0.10 = 3.45 (not 3.60, which a penalty halved by averaging gives)
    assert row.details["subtotal"] == "3.7500" and str(row.score) == "3.4500"
    assert row.details["late"]["penalty"] == "0.3000"
    # the evaluator corrects round 2 to 3, with a reason; audited; (5 + 3) / 2 - 0.30 = 3.70
    with pytest.raises(InvalidInput):
        scoring.correct(ctx, central, iid, "round2", 3, "")
    with pytest.raises(Forbidden):
        scoring.correct(ctx, world.actor("officer.a"), iid, "round2", 3, "แก้ไข")
    scoring.correct(ctx, central, iid, "round2", 3, "ตรวจพบหลักฐานการอบรมเพิ่มเติม")
    assert str(_score_row(ctx, world.agency_a, 2566).score) == "3.7000"
    with ctx.uow(write=False) as uow:
        ev = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "score.correct"))
    assert ev.after == {"round2": 3} and ev.comment == "ตรวจพบหลักฐานการอบรมเพิ่มเติม"
    with pytest.raises(Forbidden):
        scoring.recompute(ctx, world.actor("officer.a"), 2566)


def test_no_scheme_is_used_for_another_fiscal_year_until_the_evaluator_publishes_one(scored_world):
    world = scored_world
    ctx, central = world.ctx, world.actor("central")
    with time_machine.travel(START, tick=False):
        iid = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "ภาษีรถ", 2569)
        w = Walker(world, iid)
        stage1(w)
        w.do("stage2_sla", "officer.a", form="sla/stage2")
        w.review("review_stage2", "supervisor.a", "approve")
    # only FY 2558 schemes are shipped: FY 2569 has none, and the scorecard says so
    assert scoring.recompute(ctx, central, 2569) == 0
    card = scoring.scorecard(ctx, world.actor("officer.a"), world.agency_a, 2569)
    assert card.scores == [] and card.missing == [
        {"service_process": "ภาษีรถ", "process_id": "sla_lifecycle", "group": "group2"}]
    # the central office publishes FY 2569's schemes by copying FY 2558's in one action
    created = scoring.copy_schemes(ctx, central, 2558, 2569)
    assert sorted(created) == ["service-standard-2569", "sla-2569-group1", "sla-2569-group2"]
    assert scoring.copy_schemes(ctx, central, 2558, 2569) == []  # already published: nothing twice
    with pytest.raises(InvalidInput):
        scoring.copy_schemes(ctx, central, 2540, 2569)
    with pytest.raises(Forbidden):
        scoring.copy_schemes(ctx, world.actor("officer.a"), 2558, 2569)
    with time_machine.travel(START, tick=False):
        assert scoring.recompute(ctx, central, 2569) == 1
    row = _score_row(ctx, world.agency_a, 2569)
    assert row.scheme_code == "sla-2569-group2" and row.details["fiscal_year"] == 2569
    # group 2, seed 000 slide 6: the plan and the SLA made (level 3); not yet posted
    lines = {x["code"]: x for x in row.details["indicators"]}
    assert lines["2.1"]["level"] == "3.0000"
    assert "classification" not in row.details  # an SLA score is never Standard / Best practice
    with pytest.raises(NotFound):  # another agency's scorecard does not exist for its officers
        scoring.scorecard(ctx, world.actor("officer.b"), world.agency_a, 2569)



def test_the_group_is_known_at_start_and_the_evaluator_may_override_it(scored_world):
    world = scored_world
    ctx, central = world.ctx, world.actor("central")
    with time_machine.travel(START, tick=False):
        first = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "ภาษีรถ", 2569)
        other = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_b, "ภาษีรถ", 2569)
        w = Walker(world, first)
        stage1(w)
        w.do("stage2_sla", "officer.a", form="sla/stage2")
        w.review("review_stage2", "supervisor.a", "approve")  # the SLA document of FY 2569 is made
    with time_machine.travel(datetime(2026, 10, 5, 2, tzinfo=UTC), tick=False):
        # seed 000 slide 4: an SLA made in an earlier year puts the service process in group 1
        again = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "ภาษีรถ", 2570)
        new = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "ใบอนุญาตขับรถ", 2570)
        no_sla_yet = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_b, "ภาษีรถ", 2570)
    groups = _groups(ctx)
    assert groups[first] == groups[other] == "group2"
    assert (groups[again], groups[new], groups[no_sla_yet]) == ("group1", "group2", "group2")
    with pytest.raises(InvalidInput):
        scoring.set_group(ctx, central, new, "group1", "  ")
    with pytest.raises(InvalidInput):
        scoring.set_group(ctx, central, new, "group9", "ไม่มีกลุ่มนี้")
    with pytest.raises(Forbidden):
        scoring.set_group(ctx, world.actor("supervisor.a"), new, "group1", "ขอเป็นกลุ่ม 1")
    scoring.set_group(ctx, central, new, "group1", "จัดทำ SLA ไว้แล้วในปี 2568 นอกระบบ")
    assert _groups(ctx)[new] == "group1"
    with ctx.uow(write=False) as uow:
        ev = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "instance.group"))
    assert ev.before == {"group": "group2"} and ev.after == {"group": "group1"}


def _groups(ctx):
    with ctx.uow(write=False) as uow:
        return dict(uow.session.execute(select(Instance.id, Instance.evaluation_group)).all())


def test_group_1_plan_completeness_comes_from_the_plan_and_the_latest_report(scored_world):
    world = scored_world
    ctx, central = world.ctx, world.actor("central")
    scoring.copy_schemes(ctx, central, 2558, 2569)
    scoring.copy_schemes(ctx, central, 2558, 2570)
    with time_machine.travel(START, tick=False):
        first = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "ภาษีรถ", 2569)
        w = Walker(world, first)
        stage1(w)
        w.do("stage2_sla", "officer.a", form="sla/stage2")  # plan: online payment; counter training
        w.review("review_stage2", "supervisor.a", "approve")
    with time_machine.travel(datetime(2026, 10, 5, 2, tzinfo=UTC), tick=False):
        again = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, "ภาษีรถ", 2570)
        assert scoring.recompute(ctx, central, 2570) == 1
    # no report yet in FY 2570: none of last year's two plan activities is reported done -> 0 %
    row = _score_row(ctx, world.agency_a, 2570)
    assert row.scheme_code == "sla-2570-group1"
    lines = {x["code"]: x for x in row.details["indicators"]}
    assert lines["1.1"]["value"] == "0.0000" and lines["1.1"].get("provisional") is True
    assert again  # the FY 2570 workflow reads last year's plan (revising stages 1-2 is optional)


@pytest.mark.parametrize("plan,reported,expected", [
    (["ก", "ข"], [("ก", 100), ("ข", 100)], "100.00"),
    (["ก", "ข"], [("ก", 100), ("ข", 60)], "50.00"),
    (["ก", "ข", "ค"], [("ก", 100)], "33.33"),          # an activity not reported is not done
    (["ก"], [("ก", 100), ("นอกแผน", 100)], "100.00"),  # activities outside the plan do not count
    (["  เปิดให้ชำระ   ออนไลน์ "], [("เปิดให้ชำระ ออนไลน์", 100)], "100.00"),  # spacing does not matter
    ([], [("ก", 100)], None),
])
def test_plan_completeness_worked_by_hand(plan, reported, expected):
    # seed 000 slide 5, indicator 1.1: completeness of the activities carried out against the plan
    assert plan_completeness([{"activity": a} for a in plan],
                             [{"activity": a, "progress": p} for a, p in reported]) == expected


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
