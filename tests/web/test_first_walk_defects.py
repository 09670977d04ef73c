"""Defects a new user met walking the app, each fixed: the review's decision on the timeline, a
favicon, starting a workflow twice or with a Gregorian year (told why, what was typed kept), the stage
shown while a workflow waits inside it, the main workflow offered first."""
from __future__ import annotations

import re

import time_machine

from engine.services import instances
from tests.conftest import ADMIN
from tests.web.conftest import csrf_token, login
from tests.workflows.test_sla_paths import MAR_2, START, deploy_all, to_published
from tests.workflows.walker import Walker

SERVICE = "การชำระภาษีรถประจำปี"


def _waiting_in_stage3(world) -> Walker:
    """A workflow published and its stage 4 done: nothing open, only the 6-month round's timer ahead."""
    deploy_all(world.ctx)
    with time_machine.travel(START, tick=False):
        w = Walker(world, instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, SERVICE, 2569))
        to_published(w)
        w.do("change_management", "officer.a", form="sla/change_management")
        w.review("review_stage4", "supervisor.a", "approve")
        assert w.open_tasks() == {}
    return w


def test_the_timeline_shows_each_decision(app, world):
    deploy_all(world.ctx)
    with time_machine.travel(START, tick=False):
        w = Walker(world, instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, SERVICE, 2569))
        w.do("select_process", "officer.a", form="sla/select_process")
        w.do("stage1_targets", "officer.a", form="sla/stage1")
        w.review("review_stage1", "supervisor.a", "send_back", "แก้ไขเป้าหมาย")
        w.do("stage1_targets", "officer.a", form="sla/stage1")
        w.review("review_stage1", "supervisor.a", "approve")
    client = app.test_client()
    login(client, "supervisor.a")
    page = client.get(f"/instances/{w.iid}").get_data(as_text=True)
    decisions = re.findall(r'data-testid="decision">([^<]+)<', page)
    assert decisions == ["อนุมัติ", "ส่งกลับให้แก้ไข"]  # newest first


def test_favicon(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    icon = client.get(answer.headers["Location"])
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_starting_twice_or_with_a_gregorian_year_explains_and_keeps_what_was_typed(app, world):
    deploy_all(world.ctx)
    client = app.test_client()
    with time_machine.travel(START, tick=False):
        login(client, "officer.a")
        form = {"csrf_token": csrf_token(client, "/dashboard"), "agency": str(world.agency_a),
                "process": "sla_lifecycle", "service_process": "บริการออกใบอนุญาต", "fy": "2026"}
        wrong = client.post("/dashboard/start", data=form)
        html = wrong.get_data(as_text=True)
        assert wrong.status_code == 400 and "2569" in html and 'value="บริการออกใบอนุญาต"' in html
        form["fy"] = "2569"
        assert client.post("/dashboard/start", data=form).status_code == 302
        again = client.post("/dashboard/start", data=form)
    html = again.get_data(as_text=True)
    assert again.status_code == 409 and 'data-testid="existing-workflow"' in html
    assert re.search(r'href="/instances/\d+" data-testid="existing-workflow"', html)
    assert 'value="บริการออกใบอนุญาต"' in html


def test_the_stage_shows_while_a_workflow_waits_inside_it_and_the_main_workflow_comes_first(app, world):
    w = _waiting_in_stage3(world)
    client = app.test_client()
    with time_machine.travel(MAR_2.replace(month=2), tick=False):
        login(client, "officer.a")
        page = client.get(f"/dashboard?agency={world.agency_a}&fy=2569").get_data(as_text=True)
    row = re.search(r"<tr[^>]*>\s*<td><a href=\"/instances/" + str(w.iid) + r"\".*?</tr>", page, re.S).group(0)
    assert "ขั้นที่ 3" in row
    options = re.findall(r'<option value="([a-z_0-9]+)"', page.split('data-testid="start-workflow"')[1])
    assert options[0] == "sla_lifecycle"


def test_the_excel_export_gives_the_next_due_date_the_dashboard_gives(world):
    import io

    from openpyxl import load_workbook

    from engine.services import export

    _waiting_in_stage3(world)
    with time_machine.travel(START, tick=False):
        book = load_workbook(io.BytesIO(export.workbook(world.ctx, world.actor("central"), 2569)))
    sheet = next(ws for ws in book.worksheets if ws.max_row > 1 and any(
        (c.value or "") == SERVICE for c in ws[2]))
    headers = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[headers.index("กำหนดส่งถัดไป")] == "1 มี.ค. 2569"  # the 6-month round opens, as on the dashboard


def test_diagram_tabs_are_named_as_their_processes(world):
    from engine.services import instance_page

    deploy_all(world.ctx)
    with time_machine.travel(START, tick=False):
        iid = instances.start(world.ctx, ADMIN, "sla_lifecycle", world.agency_a, SERVICE, 2569)
    page = instance_page.get(world.ctx, world.actor("officer.a"), iid)
    titles = [d["title"] for d in page.diagrams]
    assert all(not t.endswith(".bpmn") and "_" not in t for t in titles), titles  # names, not files or ids
