"""The demo's services fill every SLA form validly, and each promises what its own steps take."""
from __future__ import annotations

import json
from datetime import date

import pytest

from engine import forms
from engine.config import REPO_ROOT
from workflows.demo import _example
from workflows.demo_services import (
    SERVICES,
    change_changes,
    publish_changes,
    report_changes,
    select_changes,
    stage1_changes,
    stage2_changes,
)

FORMS = {
    "sla/select_process": select_changes,
    "sla/stage1": stage1_changes,
    "sla/change_management": lambda s: change_changes(s, 2570),
    "sla/stage2": lambda s: stage2_changes(s, 2570),
    "sla/publish": lambda s: publish_changes(s, date(2026, 1, 5)),
    "sla/report": lambda s: report_changes(s, 80),
    "sla/report_12m": lambda s: report_changes(s, 80),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_service_fills_the_form_validly(form):
    schema = json.loads((REPO_ROOT / "forms" / f"{form}.schema.json").read_text(encoding="utf-8"))
    for service in SERVICES:
        data = {k: v for k, v in dict(_example(form), **FORMS[form](service)).items() if v is not None}
        forms.validate(schema, json.loads(json.dumps(data)), "th")  # raises FormInvalid, naming the field


def test_an_sla_promises_what_its_steps_take_and_names_its_service():
    for service, found in SERVICES.items():
        stage2 = stage2_changes(service, 2570)
        assert stage2["sla"]["services"] == [{"name": service}]
        assert stage2["sla"]["service_time_value"] == sum(s["time_value"] for s in stage2["new_steps"])
        assert stage1_changes(service)["targets"]["time_value"] == found.promised < found.before
        assert all(step["time_unit"] == found.unit for step in stage2["old_steps"] + stage2["new_steps"])
        # the plan lies inside fiscal year 2570 (1 Oct 2026 – 30 Sep 2027), its steps in order
        assert all("2026-10-01" <= p["start"] <= p["end"] <= "2027-09-30" for p in stage2["plan"])


def test_an_unknown_service_keeps_the_forms_example():
    assert stage2_changes("บริการที่ไม่มีในรายการ", 2570) == {} and stage1_changes("บริการที่ไม่มีในรายการ") == {}
    assert publish_changes("บริการที่ไม่มีในรายการ", date(2026, 1, 5)) == {"published_on": "2026-01-05"}
