"""Form rules beyond the JSON Schema basics: a plan's end never before its start, web addresses that
open; the messages say which field, in Thai or English."""
from __future__ import annotations

import json

import pytest

from engine import forms
from engine.config import REPO_ROOT
from engine.errors import FormInvalid

STAGE2 = json.loads((REPO_ROOT / "forms" / "sla" / "stage2.schema.json").read_text(encoding="utf-8"))
PUBLISH = json.loads((REPO_ROOT / "forms" / "sla" / "publish.schema.json").read_text(encoding="utf-8"))


def _errors(schema, data, lang="th") -> dict:
    try:
        forms.validate(schema, data, lang)
    except FormInvalid as exc:
        return exc.errors
    return {}


def test_a_plan_that_ends_before_it_starts_is_refused_by_field():
    example = json.loads((REPO_ROOT / "forms" / "sla" / "stage2.example.json").read_text(encoding="utf-8"))
    assert _errors(STAGE2, example) == {}
    example["plan"][0]["start"], example["plan"][0]["end"] = "2026-03-01", "2026-02-01"
    errors = _errors(STAGE2, example)
    assert errors == {"plan.0.end": ["ต้องไม่ก่อนวันเริ่ม"]}
    assert _errors(STAGE2, example, "en") == {"plan.0.end": ["must not be before วันเริ่ม"]}
    example["plan"][0]["end"] = "2026-03-01"  # the same day is fine
    assert _errors(STAGE2, example) == {}


@pytest.mark.parametrize("value,ok", [("https://www.dlt.go.th/th/services", True), ("http://10.1.2.3/x", True),
                                      ("www.dlt.go.th", False), ("javascript:alert(1)", False),
                                      ("https://", False), ("https://a b.go.th", False), ("ftp://x.go.th", False)])
def test_web_addresses_must_open(value, ok):
    uri_fields = [k for k, v in PUBLISH["properties"].items() if v.get("format") == "uri"]
    assert uri_fields
    example = json.loads((REPO_ROOT / "forms" / "sla" / "publish.example.json").read_text(encoding="utf-8"))
    example[uri_fields[0]] = value
    errors = _errors(PUBLISH, example)
    assert (errors == {}) is ok, errors
    if not ok:
        assert "http" in errors[uri_fields[0]][0]
