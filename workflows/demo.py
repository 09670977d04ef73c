"""Demo data: agencies in an organisation tree, a user for every role, and workflows at every stage of
the last fiscal year and this one, dated relative to today. The history is made by the real use
cases, each run at its moment in the past (the clock is moved while it runs), so deadlines,
lateness, notifications and scores are exactly what the product makes of them."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from engine.actors import Actor
from engine.config import REPO_ROOT
from engine.context import Context
from engine.fiscal import fiscal_year_of
from engine.models import HumanTask, User, utcnow
from engine.passwords import hash_password
from engine.services import (
    accounts,
    deploy,
    files,
    instances,
    kickoff,
    scoring,
    tasks,
    timers,
)
from workflows import demo_agencies, demo_services
from workflows.demo_citizens import complaints_of, service_records, surveys_of
from workflows.demo_clock import BKK, DAY, at, office_hours_ago, on
from workflows.demo_files import evidence

DEMO_PASSWORD = "slaflow-demo"  # noqa: S105 - published demo password, demo data only

#: (code, name, ministry, province, region, parent code or None)
AGENCIES = [
    ("DLT", "กรมการขนส่งทางบก", "กระทรวงคมนาคม", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None),
    ("DLT-BKK1", "สำนักงานขนส่งกรุงเทพมหานครพื้นที่ 1", "กระทรวงคมนาคม", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", "DLT"),
    ("DLT-CM", "สำนักงานขนส่งจังหวัดเชียงใหม่", "กระทรวงคมนาคม", "เชียงใหม่", "ภาคเหนือ", "DLT"),
    ("DOPA", "กรมการปกครอง", "กระทรวงมหาดไทย", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None),
    ("DOL", "กรมที่ดิน", "กระทรวงมหาดไทย", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล", None),
    ("DBD", "กรมพัฒนาธุรกิจการค้า", "กระทรวงพาณิชย์", "นนทบุรี", "กรุงเทพและปริมณฑล", None),
    ("CMPHO", "สำนักงานสาธารณสุขจังหวัดเชียงใหม่", "กระทรวงสาธารณสุข", "เชียงใหม่", "ภาคเหนือ", None),
]

#: every demo agency, the hand-written ones first
ROSTER = [*AGENCIES, *(agency[:6] for agency in demo_agencies.AGENCIES)]

#: (username, display name, roles, agency code or None)
USERS = [
    ("admin", "ผู้ดูแลระบบ", ["admin"], None),
    ("designer", "นักออกแบบกระบวนการ", ["designer"], None),
    ("central", "เจ้าหน้าที่สำนักงาน ก.พ.ร.", ["central"], None),
    ("officer.dlt", "สมชาย ใจดี (เจ้าหน้าที่ ขบ.)", ["officer"], "DLT"),
    ("supervisor.dlt", "สมหญิง รักงาน (ผู้บังคับบัญชา ขบ.)", ["supervisor"], "DLT"),
    ("head.dlt", "อธิบดีกรมการขนส่งทางบก", ["head"], "DLT"),
    ("evaluator.dlt", "กลุ่มพัฒนาระบบบริหาร กรมการขนส่งทางบก", ["evaluator"], "DLT"),
    ("officer.dlt-cm", "จันทร์เพ็ญ ดอยคำ (เจ้าหน้าที่ ขนส่งเชียงใหม่)", ["officer"], "DLT-CM"),
    ("supervisor.dlt-cm", "ศักดิ์ชัย ล้านนา (ผู้บังคับบัญชา ขนส่งเชียงใหม่)", ["supervisor"], "DLT-CM"),
    ("officer.dlt-bkk1", "ปิยะ เมืองหลวง (เจ้าหน้าที่ ขนส่งพื้นที่ 1)", ["officer"], "DLT-BKK1"),
    ("supervisor.dlt-bkk1", "วรรณา ศรีนคร (ผู้บังคับบัญชา ขนส่งพื้นที่ 1)", ["supervisor"], "DLT-BKK1"),
    ("officer.dopa", "วิชัย มั่นคง (เจ้าหน้าที่ ปค.)", ["officer"], "DOPA"),
    ("supervisor.dopa", "มาลี ศรีสุข (ผู้บังคับบัญชา ปค.)", ["supervisor"], "DOPA"),
    ("officer.dol", "ธนา ที่ดินงาม (เจ้าหน้าที่ ทด.)", ["officer"], "DOL"),
    ("supervisor.dol", "รัตนา โฉนดดี (ผู้บังคับบัญชา ทด.)", ["supervisor"], "DOL"),
    ("officer.dbd", "กมล ค้าขาย (เจ้าหน้าที่ พค.)", ["officer"], "DBD"),
    ("supervisor.dbd", "สุนีย์ ธุรกิจ (ผู้บังคับบัญชา พค.)", ["supervisor"], "DBD"),
    ("officer.cmpho", "อรุณ แสงทอง (เจ้าหน้าที่ สสจ.เชียงใหม่)", ["officer"], "CMPHO"),
    ("supervisor.cmpho", "ประภา ดวงดี (ผู้บังคับบัญชา สสจ.เชียงใหม่)", ["supervisor"], "CMPHO"),
]

SLA = "sla_lifecycle"
UNIT_KPI = "kpi_process_2566"
STANDARD = "service_standard"


def has_data(ctx: Context) -> bool:
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(User.id).limit(1)) is not None


def _example(form: str) -> dict:
    return json.loads((REPO_ROOT / "forms" / f"{form}.example.json").read_text(encoding="utf-8"))


class Story:
    """Runs use cases as the demo users at chosen moments (with the scheduler's sweep at each)."""

    def __init__(self, ctx: Context, actors: dict[str, Actor], agencies: dict[str, int]):
        self.ctx, self.actors, self.agencies = ctx, actors, agencies

    def at(self, moment: datetime):
        return at(moment)

    def sweep(self, moment: datetime) -> None:
        with self.at(moment):
            timers.sweep(self.ctx)

    def start(self, moment: datetime, process: str, agency: str, service: str, fy: int) -> int:
        with self.at(moment):
            timers.sweep(self.ctx)
            return instances.start(self.ctx, Actor.system("demo"), process, self.agencies[agency], service, fy)

    def _with_files(self, who: str, iid: int, data):
        if isinstance(data, dict):
            if "file_id" in data:
                name = data.get("name") or "หลักฐาน.pdf"
                body = evidence("jpg" if name.endswith(".jpg") else "pdf")
                return {"file_id": files.upload(self.ctx, self.actors[who], iid, name, body), "name": name}
            return {k: self._with_files(who, iid, v) for k, v in data.items()}
        if isinstance(data, list):
            return [self._with_files(who, iid, v) for v in data]
        return data

    def do(self, moment: datetime, iid: int, bpmn_id: str, who: str, data: dict | None = None,
           form: str | None = None, changes: dict | None = None) -> None:
        with self.at(moment):
            timers.sweep(self.ctx)
            with self.ctx.uow(write=False) as uow:
                task_id = uow.session.scalar(select(HumanTask.id).where(
                    HumanTask.instance_id == iid, HumanTask.bpmn_id == bpmn_id, HumanTask.status == "open"))
            if task_id is None:
                raise RuntimeError(f"demo: {bpmn_id} is not open in instance {iid}")
            payload = data
            if payload is None:  # the form's example with ``changes``; a change to None drops the field
                merged = {k: v for k, v in dict(_example(form), **(changes or {})).items() if v is not None}
                payload = self._with_files(who, iid, merged)
            tasks.submit(self.ctx, self.actors[who], task_id, payload)

    def draft(self, moment: datetime, iid: int, bpmn_id: str, who: str, data: dict) -> None:
        with self.at(moment):
            with self.ctx.uow(write=False) as uow:
                task_id = uow.session.scalar(select(HumanTask.id).where(
                    HumanTask.instance_id == iid, HumanTask.bpmn_id == bpmn_id, HumanTask.status == "open"))
            tasks.save_draft(self.ctx, self.actors[who], task_id, data)

    def review(self, moment: datetime, iid: int, bpmn_id: str, who: str, decision: str = "approve",
               comment: str = "") -> None:
        self.do(moment, iid, bpmn_id, who, {"decision": decision, **({"comment": comment} if comment else {})})





def _sla_through_stage2(st: Story, iid: int, agency: str, fy: int, months=((10, 8), (11, 10), (11, 20))) -> None:
    """Process selected, stage 1 approved, stage 4 approved, stage 2 (plan and SLA) approved."""
    stage1, stage4, stage2 = (on(fy, m, d) for m, d in months)
    officer, supervisor = f"officer.{agency.lower()}", f"supervisor.{agency.lower()}"
    service = _service_of(st, iid)
    st.do(stage1, iid, "select_process", officer, form="sla/select_process",
          changes=demo_services.select_changes(service))
    st.do(stage1 + DAY / 4, iid, "stage1_targets", officer, form="sla/stage1",
          changes=demo_services.stage1_changes(service))
    st.review(stage1 + 2 * DAY, iid, "review_stage1", supervisor)
    st.do(stage4, iid, "change_management", officer, form="sla/change_management",
          changes=demo_services.change_changes(service, fy))
    st.review(stage4 + DAY, iid, "review_stage4", supervisor)
    st.do(stage2, iid, "stage2_sla", officer, form="sla/stage2", changes=demo_services.stage2_changes(service, fy))
    st.review(stage2 + 2 * DAY, iid, "review_stage2", supervisor)


def _service_of(st: Story, iid: int) -> str:
    from engine.models import Instance

    with st.ctx.uow(write=False) as uow:
        return uow.session.get(Instance, iid).service_process


def _report(st: Story, iid: int, agency: str, months: int, sent: datetime, approved: datetime,
            success: int = 90) -> None:
    officer, supervisor = f"officer.{agency.lower()}", f"supervisor.{agency.lower()}"
    form = "sla/report_12m" if months == 12 else "sla/report"
    st.do(sent, iid, f"report_{months}m", officer, form=form,
          changes=demo_services.report_changes(_service_of(st, iid), success))
    st.review(approved, iid, f"review_report{months}", supervisor)


def last_year(st: Story, fy: int) -> None:
    """FY N-1: an exemplary agency, one whose 12-month report left late, one stuck in stage 3 with the
    6-month report overdue, one stuck in stage 1; a unit's process-improvement KPI with a late round;
    the department's service standard in its units."""
    dlt = st.start(on(fy, 10, 6), SLA, "DLT", "การชำระภาษีรถประจำปี", fy)
    _sla_through_stage2(st, dlt, "DLT", fy)
    st.do(on(fy, 12, 15), dlt, "publish_sla", "officer.dlt", form="sla/publish",
          changes={"published_on": on(fy, 12, 15).date().isoformat()})
    st.review(on(fy, 12, 15) + DAY / 4, dlt, "review_publish", "supervisor.dlt")
    _report(st, dlt, "DLT", 6, on(fy, 3, 20), on(fy, 3, 24), 80)
    _report(st, dlt, "DLT", 9, on(fy, 6, 18), on(fy, 6, 22), 90)
    _report(st, dlt, "DLT", 12, on(fy, 9, 15), on(fy, 9, 22), 100)
    st.do(on(fy + 1, 10, 28), dlt, "central_evaluation", "central",
          {"milestone_level": 5, "success_percent": 92, "satisfaction_percent": 86,
           "comment": "ดำเนินการครบทุกขั้นตอนตามกำหนด"})

    dopa = st.start(on(fy, 10, 6), SLA, "DOPA", "การขอมีบัตรประจำตัวประชาชน", fy)
    _sla_through_stage2(st, dopa, "DOPA", fy, months=((10, 12), (12, 3), (12, 10)))
    st.do(on(fy, 1, 20), dopa, "publish_sla", "officer.dopa", form="sla/publish",
          changes=demo_services.publish_changes("การขอมีบัตรประจำตัวประชาชน", on(fy, 1, 20).date()))
    st.review(on(fy, 1, 20) + DAY / 4, dopa, "review_publish", "supervisor.dopa")
    _report(st, dopa, "DOPA", 6, on(fy, 3, 25), on(fy, 3, 30), 70)
    _report(st, dopa, "DOPA", 9, on(fy, 6, 25), on(fy, 6, 29), 75)
    # the 12-month report is sent back once and leaves the agency 8 days after its due date
    st.do(on(fy + 1, 10, 3), dopa, "report_12m", "officer.dopa", form="sla/report_12m",
          changes=demo_services.report_changes("การขอมีบัตรประจำตัวประชาชน", 78))
    st.review(on(fy + 1, 10, 5), dopa, "review_report12", "supervisor.dopa", "send_back",
              "แนบหลักฐานการอบรมเจ้าหน้าที่ให้ครบ")
    _report(st, dopa, "DOPA", 12, on(fy + 1, 10, 7), on(fy + 1, 10, 8), 78)

    dbd = st.start(on(fy, 10, 6), SLA, "DBD", "การจดทะเบียนบริษัทจำกัด", fy)
    _sla_through_stage2(st, dbd, "DBD", fy, months=((11, 3), (12, 12), (1, 12)))
    st.do(on(fy, 2, 10), dbd, "publish_sla", "officer.dbd", form="sla/publish",
          changes=demo_services.publish_changes("การจดทะเบียนบริษัทจำกัด", on(fy, 2, 10).date()))
    st.review(on(fy, 2, 10) + DAY / 4, dbd, "review_publish", "supervisor.dbd")
    st.sweep(on(fy, 3, 2))  # the 6-month round opens; nobody reports

    dol = st.start(on(fy, 10, 6), SLA, "DOL", "การจดทะเบียนสิทธิและนิติกรรม", fy)
    st.do(on(fy, 10, 20), dol, "select_process", "officer.dol", form="sla/select_process",
          changes=demo_services.select_changes("การจดทะเบียนสิทธิและนิติกรรม"))
    st.do(on(fy, 12, 1), dol, "stage1_targets", "officer.dol", form="sla/stage1",
          changes=demo_services.stage1_changes("การจดทะเบียนสิทธิและนิติกรรม"))
    st.review(on(fy, 12, 8), dol, "review_stage1", "supervisor.dol", "send_back",
              "ค่าเป้าหมายยังไม่สอดคล้องกับปัญหาที่ระบุ")
    st.do(on(fy, 2, 2), dol, "stage1_targets", "officer.dol", form="sla/stage1",
          changes=demo_services.stage1_changes("การจดทะเบียนสิทธิและนิติกรรม"))
    st.review(on(fy, 2, 9), dol, "review_stage1", "supervisor.dol", "send_back",
              "ยังขาดการวิเคราะห์ด้านค่าใช้จ่าย")

    unit = st.start(on(fy, 10, 6), UNIT_KPI, "DLT-CM", "การต่ออายุใบอนุญาตขับรถ", fy)
    st.do(on(fy, 4, 13), unit, "round1_report", "officer.dlt-cm", form="kpi_2566/round1")
    st.review(on(fy, 4, 13, 15), unit, "review_round1", "supervisor.dlt-cm")  # 3 days late
    st.do(on(fy + 1, 10, 1), unit, "round2_report", "officer.dlt-cm", form="kpi_2566/round2")
    st.review(on(fy + 1, 10, 2), unit, "review_round2", "supervisor.dlt-cm")
    st.do(on(fy + 1, 10, 20), unit, "kpi_assessment", "evaluator.dlt",
          {"round1_level": 5, "round2_level": 3, "comment": "มีผังกระบวนการ คู่มือ และการอบรมครบ"})

    # the department's service standard (seed 002) in its two units: one Best practice, one Standard
    for unit_code, scores in (("DLT-CM", [4.6] * 10), ("DLT-BKK1", [4.2, 3.8, 3.5, 4.0, 3.6, 3.9, 4.1, 3.2, 3.7, 4.0])):
        who = unit_code.lower()
        std = st.start(on(fy, 10, 6), STANDARD, unit_code, "มาตรฐานการให้บริการของหน่วยงาน", fy)
        for months, (month, day) in ((6, (4, 8)), (9, (7, 8)), (12, (10, 6))):
            moment = on(fy + (1 if months == 12 else 0), month, day)
            st.do(moment, std, f"std_report_{months}", f"officer.{who}",
                  form="standard/report_12m" if months == 12 else "standard/report")
            st.review(moment + DAY / 4, std, f"review_std{months}", f"supervisor.{who}")
        st.do(on(fy + 1, 10, 25), std, "std_assessment", "evaluator.dlt",
              {**{f"kpi{n}": v for n, v in enumerate(scores, start=1)}, "comment": "ประเมินจากรายงานและหลักฐาน"})


def kickoff_of(st: Story, fy: int, today: datetime) -> None:
    """The central office starts this year's SLA workflow for a ministry's agencies in one action: those
    already under way are skipped."""
    with st.at(office_hours_ago(today, 40, min(on(fy, 10, 7), today))):
        kickoff.queue(st.ctx, st.actors["central"], SLA, fy, "กระบวนงานที่จะปรับปรุง", ministry="กระทรวงแรงงาน")
        kickoff.run_queued(st.ctx)


def this_year(st: Story, fy: int, today: datetime) -> None:
    """FY N, up to today: agencies at each of the first stages (the calendar's first due date, forms
    A–E, comes in January)."""
    start = min(on(fy, 10, 6), today)

    def ago(days: int) -> datetime:
        return office_hours_ago(today, days, start)

    # group 1, keeping last year's SLA: straight to publication and stage 4
    dlt = st.start(start, SLA, "DLT", "การชำระภาษีรถประจำปี", fy)
    st.do(ago(40), dlt, "select_process", "officer.dlt", form="sla/select_process",
          changes={"process_name": "การชำระภาษีรถประจำปี", "revise_sla": False})
    st.do(ago(30), dlt, "publish_sla", "officer.dlt", form="sla/publish",
          changes={"published_on": ago(30).date().isoformat()})
    st.review(ago(30) + DAY / 4, dlt, "review_publish", "supervisor.dlt")
    st.draft(ago(2), dlt, "change_management", "officer.dlt",
             {"stakeholders": [{"group": "ผู้ใช้แอปพลิเคชัน", "how": "ประกาศในแอปพลิเคชัน", "done": False}]})
    st.start(ago(20), SLA, "DLT", "การขอรับใบอนุญาตขับรถ", fy)  # group 2, waiting for its first step

    # group 1, revising stages 1–2 this year: stage 1 waits for the supervisor
    dopa = st.start(start, SLA, "DOPA", "การขอมีบัตรประจำตัวประชาชน", fy)
    st.do(ago(45), dopa, "select_process", "officer.dopa", form="sla/select_process",
          changes={**demo_services.select_changes("การขอมีบัตรประจำตัวประชาชน"), "revise_sla": True})
    st.do(ago(35), dopa, "stage1_targets", "officer.dopa", form="sla/stage1",
          changes=demo_services.stage1_changes("การขอมีบัตรประจำตัวประชาชน"))

    st.start(ago(3), SLA, "CMPHO", "การขออนุญาตผลิตอาหาร", fy)
    st.start(ago(50), UNIT_KPI, "DLT-BKK1", "การจดทะเบียนรถใหม่", fy)
    st.start(ago(50), UNIT_KPI, "DLT-CM", "การต่ออายุใบอนุญาตขับรถ", fy)
    for unit_code in ("DLT-CM", "DLT-BKK1"):
        st.start(ago(55), STANDARD, unit_code, "มาตรฐานการให้บริการของหน่วยงาน", fy)


def load(ctx: Context, today: datetime | None = None) -> list[tuple[str, str]]:
    """Load the demo data; return (username, password) pairs to show. Does nothing if users exist."""
    if has_data(ctx):
        return []
    today = today or utcnow()
    fy = fiscal_year_of(today.astimezone(BKK).date())
    scoring.install_shipped(ctx)
    admin = Actor.system("demo")
    codes: dict[str, int] = {}
    user_ids = {}
    password_hash = hash_password(DEMO_PASSWORD)  # one slow hash for every demo account
    with at(on(fy - 2, 9, 1)):  # a month before last fiscal year began, the agencies, people, diagrams
        for code, name, ministry, province, region, parent in ROSTER:
            codes[code] = accounts.create_agency(ctx, admin, code, name, ministry, province, region,
                                                 parent_id=codes.get(parent), kind="unit" if parent else "department")
        for username, display, roles, agency in [*USERS, *demo_agencies.users()]:
            user_ids[username] = accounts.create_user(ctx, admin, username, "", display, roles, codes.get(agency),
                                                      email=f"{username}@example.go.th", password_hash=password_hash)
        designer = Actor(None, "demo", None, frozenset({"designer"}))
        for files_ in deploy.folder_bundles(ctx.settings.bpmn_dir).values():
            deploy.deploy(ctx, files_, designer, note="ติดตั้งพร้อมข้อมูลตัวอย่าง")
    actors = {name: accounts.load_session_user(ctx, uid)[0] for name, uid in user_ids.items()}
    central = actors["central"]
    for year in (fy - 1, fy):  # the central office publishes each year's schemes
        scoring.copy_schemes(ctx, central, 2558, year)
        scoring.copy_schemes(ctx, central, 2566, year)
    story = Story(ctx, actors, codes)
    last_year(story, fy - 1)
    this_year(story, fy, today)
    demo_agencies.run(story, fy, today, _sla_through_stage2, _report, SLA)
    kickoff_of(story, fy, today)
    surveys_of(story, fy, today)
    service_records(story, fy, today)
    complaints_of(story, fy, today)
    story.sweep(today)
    for year in (fy - 1, fy):
        scoring.recompute(ctx, central, year, now=today)
    return [(u, DEMO_PASSWORD) for u, *_ in USERS]

