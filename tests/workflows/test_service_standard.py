"""Seed 002 as a workflow: a unit reports its service standard at 6, 9 and 12 months on the
department's calendar, with evidence; the department's evaluator scores KPIs 1–10; Standard and Best
practice follow from those scores and the evidence (a save/reload round trip at every step)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine

from engine.errors import FormInvalid
from engine.services import instances, scoring, tasks
from tests.conftest import ADMIN
from tests.workflows.test_sla_paths import deploy_all
from tests.workflows.walker import Walker, example

UTC = timezone.utc
START = datetime(2025, 10, 6, 3, tzinfo=UTC)   # FY 2569
ROUND_DAYS = {6: datetime(2026, 3, 20, 3, tzinfo=UTC), 9: datetime(2026, 6, 20, 3, tzinfo=UTC),
              12: datetime(2026, 9, 25, 3, tzinfo=UTC)}


@pytest.fixture
def unit_standard(world):
    scoring.install_shipped(world.ctx)
    deploy_all(world.ctx)
    with time_machine.travel(START, tick=False):
        iid = instances.start(world.ctx, ADMIN, "service_standard", world.unit_a, "ศูนย์บริการร่วม", 2569)
    return Walker(world, iid)


def _rounds(w: Walker, months=(6, 9, 12)):
    for m in months:
        traveller = w.at(ROUND_DAYS[m])
        try:
            w.do(f"std_report_{m}", "officer.u", form="standard/report_12m" if m == 12 else "standard/report")
            w.review(f"review_std{m}", "supervisor.u", "approve")
        finally:
            traveller.stop()


def test_three_rounds_on_the_department_calendar_then_the_evaluator_scores(unit_standard, world):
    w = unit_standard
    assert w.open_tasks() == {}  # the 6-month round opens on 1 March
    traveller = w.at(ROUND_DAYS[6])
    try:
        report = w.open_tasks()["std_report_6"]
        # seed 002 slide 11: due 10 April 2026 (a Friday) 23:59 Bangkok
        assert report.due_at == datetime(2026, 4, 10, 16, 59, 59, tzinfo=UTC)
    finally:
        traveller.stop()
    _rounds(w)
    assert set(w.open_tasks()) == {"std_assessment"}
    assert w.open_tasks()["std_assessment"].role == "evaluator"
    w.do("std_assessment", "evaluator.a", form="standard/assessment")  # every KPI 4.6
    assert w.status() == "completed"
    scoring.copy_schemes(world.ctx, world.actor("evaluator.a"), 2558, 2569)
    with time_machine.travel(datetime(2026, 10, 20, 3, tzinfo=UTC), tick=False):
        assert scoring.recompute(world.ctx, world.actor("evaluator.a"), 2569) == 1
    card = scoring.scorecard(world.ctx, world.actor("evaluator.a"), world.unit_a, 2569)
    score = card.scores[0]
    assert score["code"] == "service-standard-2569" and score["score"] == "4.6000"
    # two pieces of evidence per KPI in the 12-month report, every KPI 4.60, the mean 4.60: Best practice
    assert [x["evidence"] for x in score["indicators"]] == [2] * 10
    assert score["classification"]["code"] == "best_practice"


def test_the_12_month_report_needs_every_kpi_with_two_pieces_of_evidence(unit_standard):
    w = unit_standard
    _rounds(w, (6, 9))
    traveller = w.at(ROUND_DAYS[12])
    try:
        data = w.with_files("officer.u", example("standard/report_12m"))
        data["kpis"][3]["evidence"] = data["kpis"][3]["evidence"][:1]
        with pytest.raises(FormInvalid) as info:
            tasks.submit(w.ctx, w.world.actor("officer.u"), w.open_tasks()["std_report_12"].id, data)
        assert "kpis.3.evidence" in info.value.errors
        data = w.with_files("officer.u", example("standard/report_12m"))
        del data["appointment_order"]
        with pytest.raises(FormInvalid) as info:
            tasks.submit(w.ctx, w.world.actor("officer.u"), w.open_tasks()["std_report_12"].id, data)
        assert "appointment_order" in info.value.errors
    finally:
        traveller.stop()
