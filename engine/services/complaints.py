"""Complaints, suggestions and compliments (seed 003 CS3): received from the public SLA page or entered
by the agency's staff for other channels; each runs the complaint workflow (its profile says which);
a due date from the agency's handling time in working days; the complainant follows it with a code
and may be answered by e-mail; personal data only for the agency's staff, removed after retention."""
from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from .. import audit, calendar_context, profiles
from ..actors import Actor
from ..context import Context
from ..errors import Forbidden, InvalidInput, NotFound
from ..fiscal import fiscal_year_of
from ..models import Agency, Complaint, MailOut, PublicSla, utcnow
from ..roles import ADMIN, AGENCY_ROLES

CATEGORIES = {"delay": "ล่าช้ากว่าที่ประกาศ", "staff": "การให้บริการของเจ้าหน้าที่", "document": "เอกสาร/หลักฐาน",
              "fee": "ค่าธรรมเนียม", "process": "ขั้นตอนการให้บริการ", "corruption": "การทุจริต/ประพฤติมิชอบ",
              "suggestion": "ข้อเสนอแนะ", "compliment": "คำชมเชย", "other": "อื่น ๆ"}
CHANNELS = {"web": "เว็บไซต์", "hotline": "สายด่วน", "letter": "หนังสือ", "walk_in": "มาด้วยตนเอง",
            "email": "อีเมล", "other": "อื่น ๆ"}
PRIORITIES = {"low": "ต่ำ", "normal": "ปกติ", "high": "สูง", "urgent": "เร่งด่วน"}
STATUSES = ("received", "assigned", "answered", "closed")
_EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]{1,190}\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^[0-9+\-() ]{6,32}$")


def _code() -> str:
    """A code the complainant keeps to follow the complaint (no 0/O or 1/I to misread)."""
    return "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))


def _clean(category: str, subject: str, detail: str, name: str, phone: str, email: str) -> dict:
    errors = []
    subject, detail = (subject or "").strip(), (detail or "").strip()
    name, phone, email = (name or "").strip(), (phone or "").strip(), (email or "").strip()
    if category not in CATEGORIES:
        errors.append("category")
    if not 3 <= len(subject) <= 300:
        errors.append("subject")
    if not 5 <= len(detail) <= 5000:
        errors.append("detail")
    if len(name) > 255:
        errors.append("name")
    if phone and not _PHONE.match(phone):
        errors.append("phone")
    if email and not _EMAIL.match(email):
        errors.append("email")
    if errors:
        raise InvalidInput("the complaint cannot be accepted", field=errors[0], errors=errors)
    return {"category": category, "subject": subject, "detail": detail, "name": name, "phone": phone,
            "email": email}


def _start(ctx: Context, s, agency_id: int, service_process: str, channel: str, data: dict,
           now: datetime) -> tuple[Complaint, str, datetime]:
    process = next((p for p in profiles.all_profiles() if p.handles_complaints), None)
    if process is None:
        raise NotFound("no complaint workflow is set up")
    cal = calendar_context.for_session(s, ctx.settings.timezone, agency_id)
    due_day = cal.calendar.add_working_days(now.astimezone(cal.tz).date(), ctx.settings.complaint_days)
    due = cal.end_of(due_day)
    complaint = Complaint(code=_code(), agency_id=agency_id, service_process=service_process[:255], channel=channel,
                          priority="normal", status="received", received_at=now, due_at=due, **data)
    s.add(complaint)
    s.flush()
    return complaint, process.process_id, due


def _launch(ctx: Context, complaint_id: int, process_id: str, due: datetime, fiscal_year: int) -> None:
    from . import instances

    with ctx.uow() as uow:
        complaint = uow.session.get(Complaint, complaint_id)
        agency_id, label = complaint.agency_id, f"เรื่องร้องเรียน {complaint.code}"
    iid = instances.start(ctx, Actor.system("complaints"), process_id, agency_id, label, fiscal_year,
                          data={"complaint_id": complaint_id, "complaint_due": due.isoformat()})
    with ctx.uow() as uow:
        uow.session.execute(update(Complaint).where(Complaint.id == complaint_id).values(instance_id=iid))
        uow.commit()


