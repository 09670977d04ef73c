"""Import of diagrams made for other engines: the Camunda 7 invoice example and the MIWG A-series exports
of three modelers are converted, deployed and run to their end by the roles their lanes give, without
editing any XML; what could not be converted is listed by element."""
from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from engine.bpmn import foreign_expr, importer
from engine.bpmn.lint import B
from engine.config import REPO_ROOT
from engine.errors import BpmnInvalid, InvalidInput
from engine.models import DesignDraft, HumanTask, Instance
from engine.services import bpmn_import, design, instances, tasks
from tests.conftest import DESIGNER

SAMPLES = REPO_ROOT.parent / "shared" / "bpmn-samples"
INVOICE = REPO_ROOT / "tests" / "data" / "camunda7_invoice.bpmn"
A_SERIES = sorted(p for p in (SAMPLES / "miwg-vendors").glob("*__A.*-export.bpmn"))
TOOLS = {p.name.split("__")[0] for p in A_SERIES}
ACTOR_OF_ROLE = {"officer": "officer.a", "supervisor": "supervisor.a", "head": "head.a", "central": "central",
                 "evaluator": "evaluator.a"}


@pytest.mark.parametrize(("text", "python"), [
    ("${approved}", "approved"),
    ("${!approved}", "not approved"),
    ("${amount > 1000 && category == 'Travel'}", "amount > 1000 and category == 'Travel'"),
    ("#{order.total ge 10 or empty note}", 'order["total"] >= 10 or not note'),
    ("=not(approved)", "not (approved)"),
    ('= risk = "red" and score > 3', 'risk == "red" and score > 3'),
])
def test_juel_and_feel_become_python(text, python):
    assert foreign_expr.to_python(text).python == python


@pytest.mark.parametrize("text", ["${execution.getVariable('x')}", "${a} and ${b}", "=count(x) > 1",
                                  "= some r in risks satisfies r = 1", "approved", "${x = 1}"])
def test_what_cannot_be_rewritten_is_left_for_a_person(text):
    assert foreign_expr.to_python(text) is None


def test_the_a_series_of_three_modelers_is_here():
    assert len(TOOLS) >= 3 and len(A_SERIES) >= 18, "the MIWG samples are missing beside the project"


def _run_to_end(world, draft_id: int, examples: dict, choose=None, service: str = "งานนำเข้า",
                limit: int = 60) -> list[str]:
    """Deploy the draft's every startable process, start one workflow of each, and do every task that
    opens (as the role its lane gives, with the form's example) until all have ended."""
    ctx = world.ctx
    done = []
    for process_id, _name in design.get_draft(ctx, DESIGNER, draft_id).processes:
        deployed = design.deploy_draft(ctx, DESIGNER, draft_id, "นำเข้า", process_id)
        iid = instances.start(ctx, world.actor("officer.a"), deployed.process_id, world.agency_a, service, 2569)
        for _ in range(limit):
            with ctx.uow(write=False) as uow:
                status = uow.session.get(Instance, iid).status
                open_tasks = uow.session.scalars(select(HumanTask).where(
                    HumanTask.instance_id == iid, HumanTask.status == "open").order_by(HumanTask.id)).all()
            if status != "running" or not open_tasks:
                break
            task = open_tasks[0]
            data = dict(examples.get(task.form, {}))
            if choose:
                data.update(choose(task, data))
            try:
                tasks.submit(ctx, world.actor(ACTOR_OF_ROLE[task.role]), task.id, data)
            except Exception as exc:
                raise AssertionError((task.bpmn_id, task.form, data, getattr(exc, "errors", exc))) from exc
            done.append(task.bpmn_id)
        with ctx.uow(write=False) as uow:
            assert uow.session.get(Instance, iid).status == "completed", (process_id, done)
    return done


@pytest.mark.parametrize("path", A_SERIES, ids=lambda p: p.name)
def test_a_series_runs_to_the_end_after_import(world, path):
    draft_id = bpmn_import.import_draft(world.ctx, DESIGNER, {path.name: path.read_bytes()})
    draft = design.get_draft(world.ctx, DESIGNER, draft_id)
    assert not [p for p in design.validate(world.ctx, DESIGNER, draft_id) if p.severity == "error"]
    assert draft.import_notes and all(n["message"] and n["message_en"] for n in draft.import_notes)
    done = _run_to_end(world, draft_id, draft.examples)
    assert done  # people did the tasks the diagram had


