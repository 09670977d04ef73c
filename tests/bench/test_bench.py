"""Benchmarks (``make bench``): figures are printed, with ratios against a baseline from the same run."""
from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta, timezone

import pytest
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, insert, select, update

from engine.db import WRITE_OPTION
from engine.models import Agency, HumanTask, Instance
from engine.services import inbox, instances, tasks
from tests.bench.targets import check
from tests.conftest import ADMIN, REVIEW, SELECT_OK, STAGE1_OK, World, make_ctx

pytestmark = pytest.mark.bench
ROUNDS = 300


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def report(title, samples_ms):
    p50, p95 = statistics.median(samples_ms), pct(samples_ms, 0.95)
    print(f"  {title:<58} p50 {p50:8.3f} ms   p95 {p95:8.3f} ms   (n={len(samples_ms)})")
    return p50, p95


def _instances_at_stage1(world, count):
    """Instances of the full SLA lifecycle waiting at stage 1 (inside its call activity)."""
    from tests.workflows.test_sla_paths import deploy_all

    ctx = world.ctx
    deploy_all(ctx)
    officer = world.actor("officer.a")
    ids = []
    for i in range(count):
        iid = instances.start(ctx, ADMIN, "sla_lifecycle", world.agency_a, f"บริการที่ {i}", 2569)
        with ctx.uow(write=False) as uow:
            task_id = uow.session.scalar(select(HumanTask.id).where(HumanTask.instance_id == iid,
                                                                    HumanTask.status == "open"))
        tasks.submit(ctx, officer, task_id, SELECT_OK)  # select the process; stage 1 is next
        ids.append(iid)
    return ids


def test_submit_against_bare_spiffworkflow_cycle(tmp_path):
    ctx = make_ctx(tmp_path)  # a file SQLite database
    world = World(ctx)
    ids = _instances_at_stage1(world, 2 * ROUNDS)
    submitted, persisted = ids[:ROUNDS], ids[ROUNDS:]
    with ctx.uow(write=False) as uow:
        inst = uow.session.get(Instance, ids[0])
        state, version = inst.state, inst.version
        spec, subs = ctx.runtime.specs.get(version.id, version.spec_json)
        task_ids = {t.instance_id: t.id for t in uow.session.scalars(
            select(HumanTask).where(HumanTask.status == "open", HumanTask.bpmn_id == "stage1_targets"))}
    rt = ctx.runtime
    officer = world.actor("officer.a")
    table = Instance.__table__
    read_row = (select(table.c.state, table.c.row_version).where(table.c.id == bindparam("id"))
                .with_for_update())
    write_row = (update(table).where(table.c.id == bindparam("_id"))
                 .values(state=bindparam("state"), row_version=bindparam("row_version")))

    def run_stage1(wf):
        task = next(t for t in wf.get_tasks(manual=True, state=TaskState.READY)
                    if t.task_spec.bpmn_id == "stage1_targets")
        task.data.update(STAGE1_OK)
        task.run()
        wf.do_engine_steps()

    def bare_cycle():
        """The baseline: SpiffWorkflow alone, in memory."""
        t0 = time.perf_counter()
        wf = rt.load(state, spec, subs)
        run_stage1(wf)
        rt.dump(wf)
        return (time.perf_counter() - t0) * 1000

    def durable_cycle(iid):
        """The least a step that survives a crash costs: the bare cycle inside one write transaction that
        reads the instance's row and writes its new state (no validation, task rows, audit or notices)."""
        t0 = time.perf_counter()
        with ctx.db.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            row = conn.execute(read_row, {"id": iid}).one()
            wf = rt.load(row.state, spec, subs)
            run_stage1(wf)
            conn.execute(write_row, {"_id": iid, "state": rt.dump(wf), "row_version": row.row_version + 1})
        return (time.perf_counter() - t0) * 1000

    def submit(iid):
        """The engine's submit use case: load, validate, run, save, materialize tasks, audit, commit."""
        t0 = time.perf_counter()
        tasks.submit(ctx, officer, task_ids[iid], STAGE1_OK)
        return (time.perf_counter() - t0) * 1000

    # strictly alternated, so that all see the same machine: a burst of load on a shared machine
    # skews them alike, and none runs right after itself with its code and data still hot in the
    # processor's caches (SpiffWorkflow's own code runs ~25% faster the second time in a row)
    bare, durable, full = [], [], []
    for n, (iid, other) in enumerate(zip(submitted, persisted, strict=True)):
        turns = [(bare, bare_cycle, ()), (durable, durable_cycle, (other,)), (full, submit, (iid,))]
        for samples, measure, args in turns[n % 3:] + turns[:n % 3]:  # the order rotates
            samples.append(measure(*args))
    print(f"\nSLA lifecycle (6 diagrams), complete stage 1; state {len(state):,} bytes (file SQLite), "
          f"samples interleaved:")
    b50, b95 = report("bare SpiffWorkflow cycle (deserialize, run, serialize)", bare)
    d50, _ = report("durable cycle (+ read and write the row, commit)", durable)
    f50, f95 = report("engine submit use case (+validate, save, tasks, audit, commit)", full)
    print(f"  ratio durable/bare: p50 {d50 / b50:.2f}x (the floor of any submit that is kept)")
    print(f"  ratio submit/durable: p50 {f50 / d50:.2f}x")
    print(f"  ratio submit/bare: p95 {f95 / b95:.2f}x")
    check("ratio submit/bare, p50", f50 / b50, 1.5, "x")
    assert len(bare) == len(durable) == len(full) == ROUNDS


