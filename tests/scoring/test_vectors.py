"""Scoring vectors worked by hand from the seeds' tables."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from engine.scoring.calculator import ResultsInvalid, score
from engine.scoring.schemes import SchemeInvalid, parse_scheme, shipped_schemes

SCHEMES = {s.code: s for s in shipped_schemes()}
G1, G2 = SCHEMES["sla-2558-group1"], SCHEMES["sla-2558-group2"]
KPI66, STD = SCHEMES["process-improvement-2566"], SCHEMES["service-standard-2558"]


def one(scheme, values, days_late=None):
    return score(scheme, {"values": values, "days_late": days_late or {}})


def levels(result):
    return {line["code"]: line["level"] for line in result["processes"][0]["lines"]}


@pytest.mark.parametrize("success,level", [
    (59.99, "0.0000"), (60, "1.0000"), (65, "1.5000"), (70, "2.0000"), (80, "3.0000"), (85, "3.5000"),
    (89.99, "3.9990"), (90, "4.0000"), (95, "4.5000"), (100, "5.0000"), (120, "5.0000"), (0, "0.0000"),
])
def test_success_thresholds_interpolate_between_levels(success, level):
    assert levels(one(G1, {"1.2": success}))["1.2"] == level


@pytest.mark.parametrize("satisfaction,level", [(64.9, "0.0000"), (65, "1.0000"), (72.5, "2.5000"), (84, "4.8000"),
                                                (85, "5.0000"), (99, "5.0000")])
def test_satisfaction_thresholds(satisfaction, level):
    assert levels(one(G1, {"1.3": satisfaction}))["1.3"] == level


def test_group1_weighted_score_by_hand():
    # 1.1: 90% -> 4; 1.2: 85% -> 3.5; 1.3: 80% -> 4.  (1x4 + 5x3.5 + 4x4) / 10 = 37.5 / 10 = 3.75
    result = one(G1, {"1.1": 90, "1.2": 85, "1.3": 80})
    assert result["score"] == "3.7500" and result["score_display"] == "3.75"
    weighted = [line["weighted"] for line in result["processes"][0]["lines"]]
    assert weighted == ["4.0000", "17.5000", "16.0000"]


def test_group2_milestones_and_scores():
    # seed 000 slide 6: 2.1 posted (L5); 2.2 92.5% -> 4.25; 2.3 86% -> 5.  (3x5 + 4x4.25 + 3x5) / 10 = 4.70
    assert one(G2, {"2.1": 5, "2.2": 92.5, "2.3": 86})["score"] == "4.7000"
    assert levels(one(G2, {"2.1": {"achieved": ["plan", "sla"]}}))["2.1"] == "3.0000"
    assert levels(one(G2, {"2.1": {"achieved": ["sla", "posted"]}}))["2.1"] == "0.0000"  # levels in order
    assert levels(one(G2, {"2.1": {"achieved": []}}))["2.1"] == "0.0000"
    with pytest.raises(ResultsInvalid):
        one(G2, {"2.1": 4})  # level 4 is undefined in this scheme (seed 000 slide 6: L2 and L4 blank)


ROUND1_ALL = {"achieved": ["core_review", "plan", "progress_50"]}


def test_milestone_half_points_2566():
    # seed 004, round 2 level 3: workflow/standard/manual (0.5) + training (0.5); only the first: 2.5
    r = one(KPI66, {"round1": ROUND1_ALL,
                    "round2": {"achieved": ["progress_80", "progress_100", "workflow_standard_manual"]}})
    assert levels(r) == {"round1": "5.0000", "round2": "2.5000"}
    assert r["score"] == "3.7500"  # (5 + 2.5) / 2, equal round weights
    assert levels(one(KPI66, {"round2": 2.5}))["round2"] == "2.5000"
    with pytest.raises(ResultsInvalid):
        one(KPI66, {"round2": 2.25})


@pytest.mark.parametrize("achieved,level", [
    (["progress_80", "progress_100", "workflow_standard_manual", "training"], "3.0000"),
    (["progress_80", "progress_100", "workflow_standard_manual", "training", "forum"], "4.0000"),
    (["progress_80", "progress_100", "workflow_standard_manual", "training", "forum", "report"], "5.0000"),
    (["progress_80", "progress_100", "training", "forum", "report"], "2.5000"),  # one half missing: stops there
])
def test_a_level_whose_parts_are_all_achieved_counts_and_the_next_levels_follow(achieved, level):
    # seed 004 round 2: both halves of level 3 make level 3 reached; levels 4 and 5 then count
    assert levels(one(KPI66, {"round2": {"achieved": achieved}}))["round2"] == level


def test_late_penalty_comes_off_the_indicator_score_undiluted_2566():
    # seed 004 condition: "ถูกปรับลดคะแนนของตัวชี้วัดนี้ 0.10 คะแนนต่อวัน" in each round.
    # Round 1 L5, round 2 L2.5, round 1 sent 3 days late: (5 + 2.5) / 2 = 3.75; 3.75 - 3 x 0.10 = 3.45
    late = one(KPI66, {"round1": 5, "round2": 2.5}, {"round1": 3})
    assert late["subtotal"] == "3.7500" and late["score"] == "3.4500"
    assert late["late"] == {"days_late": 3, "per_day": "0.1", "penalty": "0.3000", "floor": "0"}
    assert [x["score"] for x in late["processes"][0]["lines"]] == ["5.0000", "2.5000"]  # not taken twice
    # late in both rounds (2 + 4 days): 3.75 - 0.60 = 3.15; 60 days: floored at 0
    assert one(KPI66, {"round1": 5, "round2": 2.5}, {"round1": 2, "round2": 4})["score"] == "3.1500"
    assert one(KPI66, {"round1": 5, "round2": 2}, {"round1": 3, "round2": 60})["score"] == "0.0000"


def test_several_service_processes_average_the_values_first():
    # seed 000 slide 9, condition 5: an agency with more than one SLA process is assessed on the
    # average success of its processes. A: 1.1 100, 1.2 100, 1.3 85; B: 1.1 60, 1.2 30, 1.3 65.
    # Averages 80 / 65 / 75 -> levels 3 / 1.5 / 3 -> (1x3 + 5x1.5 + 4x3) / 10 = 22.5 / 10 = 2.25
    result = score(G1, {"processes": [
        {"name": "ภาษีรถ", "values": {"1.1": 100, "1.2": 100, "1.3": 85}},
        {"name": "ใบขับขี่", "values": {"1.1": 60, "1.2": 30, "1.3": 65}},
    ]})
    assert result["aggregate_order"] == "values_first"
    assert [(x["value"], x["level"]) for x in result["indicators"]] == [
        ("80.0000", "3.0000"), ("65.0000", "1.5000"), ("75.0000", "3.0000")]
    assert result["score"] == "2.2500" and result["score_display"] == "2.25"
    # each process's own score stays in the working: A 5.00, B (1 + 0 + 4) / 10 = 0.50
    assert [p["score"] for p in result["processes"]] == ["5.0000", "0.5000"]
    # the other order, as a scheme setting: (5.00 + 0.50) / 2 = 2.75
    other = parse_scheme(json.dumps(dict(G1.data, code="g1-scores-first", aggregate_order="scores_first")))
    assert score(other, {"processes": [{"values": {"1.1": 100, "1.2": 100, "1.3": 85}},
                                       {"values": {"1.1": 60, "1.2": 30, "1.3": 65}}]})["score"] == "2.7500"


KPIS = [f"kpi{n}" for n in range(1, 11)]


def std(scores, evidence=2):
    values = dict(zip(KPIS, scores, strict=True))
    return one_with_evidence(STD, values, dict.fromkeys(KPIS, evidence))


def one_with_evidence(scheme, values, evidence):
    return score(scheme, {"values": values, "evidence": evidence})


def test_service_standard_has_ten_kpis_in_four_dimensions():
    # seed 002 slides 3-7: dimensions of 1, 3, 2 and 4 KPIs weighing 15 / 35 / 30 / 20 %
    dims = {d["code"]: d for d in std([5] * 10)["dimensions"]}
    assert [len(d["indicators"]) for d in dims.values()] == [1, 3, 2, 4]
    assert [d["weight"] for d in dims.values()] == ["15", "35", "30", "20"]
    # effectiveness 5; quality 4, 4, 4; efficiency 3, 3; development 2 x 4:
    # (15x5 + 35x4 + 30x3 + 20x2) / 100 = 3.45 (a plain mean of the ten would be 3.3)
    assert std([5, 4, 4, 4, 3, 3, 2, 2, 2, 2])["score"] == "3.4500"


@pytest.mark.parametrize("scores,expected", [
    ([3] * 10, "standard"),                                  # every KPI exactly 3.00
    ([2.99] + [5] * 9, None),                                # one KPI under 3.00
    ([4] * 10, "standard"),                                  # every KPI 4.00 but the mean 4.00 < 4.50
    ([4, 5, 5, 5, 5, 5, 5, 5, 5, 5], "best_practice"),       # mean 4.90
    ([4, 4, 5, 5, 4, 5, 5, 4, 4, 5], "best_practice"),       # mean exactly 4.50
    ([4, 4, 5, 5, 4, 5, 5, 4, 4, 4.99], "standard"),         # mean 4.499 < 4.50
    ([3.99] + [5] * 9, "standard"),                          # one KPI under 4.00
])
def test_standard_and_best_practice_boundaries(scores, expected):
    # seed 002 slide 3: Standard = every KPI >= 3.00; Best practice = every KPI >= 4.00 and
    # "ค่าคะแนนเฉลี่ยรวมของตัวชี้วัดทั้งหมด" (the mean of all KPI scores) >= 4.50
    assert std(scores)["classification"]["code"] == expected


def test_best_practice_average_is_the_mean_of_the_kpis_and_the_working_shows_it():
    # kpi1 4; quality 4 4 4; efficiency 5 4.5; development 5 5 5 5:
    # mean of the ten = 45.5 / 10 = 4.55 (Best practice); the dimension-weighted score would be
    # (15x4 + 35x4 + 30x4.75 + 20x5) / 100 = 4.425, which a "weighted" setting compares instead
    result = std([4, 4, 4, 4, 5, 4.5, 5, 5, 5, 5])
    cls = result["classification"]
    assert result["score"] == "4.4250" and cls["mean"] == "4.5500" and cls["code"] == "best_practice"
    best = next(c for c in cls["checks"] if c["code"] == "best_practice")
    assert {c["rule"]: c["met"] for c in best["conditions"]} == {"min_each": True, "min_average": True,
                                                                 "min_evidence": True}
    weighted = parse_scheme(json.dumps(dict(STD.data, code="std-weighted", classification=[
        dict(c, average="weighted") for c in STD.data["classification"]])))
    assert one_with_evidence(weighted, dict(zip(KPIS, [4, 4, 4, 4, 5, 4.5, 5, 5, 5, 5], strict=True)),
                             dict.fromkeys(KPIS, 2))["classification"]["code"] == "standard"


def test_two_pieces_of_evidence_per_kpi_are_required():
    # seed 002 slide 11: the 12-month report comes with at least two examples of evidence per KPI
    assert std([5] * 10, evidence=1)["classification"]["code"] is None
    short = std([5] * 10, evidence=1)["classification"]["checks"][0]["conditions"][-1]
    assert short["rule"] == "min_evidence" and short["failing"] == KPIS
    assert std([5] * 10, evidence=2)["classification"]["code"] == "best_practice"


def test_sla_and_process_improvement_scores_are_never_classified():
    # the Standard / Best practice levels belong to seed 002's scheme only
    assert "classification" not in one(G1, {"1.1": 100, "1.2": 100, "1.3": 100})
    assert "classification" not in one(KPI66, {"round1": 5, "round2": 5})


def test_provisional_criteria_are_marked_in_the_working():
    lines = {x["code"]: x for x in one(G1, {"1.1": 90})["processes"][0]["lines"]}
    assert lines["1.1"].get("provisional") is True and "provisional" not in lines["1.2"]


def test_bad_schemes_and_results_are_refused():
    with pytest.raises(SchemeInvalid) as info:
        parse_scheme('{"code": "xy", "title": "t", "fiscal_year": 2569, "indicators": [{"code": "a", "title": "a", '
                     '"weight": 1, "criteria": {"type": "thresholds", "thresholds": [80, 70]}}]}')
    assert "thresholds must increase" in str(info.value)
    with pytest.raises(SchemeInvalid):
        parse_scheme("code: [unclosed", "bad.yaml")
    with pytest.raises(SchemeInvalid):
        parse_scheme('{"code": "x"}')
    with pytest.raises(ResultsInvalid):
        one(G1, {"9.9": 1})
    with pytest.raises(ResultsInvalid):
        one(G1, {"1.2": "lots"})
    with pytest.raises(ResultsInvalid):
        one(G1, {"1.2": True})
    with pytest.raises(ResultsInvalid):
        one(KPI66, {"round1": 5}, {"round1": -2})
    with pytest.raises(ResultsInvalid):
        score(STD, {"values": {}, "evidence": {"kpi1": -1}})
    assert Decimal(one(G1, {})["score"]) == 0  # nothing reported scores nothing


def test_yaml_scheme():
    scheme = parse_scheme("""
code: yaml-test
title: ตัวชี้วัดทดสอบ
fiscal_year: 2569
indicators:
  - code: a
    title: ก
    weight: 2
    criteria: {type: thresholds, thresholds: [50, 100], below: 0.5}
""", "x.yaml")
    assert levels(one(scheme, {"a": 75}))["a"] == "4.5000"  # two thresholds: levels 4 and 5
    assert levels(one(scheme, {"a": 10}))["a"] == "0.5000"
