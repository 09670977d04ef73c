"""Diagram scripts run restricted and time-limited; a bad one leaves the instance where it was."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import ScriptError, ScriptTimeout
from engine.models import HumanTask, Instance
from engine.runtime import RestrictedEnvironment
from engine.services import deploy, inbox, instances, tasks
from tests.bpmn_factory import flow, simple, user_task
from tests.conftest import ADMIN, DESIGNER


def run(expr, mode="eval", timeout=0.5):
    env = RestrictedEnvironment({}, timeout=timeout)
    if mode == "eval":
        return env.evaluate(expr, {"x": 2})
    data = {"x": 2}
    env.execute(expr, data)
    return data


def test_plain_scripts_work():
    assert run("x * 21") == 42
    assert run("y = [i * x for i in range(3)]\ntotal = sum(y)\nt = 1\nt += x", "exec")["total"] == 6
    assert run("d = {'a': 1}\nd['b'] = 2\nn = len(d)", "exec")["n"] == 2


@pytest.mark.parametrize("source", [
    "import os",
    "__import__('os')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "getattr(x, '__class__')",
    "open('/etc/passwd').read()",
    "eval('1')",
])
def test_escapes_are_refused(source):
    with pytest.raises(Exception) as info:
        run(source)
    assert not isinstance(info.value, (SystemExit, KeyboardInterrupt))


def test_endless_loop_times_out():
    with pytest.raises(ScriptTimeout):
        run("while True:\n    pass", "exec", timeout=0.2)


def test_huge_power_refused():
    with pytest.raises(ScriptError):
        run("10 ** 10 ** 8")


def _script_process(script: str) -> bytes:
    body = (user_task("t1", "f_start", "f1") +
            f'<bpmn:scriptTask id="s1" name="calc"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
            f'<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>' + user_task("t2", "f2", "f_end"))
    return simple(body, "t1", "t2", {"officer": ["t1", "t2"]}, flow("f1", "t1", "s1") + flow("f2", "s1", "t2")).encode()


@pytest.mark.parametrize("script,error", [
    ("while True:\n    pass", ScriptTimeout),
    ("y = 1 / 0", ScriptError),
    ("y = unknown_name + 1", ScriptError),
])
def test_failing_script_leaves_instance_where_it_was(world, script, error):
    ctx = world.ctx
    ctx.runtime.script_engine.environment.timeout = 0.3
    deploy.deploy(ctx, {"s.bpmn": _script_process(script)}, DESIGNER)
    iid = instances.start(ctx, ADMIN, "p", world.agency_a, "บริการทดสอบ", 2569)
    officer = world.actor("officer.a")
    rows, _ = inbox.list_tasks(ctx, officer)
    task_id = next(r.id for r in rows if r.instance_id == iid)
    with ctx.uow(write=False) as uow:
        inst = uow.session.get(Instance, iid)
        before, row_version = inst.state, inst.row_version
    with pytest.raises((error, ScriptError)):
        tasks.submit(ctx, officer, task_id, {"decision": "approve"})
    with ctx.uow(write=False) as uow:
        inst = uow.session.get(Instance, iid)
        assert inst.state == before and inst.row_version == row_version
        task = uow.session.scalar(select(HumanTask).where(HumanTask.id == task_id))
        assert task.status == "open"
