"""What the public and the counters add to the demo: citizens' answers to the satisfaction surveys,
served requests of two published services, and complaints about one of them."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from sqlalchemy import select

from engine.config import REPO_ROOT
from engine.models import Complaint
from engine.services import complaints as complaint_service
from engine.services import publication, records
from engine.services import surveys as survey_service

from .demo_clock import BKK, DAY, office_hours_ago, on


def surveys_of(st, fy: int, today: datetime) -> None:
    """The central office's satisfaction survey of last year (October after the year, seed 000) with
    citizens' answers, and this year's survey open now."""
    central = st.actors["central"]
    definition = json.loads((REPO_ROOT / "workflows" / "surveys" / "satisfaction.json").read_text(encoding="utf-8"))
    october = on(fy, 10, 1)
    last = survey_service.create(st.ctx, central, fy - 1, f"สำรวจความพึงพอใจ ปีงบประมาณ {fy - 1}", definition,
                                 october.date(), on(fy, 10, 31).date())
    survey_service.set_status(st.ctx, central, last, "open")
    rng = random.Random(fy)
    # (agency, service, answers, share of good answers): what the citizens said
    said = (("DLT", "การชำระภาษีรถประจำปี", 40, 0.9), ("DOPA", "การขอมีบัตรประจำตัวประชาชน", 30, 0.72),
            ("DBD", "การจดทะเบียนบริษัทจำกัด", 12, 0.5))
    for code, service, count, good in said:
        slug = publication.slug_of(service)
        for i in range(count):
            rating = (lambda: rng.choice((4, 5))) if rng.random() < good else (lambda: rng.choice((1, 2, 3)))
            answers = {q["id"]: str(rating()) for q in definition["questions"] if q["type"] == "scale"}
            answers["on_time"] = "yes" if rng.random() < good else "no"
            if i % 7 == 0:
                answers["suggestion"] = rng.choice(("ขอให้เพิ่มช่องบริการช่วงพักกลางวัน", "เจ้าหน้าที่ให้คำแนะนำดีมาก",
                                                    "ที่จอดรถไม่เพียงพอ", "อยากให้ชำระผ่านแอปได้ทุกรายการ"))
            with st.at(october + timedelta(days=i % 28, hours=i % 8)):
                survey_service.respond(st.ctx, code, slug, rng.choice(("public", "public", "business", "other")),
                                       answers, f"demo-{code}-{i}")
    survey_service.set_status(st.ctx, central, last, "closed")
    current = survey_service.create(st.ctx, central, fy, f"สำรวจความพึงพอใจ ปีงบประมาณ {fy}", definition,
                                    (today - timedelta(days=30)).astimezone(BKK).date(),
                                    (today + timedelta(days=60)).astimezone(BKK).date())
    survey_service.set_status(st.ctx, central, current, "open")


def service_records(st, fy: int, today: datetime) -> None:
    """Served requests of two published services since the start of last fiscal year: mostly within
    the promised 15 minutes, some not, a few with a quality defect."""
    rng = random.Random(fy * 7)
    header = ",".join(thai for _, thai in records.COLUMNS)
    for code, service, good in (("DLT", "การชำระภาษีรถประจำปี", 0.88), ("DOPA", "การขอมีบัตรประจำตัวประชาชน", 0.7)):
        lines, day = [header], on(fy - 1, 10, 1, 9).replace(tzinfo=None)
        n = 0
        while day < today.astimezone(BKK).replace(tzinfo=None) - timedelta(days=1):
            if day.weekday() < 5:
                for _ in range(rng.randint(3, 8)):
                    n += 1
                    start = day + timedelta(minutes=rng.randint(0, 400))
                    minutes = rng.randint(5, 15) if rng.random() < good else rng.randint(16, 45)
                    flag = "คำนวณผิดพลาด" if rng.random() < 0.02 else ""
                    lines.append(f"{code}-{n:06d},{start:%d/%m}/{start.year + 543} {start:%H:%M},"
                                 f"{(start + timedelta(minutes=minutes)):%d/%m}/{start.year + 543} "
                                 f"{(start + timedelta(minutes=minutes)):%H:%M},เสร็จสิ้น,"
                                 f"{rng.choice(('เคาน์เตอร์', 'ออนไลน์'))},{flag}")
            day += timedelta(days=1)
        report = records.import_file(st.ctx, st.actors[f"officer.{code.lower()}"], st.agencies[code], service,
                                     "demo.csv", ("\n".join(lines) + "\n").encode())
        if report.errors:
            raise RuntimeError(f"demo records refused: {report.errors[:3]}")


def complaints_of(st, fy: int, today: datetime) -> None:
    """Complaints about the car-tax service: one closed with an improvement, one answered, one overdue,
    one just in by telephone."""
    slug = publication.slug_of("การชำระภาษีรถประจำปี")
    said = [(60, "delay", "รอคิวนานเกินเวลาที่ประกาศ", "วันที่ไปใช้บริการรอคิวกว่า 1 ชั่วโมง", "close"),
            (25, "document", "ขอสำเนาเอกสารซ้ำ", "เจ้าหน้าที่ขอสำเนาทะเบียนรถทั้งที่มีในระบบแล้ว", "answer"),
            (40, "staff", "เจ้าหน้าที่ไม่ชี้แจงขั้นตอน", "ไม่ทราบว่าต้องไปชำระที่ช่องใด", None)]
    for days, category, subject, detail, until in said:
        moment = office_hours_ago(today, days, today - timedelta(days=days + 1))  # staff answer in office hours
        with st.at(moment):
            code = complaint_service.file_public(st.ctx, "DLT", slug, category, subject, detail,
                                                 name="ผู้ร้องเรียนตัวอย่าง", phone="0800000000")
        with st.ctx.uow(write=False) as uow:
            iid = uow.session.scalar(select(Complaint.instance_id).where(Complaint.code == code))
        st.do(moment + DAY / 4, iid, "assign_complaint", "supervisor.dlt",
              {"priority": "high" if category == "delay" else "normal", "category": category})
        if until:
            st.do(moment + 3 * DAY, iid, "answer_complaint", "officer.dlt",
                  {"answer": "ได้ปรับปรุงตามที่แจ้งแล้ว ขออภัยในความไม่สะดวก",
                   "improvement": "เพิ่มช่องบริการช่วงเช้า" if category == "delay" else "",
                   "notify_complainant": False})
        if until == "close":
            st.do(moment + 4 * DAY, iid, "close_complaint", "supervisor.dlt", {"decision": "close"})
    with st.at(office_hours_ago(today, 0, today - timedelta(days=1))):  # a call this morning
        complaint_service.file_by_staff(st.ctx, st.actors["officer.dlt"], st.agencies["DLT"],
                                        "การชำระภาษีรถประจำปี", "hotline", "suggestion", "ขอให้เปิดบริการวันเสาร์",
                                        "โทรแจ้งผ่านสายด่วน 1584")
