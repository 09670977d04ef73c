"""Complaints (seed 003 CS3): from the public page or by staff, each runs the complaint workflow with a
due date in working days; assigned, answered (the complainant e-mailed), closed; followed with a code;
contact details only for the agency's staff, removed after the retention period."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import Forbidden, InvalidInput, NotFound
from engine.models import Complaint, MailOut
from engine.services import complaints, publication
from tests.published import SERVICE, publish_car_tax
from tests.workflows.walker import Walker

UTC = timezone.utc
MON = datetime(2026, 11, 2, 3, tzinfo=UTC)  # Monday 2 November 2026, 10:00 in Bangkok


@pytest.fixture
def page(world):
    publish_car_tax(world, MON)
    return world


def _complaint(world, code):
    with world.ctx.uow(write=False) as uow:
        return uow.session.scalar(select(Complaint).where(Complaint.code == code))


def test_a_public_complaint_runs_its_workflow_to_the_answer(page):
    world = page
    slug = publication.slug_of(SERVICE)
    with time_machine.travel(MON, tick=False):
        code = complaints.file_public(world.ctx, "A", slug, "delay", "รอนานเกินกำหนด", "รอคิวนานกว่า 1 ชั่วโมง",
                                      name="สมศรี", phone="081-234-5678", email="somsri@example.com")
    c = _complaint(world, code)
    # due in 15 working days from Monday 2 November: Monday 23 November 23:59 Bangkok
    assert c.status == "received" and c.due_at == datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC)
    assert complaints.lookup(world.ctx, code.lower()).status == "received"
    w = Walker(world, c.instance_id)
    with time_machine.travel(MON + timedelta(hours=1), tick=False):
        w.do("assign_complaint", "supervisor.a", {"priority": "high", "category": "delay", "note": "ด่วน"})
        assert _complaint(world, code).status == "assigned" and _complaint(world, code).priority == "high"
        task = w.open_tasks()["answer_complaint"]
        assert task.due_at == c.due_at  # the task is due when the complaint is
        w.do("answer_complaint", "officer.a", form="complaint/answer")
        answered = _complaint(world, code)
        assert answered.status == "answered" and answered.owner_id == world.actor("officer.a").user_id
        w.do("close_complaint", "supervisor.a", {"decision": "reopen", "comment": "ระบุวันที่ปรับปรุงด้วย"})
        assert set(w.open_tasks()) == {"answer_complaint"}
        w.do("answer_complaint", "officer.a", form="complaint/answer")
        w.do("close_complaint", "supervisor.a", {"decision": "close"})
    done = _complaint(world, code)
    assert done.status == "closed" and done.closed_at is not None and w.status() == "completed"
    status = complaints.lookup(world.ctx, code)
    assert status.answer.startswith("ได้ปรับเพิ่มเจ้าหน้าที่") and not hasattr(status, "phone")
    with world.ctx.uow(write=False) as uow:
        mails = uow.session.scalars(select(MailOut)).all()
    assert [m.to_address for m in mails] == ["somsri@example.com"] * 2 and code in mails[0].subject
    # the analysis; contact details for the agency's own staff only
    own = complaints.for_agency(world.ctx, world.actor("officer.a"), world.agency_a)
    assert own.rows[0]["phone"] == "081-234-5678" and own.by_category == [("ล่าช้ากว่าที่ประกาศ", 1)]
    central = complaints.for_agency(world.ctx, world.actor("central"), world.agency_a)
    assert central.rows[0]["phone"] != "081-234-5678" and "•" in central.rows[0]["name"]
    with pytest.raises(NotFound):
        complaints.for_agency(world.ctx, world.actor("officer.b"), world.agency_a)
    # after the retention period the contact details are gone
    assert complaints.purge_personal(world.ctx, now=done.closed_at + timedelta(days=731)) == 1
    gone = _complaint(world, code)
    assert (gone.name, gone.phone, gone.email) == ("", "", "") and gone.personal_removed_at is not None


def test_staff_enter_complaints_from_other_channels_and_bad_input_is_refused(page):
    world = page
    with time_machine.travel(MON, tick=False):
        code = complaints.file_by_staff(world.ctx, world.actor("officer.a"), world.agency_a, SERVICE, "hotline",
                                        "staff", "เจ้าหน้าที่ไม่สุภาพ", "โทรแจ้งผ่านสายด่วน 1584")
        assert _complaint(world, code).channel == "hotline"
        with pytest.raises(Forbidden):
            complaints.file_by_staff(world.ctx, world.actor("officer.b"), world.agency_a, SERVICE, "hotline",
                                     "staff", "เรื่อง", "รายละเอียดเรื่อง")
        for bad in (dict(category="alien"), dict(subject="x"), dict(detail=""), dict(email="not-an-email"),
                    dict(phone="<script>")):
            args = dict(category="delay", subject="เรื่องที่ร้องเรียน", detail="รายละเอียดเรื่อง") | bad
            with pytest.raises(InvalidInput):
                complaints.file_public(world.ctx, "A", publication.slug_of(SERVICE), **args)
        with pytest.raises(NotFound):
            complaints.file_public(world.ctx, "B", publication.slug_of(SERVICE), "delay", "เรื่อง", "รายละเอียด")
    with pytest.raises(NotFound):
        complaints.lookup(world.ctx, "NOTACODE00")