def seed_open_tasks(ctx, world, iid, total=100_000, mine=500):
    """``total`` open tasks across 200 agencies, ``mine`` of them in the officer's agency."""
    with ctx.uow() as uow:
        s = uow.session
        agencies = [Agency(code=f"G{i}", name=f"หน่วยงาน {i}", ministry="", province="", active=True)
                    for i in range(200)]
        s.add_all(agencies)
        uow.flush()
        version_id = s.get(Instance, iid).version_id
        definition_id = s.get(Instance, iid).definition_id
        now = datetime.now(timezone.utc)
        s.execute(insert(Instance), [dict(definition_id=definition_id, version_id=version_id, agency_id=a.id,
                                          service_process=f"บริการ {a.id}", fiscal_year=2569, status="running",
                                          state="{}", row_version=1, created_at=now, updated_at=now)
                                     for a in agencies])
        inst_ids = dict(s.execute(select(Instance.agency_id, Instance.id).where(Instance.id != iid)).all())
        rows = []
        for n in range(total - mine):
            agency = agencies[n % len(agencies)].id
            rows.append(dict(instance_id=inst_ids[agency], agency_id=agency, spiff_task_id=f"{n:036d}",
                             bpmn_id="stage1_targets", name="งาน", lane="เจ้าหน้าที่", role="officer", form="",
                             instructions="", status="open", created_at=now, due_at=now + timedelta(hours=n % 5000)))
        for n in range(mine - 1):  # plus the real one the instance has
            rows.append(dict(instance_id=iid, agency_id=world.agency_a, spiff_task_id=f"a{n:035d}",
                             bpmn_id="stage1_targets", name="งาน", lane="เจ้าหน้าที่", role="officer", form="",
                             instructions="", status="open", created_at=now, due_at=now + timedelta(hours=n)))
        s.execute(insert(HumanTask), rows)
        uow.commit()
    with ctx.db.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        return conn.exec_driver_sql("SELECT count(*) FROM human_task WHERE status = 'open'").scalar()


def test_task_list_query_at_100k_open_tasks(tmp_path):
    ctx = make_ctx(tmp_path)
    world = World(ctx)
    iid = instances.start(ctx, ADMIN, REVIEW, world.agency_a, "บริการหลัก", 2569)
    total = seed_open_tasks(ctx, world, iid)
    officer = world.actor("officer.a")
    samples = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        page, count = inbox.list_tasks(ctx, officer, limit=50)
        samples.append((time.perf_counter() - t0) * 1000)
    assert count == 500 and len(page) == 50
    print(f"\nTask list, first page of 50 for an officer with 500 tasks, {total:,} open tasks in the database:")
    p50, _ = report("list_tasks use case (count + page, one read transaction)", samples)
    check("task list p50", p50, 5, " ms")
    # the whole inbox page over HTTP (WSGI, logged in): query, counts, filter options, template
    from tests.web.conftest import login
    from web import create_app

    app = create_app(ctx=ctx)
    client = app.test_client()
    login(client, "officer.a", "password-123")
    pages = []
    for _ in range(100):
        t0 = time.perf_counter()
        response = client.get("/")
        pages.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    report("inbox page GET / (HTML, nav counts, filter options)", pages)