def file_public(ctx: Context, agency_code: str, slug: str, category: str, subject: str, detail: str, name: str = "",
                phone: str = "", email: str = "", now: datetime | None = None) -> str:
    """A complaint from a published SLA's page (anonymous unless the person gives contact details)."""
    now = now or utcnow()
    data = _clean(category, subject, detail, name, phone, email)
    with ctx.uow() as uow:
        s = uow.session
        page = s.execute(select(PublicSla.agency_id, PublicSla.service_process).join(
            Agency, Agency.id == PublicSla.agency_id).where(Agency.code == (agency_code or "")[:32],
                                                            PublicSla.slug == (slug or "")[:80],
                                                            PublicSla.status == "published")).first()
        if page is None:
            raise NotFound("no published SLA here")
        complaint, process_id, due = _start(ctx, s, page.agency_id, page.service_process, "web", data, now)
        audit.record(s, Actor.system("public"), "complaint.receive", agency_id=page.agency_id,
                     after={"complaint_id": complaint.id, "channel": "web", "category": data["category"]})
        complaint_id, code = complaint.id, complaint.code
        uow.commit()
    _launch(ctx, complaint_id, process_id, due, fiscal_year_of(now.date()))
    return code


def file_by_staff(ctx: Context, actor: Actor, agency_id: int, service_process: str, channel: str, category: str,
                  subject: str, detail: str, name: str = "", phone: str = "", email: str = "") -> str:
    """A complaint received by another channel (hotline, letter, walk-in, e-mail), entered by staff."""
    if not (actor.has(ADMIN) or (actor.roles & AGENCY_ROLES and actor.agency_id == agency_id)):
        raise Forbidden("only the agency's own staff enter its complaints")
    if channel not in CHANNELS:
        raise InvalidInput("unknown channel", field="channel", errors=["channel"])
    data = _clean(category, subject, detail, name, phone, email)
    now = utcnow()
    with ctx.uow() as uow:
        complaint, process_id, due = _start(ctx, uow.session, agency_id, service_process or "", channel, data, now)
        audit.record(uow.session, actor, "complaint.receive", agency_id=agency_id,
                     after={"complaint_id": complaint.id, "channel": channel, "category": category})
        complaint_id, code = complaint.id, complaint.code
        uow.commit()
    _launch(ctx, complaint_id, process_id, due, fiscal_year_of(now.date()))
    return code


def update_from_workflow(session, instance_id: int, status: str, data: dict, by: int | None, now: datetime,
                         base_url: str = "") -> None:
    """The complaint workflow moved on: its status, and what the step recorded (priority and category
    when assigned; the answer, the improvement and the e-mail to the complainant when answered)."""
    if status not in STATUSES:
        raise ValueError(f"unknown complaint status {status!r}")
    complaint = session.scalar(select(Complaint).where(Complaint.instance_id == instance_id))
    if complaint is None:
        return
    complaint.status = status
    if status == "assigned":
        complaint.priority = data.get("priority") if data.get("priority") in PRIORITIES else complaint.priority
        complaint.category = data.get("category") if data.get("category") in CATEGORIES else complaint.category
    elif status == "answered":
        complaint.answer, complaint.improvement = str(data.get("answer", ""))[:5000], str(
            data.get("improvement", ""))[:5000]
        complaint.answered_at, complaint.owner_id = now, by
        if data.get("notify_complainant") and complaint.email and not complaint.personal_removed_at:
            session.add(MailOut(to_address=complaint.email, subject=f"คำตอบเรื่องร้องเรียน {complaint.code}",
                                body=_answer_mail(complaint, base_url), next_attempt_at=now, created_at=now))
    elif status == "closed":
        complaint.closed_at = now


