"""A form's ``pattern`` cannot stall the process: patterns run on RE2 in linear time, and a pattern RE2
cannot run is refused when the form is checked (deploy, designer), naming where it is."""
from __future__ import annotations

import threading

import pytest

from engine import forms
from engine.bpmn.lint import check_form
from engine.errors import FormInvalid

EVIL = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a+)+$"},
                                         "tags": {"type": "object",
                                                  "patternProperties": {"^(x+x+)+y$": {"type": "integer"}}}}}


def _finishes(fn, seconds=20.0):
    """Runs fn in a thread; the result, or a failure when it is still running after `seconds`
    (backtracking on these inputs would take longer than the age of the universe)."""
    out = {}

    def run():
        try:
            fn()
            out["result"] = None
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            out["result"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert "result" in out, "validation is still running: the pattern backtracks"
    return out["result"]


def test_catastrophic_patterns_answer_with_a_field_error():
    data = {"code": "a" * 5000 + "!", "tags": {"x" * 5000: 1}}
    error = _finishes(lambda: forms.validate(EVIL, data, "th"))
    assert isinstance(error, FormInvalid) and error.errors["code"] == ["รูปแบบไม่ถูกต้อง"]
    assert _finishes(lambda: forms.validate(EVIL, {"code": "a" * 5000, "tags": {"xxy": 3}}, "th")) is None
    error = _finishes(lambda: forms.validate(EVIL, {"code": "aaa", "tags": {"xxy": "three"}}, "en"))
    assert isinstance(error, FormInvalid) and list(error.errors) == ["tags.xxy"]


@pytest.mark.parametrize("pattern", [r"^(a)\1$", r"^(?=a)a$", r"(?<!x)y", "(" * 5, "a" * 1001])
def test_patterns_re2_cannot_run_are_refused_when_the_form_is_checked(pattern):
    schema = {"type": "object", "properties": {"postcode": {"type": "string", "pattern": pattern}}}
    checked, reason = check_form(schema)
    assert checked is None and reason


def test_ordinary_thai_patterns_still_work():
    schema = {"type": "object", "properties": {"phone": {"type": "string", "pattern": r"^0[0-9]{8,9}$"},
                                               "name": {"type": "string", "pattern": r"^[ก-๙ ]+$"}}}
    assert check_form(schema)[1] is None
    forms.validate(schema, {"phone": "021234567", "name": "สมศรี ใจดี"})
    with pytest.raises(FormInvalid) as caught:
        forms.validate(schema, {"phone": "12", "name": "Somsri"})
    assert set(caught.value.errors) == {"phone", "name"}