def test_submit_over_http_against_the_use_case(tmp_path):
    from tests.web.conftest import csrf_token, login
    from web import create_app

    ctx = make_ctx(tmp_path)
    world = World(ctx)
    ids = _instances_at_stage1(world, 2 * (ROUNDS // 2))
    officer = world.actor("officer.a")
    with ctx.uow(write=False) as uow:
        task_ids = {t.instance_id: t.id for t in uow.session.scalars(
            select(HumanTask).where(HumanTask.status == "open", HumanTask.bpmn_id == "stage1_targets"))}
    app = create_app(ctx=ctx)
    client = app.test_client()
    login(client, "officer.a", "password-123")
    headers = {"X-CSRFToken": csrf_token(client, "/notifications"), "Accept": "application/json"}
    engine_ms, http_ms = [], []
    for i, iid in enumerate(ids):  # interleaved, so both see the same machine and database size
        t0 = time.perf_counter()
        if i % 2:
            response = client.post(f"/tasks/{task_ids[iid]}/submit", json=STAGE1_OK, headers=headers)
            http_ms.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)
        else:
            tasks.submit(ctx, officer, task_ids[iid], STAGE1_OK)
            engine_ms.append((time.perf_counter() - t0) * 1000)
    print("\nSubmit stage 1 of the SLA lifecycle, file SQLite:")
    e50, _ = report("engine submit use case", engine_ms)
    h50, _ = report("POST /tasks/<id>/submit (JSON, CSRF, login, WSGI)", http_ms)
    check("ratio HTTP/use case, p50", h50 / e50, 1.5, "x")


def test_submit_does_not_grow_with_the_age_of_an_instance(tmp_path):
    """An instance sent back 50 times costs what a fresh one costs to submit and to store."""
    ctx = make_ctx(tmp_path)
    ctx.settings = ctx.settings.replace(revision_cap=1000)
    world = World(ctx)
    count = 60
    ids = _instances_at_stage1(world, 2 * count)
    fresh, aged = ids[:count], ids[count:]
    officer, supervisor = world.actor("officer.a"), world.actor("supervisor.a")
    send_back = {"decision": "send_back", "comment": "แก้ไขตามข้อเสนอแนะ"}

    def open_task(iid, bpmn_id):
        with ctx.uow(write=False) as uow:
            return uow.session.scalar(select(HumanTask.id).where(
                HumanTask.instance_id == iid, HumanTask.bpmn_id == bpmn_id, HumanTask.status == "open"))

    def round_ms(iid):
        """One send-back round: the officer submits stage 1, the supervisor sends it back."""
        t0 = time.perf_counter()
        tasks.submit(ctx, officer, open_task(iid, "stage1_targets"), STAGE1_OK)
        tasks.submit(ctx, supervisor, open_task(iid, "review_stage1"), send_back)
        return (time.perf_counter() - t0) * 1000

    for iid in aged:
        for _ in range(50):
            round_ms(iid)

    def state_size(iid):
        with ctx.uow(write=False) as uow:
            return len(uow.session.get(Instance, iid).state)

    fresh_ms, aged_ms = [], []
    for i, (a, b) in enumerate(zip(fresh, aged, strict=True)):  # interleaved, the order rotated
        if i % 2:
            aged_ms.append(round_ms(b))
            fresh_ms.append(round_ms(a))
        else:
            fresh_ms.append(round_ms(a))
            aged_ms.append(round_ms(b))
    print("\nOne send-back round (submit + review) on a fresh instance and on one sent back 50 times:")
    f50, f95 = report("fresh instance", fresh_ms)
    a50, a95 = report("after 50 send-backs", aged_ms)
    sizes = statistics.median(state_size(i) for i in fresh), statistics.median(state_size(i) for i in aged)
    print(f"  state {sizes[0]:,.0f} bytes fresh, {sizes[1]:,.0f} bytes after 50 send-backs; p95 {a95 / f95:.2f}x")
    check("ratio aged/fresh round, p50", a50 / f50, 1.5, "x")
    check("ratio aged/fresh state size", sizes[1] / sizes[0], 1.5, "x")