def _answer_mail(complaint: Complaint, base_url: str) -> str:
    follow = f"\n\nติดตามสถานะได้ที่ {base_url.rstrip('/')}/public/complaints?code={complaint.code}" if base_url else ""
    return (f"เรียน ผู้ร้องเรียน\n\nเรื่อง: {complaint.subject}\nรหัสติดตาม: {complaint.code}\n\n{complaint.answer}"
            f"{follow}\n\nด้วยความนับถือ")


@dataclass(frozen=True)
class Status:
    code: str
    status: str
    subject: str
    received_at: datetime
    due_at: datetime | None
    answered_at: datetime | None
    answer: str
    agency_name: str


def lookup(ctx: Context, code: str) -> Status:
    """What the complainant may see with the code: no personal data, nothing of other complaints."""
    code = (code or "").strip().upper()[:16]
    with ctx.uow(write=False) as uow:
        row = uow.session.execute(select(Complaint, Agency.name).join(Agency, Agency.id == Complaint.agency_id)
                                  .where(Complaint.code == code)).first() if len(code) == 10 else None
        if row is None:
            raise NotFound("no complaint with that code")
        c, agency = row
        return Status(c.code, c.status, c.subject, c.received_at, c.due_at, c.answered_at,
                      c.answer if c.status in ("answered", "closed") else "", agency)


def mask(text: str) -> str:
    return (text[:1] + "•" * max(0, len(text) - 2) + text[-1:]) if len(text) > 2 else "•" * len(text)


@dataclass
class Listing:
    rows: list[dict] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_service: list[tuple[str, int]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)
    overdue: int = 0


def for_agency(ctx: Context, actor: Actor, agency_id: int, now: datetime | None = None) -> Listing:
    """An agency's complaints with the analysis by category, service and month. Contact details are
    shown to the agency's own staff only, masked for everyone else."""
    now = now or utcnow()
    with ctx.uow(write=False) as uow:
        if uow.session.get(Agency, agency_id) is None or not actor.can_see_agency(agency_id):
            raise NotFound("agency not found")
        rows = list(uow.session.scalars(select(Complaint).where(Complaint.agency_id == agency_id)
                                        .order_by(Complaint.received_at.desc()).limit(500)))
    own = bool(actor.roles & AGENCY_ROLES) and actor.agency_id == agency_id
    out = Listing()
    months = defaultdict(int)
    for c in rows:
        late = c.status not in ("answered", "closed") and c.due_at is not None and c.due_at < now
        out.overdue += late
        months[c.received_at.strftime("%Y-%m")] += 1
        out.rows.append({"id": c.id, "code": c.code, "service": c.service_process, "channel": CHANNELS.get(c.channel),
                         "category": CATEGORIES.get(c.category), "priority": PRIORITIES.get(c.priority),
                         "subject": c.subject, "detail": c.detail, "status": c.status, "received_at": c.received_at,
                         "due_at": c.due_at, "answered_at": c.answered_at, "answer": c.answer,
                         "improvement": c.improvement, "late": late, "instance_id": c.instance_id,
                         "name": c.name if own else mask(c.name), "phone": c.phone if own else mask(c.phone),
                         "email": c.email if own else mask(c.email),
                         "raw_name": c.name, "raw_phone": c.phone, "raw_email": c.email})
    out.by_category = Counter(CATEGORIES.get(c.category, c.category) for c in rows).most_common()
    out.by_service = Counter(c.service_process or "–" for c in rows).most_common()
    out.by_month = sorted(months.items())
    return out


def purge_personal(ctx: Context, now: datetime | None = None) -> int:
    """Remove the contact details of complaints closed longer ago than the retention period."""
    now = now or utcnow()
    limit = now - timedelta(days=ctx.settings.complaint_retention_days)
    with ctx.uow() as uow:
        result = uow.session.execute(update(Complaint).where(
            Complaint.closed_at.is_not(None), Complaint.closed_at < limit, Complaint.personal_removed_at.is_(None))
            .values(name="", phone="", email="", personal_removed_at=now))
        if result.rowcount:
            audit.record(uow.session, Actor.system("retention"), "complaint.purge",
                         after={"complaints": result.rowcount, "closed_before": limit.isoformat()})
        uow.commit()
        return result.rowcount
