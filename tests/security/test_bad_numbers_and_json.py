"""Numbers and JSON an attacker chooses: ids, pages and years out of range answer 404 or a page with the
default, never a 500; JSON with NaN, Infinity, lone surrogates or 100,000 levels of nesting is refused
with a 400 and stores nothing."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine import strictjson
from engine.errors import InvalidInput
from engine.models import HumanTask
from tests.published import publish_car_tax
from tests.web.conftest import csrf_token, login

NOW = datetime(2026, 11, 2, 3, tzinfo=timezone.utc)
HUGE = [str(2 ** 63), str(2 ** 64 + 7), "9" * 40, "0", "-1", "1e400", "%00", "٣"]


@pytest.mark.parametrize("who, template", [
    ("officer.a", "/tasks/{n}"), ("officer.a", "/instances/{n}"), ("officer.a", "/files/{n}"),
    ("officer.a", "/documents/{n}"), ("central", "/central/agencies/{n}"), ("central", "/central/surveys/{n}"),
    ("designer", "/designer/drafts/{n}"), ("designer", "/designer/versions/{n}"), ("admin", "/admin/users/{n}"),
])
def test_ids_out_of_range_are_not_found(app, who, template):
    client = app.test_client()
    login(client, who)
    for n in HUGE:
        r = client.get(template.format(n=n))
        assert r.status_code in (400, 404), (template, n, r.status_code)


@pytest.mark.parametrize("who, path", [
    ("central", "/central/?fy={n}"), ("central", "/central/?fy=2570&page={n}"), ("central", "/central/surveys?fy={n}"),
    ("central", "/reporting-calendar?fy={n}"), ("admin", "/calendar?year={n}"), ("officer.a", "/records/?fy={n}"),
    ("officer.a", "/complaints/?page={n}"), ("officer.a", "/dashboard?fy={n}"), ("officer.a", "/?page={n}"),
    ("officer.a", "/notifications?page={n}"), ("central", "/central/export.xlsx?fy={n}"),
    (None, "/public/?page={n}"),
])
def test_years_and_pages_out_of_range_never_fail(app, who, path):
    client = app.test_client()
    if who:
        login(client, who)
    for n in HUGE + [str(10 ** 18), "2" * 19]:
        r = client.get(path.format(n=n))
        assert r.status_code < 500, (path, n, r.status_code)


@pytest.fixture
def task(app, world):
    publish_car_tax(world, NOW)
    with world.ctx.uow(write=False) as uow:
        return uow.session.scalar(select(HumanTask.id).where(HumanTask.status != "completed"))


@pytest.mark.parametrize("body", [
    '{"data": {"x": NaN}}', '{"data": {"x": Infinity}}', '{"data": {"x": -Infinity}}',
    '{"data": {"x": "\\ud800"}}', '{"data": {"\\udfff": 1}}', '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"data": ' + '{"a":' * 70 + "1" + "}" * 70 + "}", "[1, 2]", "not json", "",
])
def test_hostile_json_is_refused_and_stores_nothing(app, world, task, body):
    client = app.test_client()
    with time_machine.travel(NOW, tick=False):
        login(client, "officer.a")
        token = csrf_token(client, f"/tasks/{task}")
        with world.ctx.uow(write=False) as uow:
            before = uow.session.get(HumanTask, task).draft
        for url in (f"/tasks/{task}/draft", f"/tasks/{task}/submit"):
            r = client.post(url, data=body, content_type="application/json", headers={"X-CSRFToken": token})
            assert r.status_code == 400, (url, r.status_code, r.get_data(as_text=True)[:200])
        with world.ctx.uow(write=False) as uow:
            assert uow.session.get(HumanTask, task).draft == before


def test_strict_json_keeps_ordinary_json():
    value = {"ชื่อ": "สมศรี", "n": 1.5, "rows": [{"a": None, "b": True}], "deep": json.loads("[" * 60 + "]" * 60)}
    assert strictjson.loads(json.dumps(value, ensure_ascii=False)) == value
    with pytest.raises(InvalidInput):
        strictjson.loads("[" * 65 + "]" * 65)
