"""Scoring vectors worked by hand from the seeds' tables."""
from __future__ import annotations

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
    # 2.1 posted (L5); 2.2 92.5% -> 4.25; 2.3 86% -> 5.  (3x5 + 4x4.25 + 3x5) / 10 = 4.70
    assert one(G2, {"2.1": 5, "2.2": 92.5, "2.3": 86})["score"] == "4.7000"
    assert levels(one(G2, {"2.1": {"achieved": ["plan", "sla"]}}))["2.1"] == "3.0000"
    assert levels(one(G2, {"2.1": {"achieved": ["sla", "posted"]}}))["2.1"] == "0.0000"  # levels in order
    assert levels(one(G2, {"2.1": {"achieved": []}}))["2.1"] == "0.0000"
    with pytest.raises(ResultsInvalid):
        one(G2, {"2.1": 4})  # level 4 is undefined in this scheme


def test_milestone_half_points_and_late_penalty_2566():
    # round 2: 80% and 100% done, the workflow/standard/manual part (0.5) but no training: 2.5
    r = one(KPI66, {"round1": {"achieved": ["core_review", "plan", "progress_50"]},
                    "round2": {"achieved": ["progress_80", "progress_100", "workflow_standard_manual"]}})
    assert levels(r) == {"round1": "5.0000", "round2": "2.5000"}
    assert r["score"] == "3.7500"
    assert levels(one(KPI66, {"round2": 2.5}))["round2"] == "2.5000"
    with pytest.raises(ResultsInvalid):
        one(KPI66, {"round2": 2.25})
    # 3 days late in round 1: 5 - 0.30 = 4.70; 60 days late in round 2 floors at 0
    late = one(KPI66, {"round1": 5, "round2": 2}, {"round1": 3, "round2": 60})
    lines = late["processes"][0]["lines"]
    assert [(x["penalty"], x["score"]) for x in lines] == [("0.3000", "4.7000"), ("6.0000", "0.0000")]
    assert late["score"] == "2.3500"


def test_average_of_several_service_processes():
    result = score(G1, {"processes": [
        {"name": "ภาษีรถ", "values": {"1.1": 100, "1.2": 100, "1.3": 85}},   # 5.00
        {"name": "ใบขับขี่", "values": {"1.1": 60, "1.2": 60, "1.3": 65}},   # 1.00
        {"name": "ทะเบียน", "values": {"1.1": 80, "1.2": 85, "1.3": 72.5}},  # (3 + 17.5 + 10) / 10 = 3.05
    ]})
    assert [p["score"] for p in result["processes"]] == ["5.0000", "1.0000", "3.0500"]
    assert result["score"] == "3.0167" and result["score_display"] == "3.02"


@pytest.mark.parametrize("scores,expected", [
    ([3, 3, 3, 3], "standard"), ([2.99, 5, 5, 5], None), ([4, 4, 5, 5], "best_practice"),
    ([4, 4.5, 5, 5], "best_practice"), ([4, 4, 4, 4], "standard"), ([3.99, 5, 5, 5], "standard"),
    ([4, 5, 4.5, 4.49], "standard"),  # average 4.4975 < 4.50
    ([4.0, 5, 4.5, 4.5], "best_practice"),  # average exactly 4.50
])
def test_standard_and_best_practice_boundaries(scores, expected):
    values = dict(zip(["effectiveness", "quality", "efficiency", "development"], scores, strict=True))
    result = one(STD, values)
    assert (result["classification"] or {}).get("code") == expected


def test_dimension_weights():
    result = one(STD, {"effectiveness": 5, "quality": 4, "efficiency": 3, "development": 2})
    # (15x5 + 35x4 + 30x3 + 20x2) / 100 = 3.45
    assert result["score"] == "3.4500"
    assert [d["weight"] for d in result["dimensions"]] == ["15", "35", "30", "20"]


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