def test_camunda_invoice_runs_both_ways_with_the_roles_chosen(world):
    ctx = world.ctx
    data = INVOICE.read_bytes()
    found = bpmn_import.performers(ctx, DESIGNER, {"invoice.bpmn": data})
    assert found == {"${approverGroups}": "supervisor", "accounting": "officer", "demo": "officer"}
    draft_id = bpmn_import.import_draft(ctx, DESIGNER, {"invoice.bpmn": data},
                                        {"${approverGroups}": "supervisor", "accounting": "officer",
                                         "demo": "supervisor"})
    draft = design.get_draft(ctx, DESIGNER, draft_id)
    root = etree.fromstring(draft.files["invoice.bpmn"].encode())
    lanes = {lane.get("name"): {r.text for r in lane.findall(f"{B}flowNodeRef")} for lane in root.iter(f"{B}lane")}
    assert {"Task_ApproveInvoice", "Task_ReviewInvoice"} <= lanes["ผู้บังคับบัญชา"]
    assert {"Task_PrepareBankTransfer", "Task_ArchiveInvoice"} <= lanes["เจ้าหน้าที่"]
    shapes = {s.get("bpmnElement") for s in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")}
    assert {"Participant_invoice", *(f"Lane_invoice_{r}" for r in ("officer", "supervisor"))} <= shapes
    conditions = {f.get("id"): f.findtext(f"{B}conditionExpression") for f in root.iter(f"{B}sequenceFlow")}
    assert conditions["Flow_Yes"] == "approved" and conditions["Flow_No"] == "not approved"
    review = draft.forms["imported/invoice/Task_ReviewInvoice.schema.json"]
    assert review["properties"]["reviewOutcome"]["x-enum-titles"] == ["Pay later", "Reject"]  # Camunda's form
    assert review["required"] == ["clarified"]  # read by the next gateway
    todo = {n["element_id"]: n["code"] for n in draft.import_notes if n["todo"]}
    assert todo == {"Task_ApproveInvoice": "form_key", "Task_PrepareBankTransfer": "form_key",
                    "StartEvent_InvoiceReceived": "start_form"}
    messages = " ".join(n["message_en"] for n in draft.import_notes)
    assert "ArchiveInvoiceService" in messages and "P7D" in messages

    approvals = iter([False, True])  # sent to review once, clarified, then approved
    done = _run_to_end(world, draft_id, draft.examples,
                       choose=lambda task, _: {"approved": next(approvals)} if task.bpmn_id == "Task_ApproveInvoice"
                       else {})
    assert done == ["Task_AssignApprover", "Task_ApproveInvoice", "Task_ReviewInvoice", "Task_ApproveInvoice",
                    "Task_PrepareBankTransfer", "Task_ArchiveInvoice"]


def test_a_gateway_without_conditions_becomes_a_choice_of_the_task_before(world):
    path = next(p for p in A_SERIES if "bpmn.io" in p.name and "A.2.0" in p.name)
    result = importer.convert(path.read_bytes(), path.name)
    route = [n for n in result.notes if n.code == "route"]
    assert route and "Task 2" in route[0].message("en") and "Task 3" in route[0].message("en")
    draft_id = bpmn_import.import_draft(world.ctx, DESIGNER, {path.name: path.read_bytes()})
    examples = design.get_draft(world.ctx, DESIGNER, draft_id).examples

    names = {}
    for way in ("Task 2", "Task 3", "Task 4"):
        done = _run_to_end(world, draft_id, examples, service=f"งานทาง {way}",
                           choose=lambda task, data, way=way: {k: way for k in data if k.startswith("route_")})
        names[way] = done
    assert len({tuple(done) for done in names.values()}) == 3  # each choice took its own way to the end


def test_hostile_or_wrong_input_changes_nothing(world):
    ctx = world.ctx
    bomb = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p">&b;
</bpmn:process></bpmn:definitions>"""
    with ctx.uow(write=False) as uow:
        before = len(uow.session.scalars(select(DesignDraft.id)).all())
    with pytest.raises(BpmnInvalid):
        bpmn_import.import_draft(ctx, DESIGNER, {"bomb.bpmn": bomb})
    with pytest.raises(InvalidInput):
        bpmn_import.import_draft(ctx, DESIGNER, {"i.bpmn": INVOICE.read_bytes()}, {"demo": "superuser"})
    with pytest.raises(InvalidInput):
        bpmn_import.import_draft(ctx, DESIGNER, {})
    half = b"<!--" + b" " * (ctx.settings.bpmn_max_bytes // 2) + b"-->"  # each allowed, together too large
    many = {f"part{i}.bpmn": INVOICE.read_bytes() + half for i in range(3)}
    with pytest.raises(InvalidInput) as refused:
        bpmn_import.import_draft(ctx, DESIGNER, many)
    assert refused.value.details["field"] == "files_size"
    with ctx.uow(write=False) as uow:
        assert len(uow.session.scalars(select(DesignDraft.id)).all()) == before
