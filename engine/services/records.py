"""Service records: the requests an agency served for each service process, imported from a file (CSV
or Excel from the template), logged at the counter, or sent by another system; their time in the
SLA's own unit; and the monthly figures (volume, median and 90th-percentile time, % within the SLA,
quality defects) kept in summary rows as records arrive."""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert, select, update

from .. import audit, calendar_context
from ..actors import Actor
from ..context import Context
from ..errors import Forbidden, InvalidInput, NotFound
from ..fiscal import BE_OFFSET
from ..models import Agency, Instance, PublicSla, PublicSlaVersion, ServiceMonth, ServiceRecord, utcnow
from ..roles import ADMIN, AGENCY_ROLES

#: column -> the Thai header of the template
COLUMNS = (("reference", "เลขที่อ้างอิง"), ("received_at", "วันเวลาที่รับเรื่อง"),
           ("completed_at", "วันเวลาที่ให้บริการเสร็จ"), ("outcome", "ผลการให้บริการ"), ("channel", "ช่องทาง"),
           ("defects", "ข้อบกพร่องด้านคุณภาพ"))
OUTCOMES = {"completed": "เสร็จสิ้น", "rejected": "ไม่อนุมัติ", "withdrawn": "ถอนเรื่อง",
            "pending": "อยู่ระหว่างดำเนินการ"}
CHANNELS = {"counter": "เคาน์เตอร์", "online": "ออนไลน์", "mail": "ไปรษณีย์", "phone": "โทรศัพท์", "other": "อื่น ๆ"}
DEFECTS = {"calculation": "คำนวณผิดพลาด", "document": "เอกสารผิดพลาด", "rework": "ต้องแก้ไขหรือทำซ้ำ",
           "complaint": "มีการร้องเรียน"}
MAX_ROWS = 200_000
CHUNK = 500


@dataclass
class ImportReport:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)   # {"row", "field", "message"}: nothing stored then

    @property
    def accepted(self) -> bool:
        return not self.errors


def _lookup(table: dict[str, str], value) -> str | None:
    text = str(value or "").strip()
    if text in table:
        return text
    return next((code for code, label in table.items() if label == text), None)


def template(fmt: str = "xlsx") -> bytes:
    """The import template with Thai headers and one example row (dates in the Buddhist Era)."""
    example = ["REQ-0001", "01/10/2569 09:15", "01/10/2569 09:40", OUTCOMES["completed"], CHANNELS["counter"], ""]
    headers = [thai for _, thai in COLUMNS]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerow(example)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "บันทึกการให้บริการ"
    ws.append(headers)
    ws.append(example)
    notes = wb.create_sheet("คำอธิบาย")
    notes.append(["คอลัมน์", "ค่าที่ใช้ได้"])
    notes.append([COLUMNS[1][1], "วว/ดด/ปปปป ชช:นน (พ.ศ.) หรือ ปปปป-ดด-วว ชช:นน (ค.ศ.) เวลาท้องถิ่น"])
    notes.append([COLUMNS[3][1], ", ".join(OUTCOMES.values())])
    notes.append([COLUMNS[4][1], ", ".join(CHANNELS.values())])
    notes.append([COLUMNS[5][1], "คั่นด้วยจุลภาค: " + ", ".join(DEFECTS.values())])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _read(filename: str, data: bytes) -> list[list]:
    name = (filename or "").lower()
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("the file is not UTF-8 text", field="file",
                               errors=[{"row": 0, "field": "file", "message": "ไฟล์ CSV ต้องเข้ารหัส UTF-8"}]) from None
        return [row for row in csv.reader(io.StringIO(text))]
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer to the user
            raise InvalidInput("not a workbook", field="file",
                               errors=[{"row": 0, "field": "file", "message": "อ่านไฟล์ Excel ไม่ได้"}]) from None
        ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
        wb.close()
        return rows
    raise InvalidInput("CSV or Excel only", field="file",
                       errors=[{"row": 0, "field": "file", "message": "รับเฉพาะไฟล์ .csv หรือ .xlsx"}])


def parse_moment(value, tz: ZoneInfo) -> datetime | None:
    """A local date and time: an Excel date, ``31/12/2569 14:30`` (B.E.) or ``2026-12-31 14:30``."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime.combine(value, time(0), tz)
    text = " ".join(str(value).split())
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if moment.year > 2400:  # the Buddhist Era
            try:
                moment = moment.replace(year=moment.year - BE_OFFSET)
            except ValueError:
                return None
        return moment.replace(tzinfo=tz)
    return None


@dataclass(frozen=True)
class Target:
    value: Decimal | None
    unit: str


def target_of(session, agency_id: int, service_process: str) -> Target:
    """The promised time of the published SLA (office minutes when the service has none yet)."""
    content = session.scalar(select(PublicSlaVersion.content).join(
        PublicSla, PublicSla.current_version_id == PublicSlaVersion.id).where(
        PublicSla.agency_id == agency_id, PublicSla.service_process == service_process))
    time_ = (content or {}).get("time") or {}
    unit = time_.get("unit") if time_.get("unit") in ("minutes", "working_hours", "working_days") else "minutes"
    value = time_.get("value")
    return Target(Decimal(str(value)) if value not in (None, "") else None, unit)


def elapsed_in(unit: str, received: datetime, completed: datetime, cal, opens: time, closes: time) -> Decimal:
    """The time a request took in the SLA's unit: office minutes or hours, or working days."""
    if unit == "working_days":
        return Decimal(cal.calendar.working_days_between(received.astimezone(cal.tz).date(),
                                                         completed.astimezone(cal.tz).date()))
    minutes = Decimal(str(cal.calendar.office_minutes_between(received, completed, opens, closes, cal.tz)))
    value = minutes / 60 if unit == "working_hours" else minutes
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _check(actor: Actor, agency_id: int) -> None:
    if not (actor.has(ADMIN) or (actor.roles & AGENCY_ROLES and actor.agency_id == agency_id)):
        raise Forbidden("only the agency's own staff record its service")


def _known_service(session, agency_id: int, service_process: str) -> None:
    known = session.scalar(select(Instance.id).where(Instance.agency_id == agency_id,
                                                     Instance.service_process == service_process).limit(1))
    known = known or session.scalar(select(PublicSla.id).where(PublicSla.agency_id == agency_id,
                                                               PublicSla.service_process == service_process))
    if not known:
        raise InvalidInput("unknown service process", field="service_process",
                           errors=[{"row": 0, "field": "service_process",
                                    "message": "ไม่พบกระบวนงานนี้ของหน่วยงาน"}])


def _clean(rows: list[list], tz: ZoneInfo) -> tuple[list[dict], list[dict]]:
    """Rows as records, or the message of every rejected cell (row numbers as in the file)."""
    errors, clean, seen = [], [], set()
    if not rows:
        return [], [{"row": 0, "field": "file", "message": "ไฟล์ว่าง"}]
    header = [str(h or "").strip() for h in rows[0]]
    index = {}
    for key, thai in COLUMNS:
        found = next((i for i, h in enumerate(header) if h in (thai, key)), None)
        if found is None and key in ("reference", "received_at", "outcome"):
            errors.append({"row": 1, "field": key, "message": f"ไม่พบคอลัมน์ «{thai}»"})
        index[key] = found
    if errors:
        return [], errors
    body = rows[1:]
    if len(body) > MAX_ROWS:
        return [], [{"row": 0, "field": "file", "message": f"มากกว่า {MAX_ROWS:,} แถว"}]
    def cell_of(row: list, key: str):
        return row[index[key]] if index[key] is not None and index[key] < len(row) else None

    for n, row in enumerate(body, start=2):
        def cell(key: str, row=row):
            return cell_of(row, key)

        if all(v in (None, "") for v in row):
            continue
        reference = str(cell("reference") or "").strip()
        received = parse_moment(cell("received_at"), tz)
        completed = parse_moment(cell("completed_at"), tz)
        outcome = _lookup(OUTCOMES, cell("outcome"))
        channel = _lookup(CHANNELS, cell("channel") or "other")
        defects = [d.strip() for d in str(cell("defects") or "").split(",") if d.strip()]
        codes = [_lookup(DEFECTS, d) for d in defects]
        problems = []
        if not reference or len(reference) > 64:
            problems.append(("reference", "ต้องมีเลขที่อ้างอิง (ไม่เกิน 64 ตัวอักษร)"))
        elif reference in seen:
            problems.append(("reference", "เลขที่อ้างอิงซ้ำในไฟล์"))
        if received is None:
            problems.append(("received_at", "วันเวลาที่รับเรื่องไม่ถูกต้อง"))
        if cell("completed_at") not in (None, "") and completed is None:
            problems.append(("completed_at", "วันเวลาที่ให้บริการเสร็จไม่ถูกต้อง"))
        if received and completed and completed < received:
            problems.append(("completed_at", "เสร็จก่อนรับเรื่องไม่ได้"))
        if outcome is None:
            problems.append(("outcome", "ผลการให้บริการต้องเป็น: " + ", ".join(OUTCOMES.values())))
        elif outcome == "completed" and completed is None:
            problems.append(("completed_at", "เรื่องที่เสร็จสิ้นต้องมีวันเวลาที่เสร็จ"))
        if channel is None:
            problems.append(("channel", "ช่องทางต้องเป็น: " + ", ".join(CHANNELS.values())))
        if None in codes:
            problems.append(("defects", "ข้อบกพร่องต้องเป็น: " + ", ".join(DEFECTS.values())))
        now = utcnow()
        if received and received > now or completed and completed > now:
            problems.append(("received_at", "วันเวลาอยู่ในอนาคต"))
        if problems:
            errors += [{"row": n, "field": f, "message": m} for f, m in problems]
            continue
        seen.add(reference)
        clean.append({"reference": reference, "received_at": received, "completed_at": completed,
                      "outcome": outcome, "channel": channel, "defects": codes})
    return clean, errors


def import_file(ctx: Context, actor: Actor, agency_id: int, service_process: str, filename: str, data: bytes,
                source: str = "import") -> ImportReport:
    """Validate every row first; store all of them (new references added, known ones updated) or
    none, and bring the monthly figures of the months they touch up to date. One transaction."""
    _check(actor, agency_id)
    service_process = (service_process or "").strip()
    if len(data) > ctx.settings.upload_max_bytes:
        raise InvalidInput("the file is too large", field="file",
                           errors=[{"row": 0, "field": "file", "message": "ไฟล์ใหญ่เกินกำหนด"}])
    tz = ZoneInfo(ctx.settings.timezone)
    clean, errors = _clean(_read(filename, data), tz)
    report = ImportReport(rows=len(clean) + len({e["row"] for e in errors if e["row"] > 1}), errors=errors)
    if errors:
        return report
    return _store(ctx, actor, agency_id, service_process, clean, source, report)


def log_one(ctx: Context, actor: Actor, agency_id: int, service_process: str, reference: str, received_at,
            completed_at, outcome: str, channel: str, defects=()) -> ImportReport:
    """One request logged at the counter."""
    _check(actor, agency_id)
    tz = ZoneInfo(ctx.settings.timezone)
    rows = [[c for c, _ in COLUMNS], [reference, received_at, completed_at, outcome, channel, ",".join(defects)]]
    clean, errors = _clean(rows, tz)
    if errors:
        raise InvalidInput("the request cannot be recorded", field=errors[0]["field"], errors=errors)
    return _store(ctx, actor, agency_id, service_process.strip(), clean, "counter", ImportReport(rows=1))


def _store(ctx: Context, actor: Actor, agency_id: int, service_process: str, clean: list[dict], source: str,
           report: ImportReport) -> ImportReport:
    now = utcnow()
    with ctx.uow() as uow:
        s = uow.session
        if s.get(Agency, agency_id) is None:
            raise NotFound("agency not found")
        _known_service(s, agency_id, service_process)
        target = target_of(s, agency_id, service_process)
        cal = calendar_context.for_session(s, ctx.settings.timezone, agency_id)
        opens, closes = cal.office_opens, cal.office_closes
        existing = {}
        refs = [r["reference"] for r in clean]
        for i in range(0, len(refs), CHUNK):
            existing.update(s.execute(select(ServiceRecord.reference, ServiceRecord.id).where(
                ServiceRecord.agency_id == agency_id, ServiceRecord.service_process == service_process,
                ServiceRecord.reference.in_(refs[i:i + CHUNK]))).all())
        months = set()
        new, changed = [], []
        for r in clean:
            local = r["received_at"].astimezone(cal.tz)
            month = date(local.year, local.month, 1)
            months.add(month)
            elapsed = within = None
            if r["outcome"] == "completed" and r["completed_at"] is not None:
                elapsed = elapsed_in(target.unit, r["received_at"], r["completed_at"], cal, opens, closes)
                within = bool(elapsed <= target.value) if target.value is not None else None
            row = dict(agency_id=agency_id, service_process=service_process, reference=r["reference"],
                       received_at=r["received_at"], completed_at=r["completed_at"], month=month,
                       outcome=r["outcome"], channel=r["channel"], defects=r["defects"], elapsed=elapsed,
                       unit=target.unit, within_sla=within, source=source, updated_at=now)
            if r["reference"] in existing:
                changed.append(dict(row, record_id=existing[r["reference"]]))
            else:
                new.append(row)
        if new:
            s.execute(insert(ServiceRecord), new)
        if changed:
            old_months = set(s.scalars(select(ServiceRecord.month).where(
                ServiceRecord.id.in_([c["record_id"] for c in changed[:CHUNK]]))))
            months |= old_months
            stmt = update(ServiceRecord).where(ServiceRecord.id == bindparam("record_id")).values(
                {k: bindparam(k) for k in new_keys(changed[0])})
            s.connection().execute(stmt, changed)
        for month in sorted(months):
            _summarize(s, agency_id, service_process, month, target, now)
        report.inserted, report.updated = len(new), len(changed)
        audit.record(s, actor, "records.import", agency_id=agency_id,
                     after={"service_process": service_process, "inserted": len(new), "updated": len(changed),
                            "source": source, "months": [m.isoformat() for m in sorted(months)]})
        uow.commit()
    return report


def new_keys(row: dict) -> list[str]:
    return [k for k in row if k not in ("record_id", "agency_id", "service_process", "reference")]


def _percentile(values: list[Decimal], q: float) -> Decimal | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    return values[max(0, math.ceil(q * len(values)) - 1)]


def _summarize(s, agency_id: int, service_process: str, month: date, target: Target, now: datetime) -> None:
    """Recount one month of one service from its records into its summary row."""
    where = (ServiceRecord.agency_id == agency_id, ServiceRecord.service_process == service_process,
             ServiceRecord.month == month)
    volume, completed, within, defects = _counts(s, where)
    times = list(s.scalars(select(ServiceRecord.elapsed).where(*where, ServiceRecord.elapsed.is_not(None))
                           .order_by(ServiceRecord.elapsed)))
    measured = s.scalar(select(func.count()).where(*where, ServiceRecord.within_sla.is_not(None)))
    row = s.scalar(select(ServiceMonth).where(ServiceMonth.agency_id == agency_id,
                                              ServiceMonth.service_process == service_process,
                                              ServiceMonth.month == month))
    if row is None:
        row = ServiceMonth(agency_id=agency_id, service_process=service_process, month=month)
        s.add(row)
    row.volume, row.completed, row.within_sla, row.defects, row.measured = volume, completed, within, defects, measured
    row.median, row.p90 = _percentile(times, 0.5), _percentile(times, 0.9)
    row.unit, row.sla_value, row.updated_at = target.unit, target.value, now
    s.flush()


def _counts(s, where) -> tuple[int, int, int, int]:
    rows = s.execute(select(ServiceRecord.outcome, ServiceRecord.within_sla, ServiceRecord.defects).where(*where))
    volume = completed = within = defects = 0
    for outcome, ok, flags in rows:
        volume += 1
        completed += outcome == "completed"
        within += ok is True
        defects += bool(flags)
    return volume, completed, within, defects


@dataclass(frozen=True)
class Month:
    month: date
    volume: int
    completed: int
    within_percent: str | None
    defects: int
    median: Decimal | None
    p90: Decimal | None
    unit: str
    sla_value: Decimal | None


@dataclass
class Measurement:
    service_process: str
    months: list[Month]
    volume: int = 0
    within_percent: str | None = None
    defects: int = 0
    unit: str = ""
    sla_value: Decimal | None = None


def _pct(part: int, whole: int) -> str | None:
    return str((Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if whole else None


def fiscal_months(fiscal_year: int) -> tuple[date, date]:
    """The first day of October before the fiscal year and of September that ends it."""
    end_year = fiscal_year - BE_OFFSET
    return date(end_year - 1, 10, 1), date(end_year, 9, 1)


def measurement(session, agency_id: int, fiscal_year: int, up_to: date | None = None) -> list[Measurement]:
    """Per service process of the agency, its months of the fiscal year (up to ``up_to``) and totals."""
    first, last = fiscal_months(fiscal_year)
    if up_to is not None:
        last = min(last, date(up_to.year, up_to.month, 1))
    out: dict[str, Measurement] = {}
    sums: dict[str, list[int]] = {}
    for r in session.scalars(select(ServiceMonth).where(ServiceMonth.agency_id == agency_id,
                                                        ServiceMonth.month >= first, ServiceMonth.month <= last)
                             .order_by(ServiceMonth.service_process, ServiceMonth.month)):
        m = out.setdefault(r.service_process, Measurement(r.service_process, []))
        m.months.append(Month(r.month, r.volume, r.completed, _pct(r.within_sla, r.measured), r.defects, r.median,
                              r.p90, r.unit, r.sla_value))
        total = sums.setdefault(r.service_process, [0, 0, 0, 0])
        total[0] += r.volume
        total[1] += r.within_sla
        total[2] += r.measured
        total[3] += r.defects
        m.unit, m.sla_value = r.unit, r.sla_value
    for name, m in out.items():
        volume, within, measured, defects = sums[name]
        m.volume, m.within_percent, m.defects = volume, _pct(within, measured), defects
    return list(out.values())


def agency_measurement(ctx: Context, actor: Actor, agency_id: int, fiscal_year: int) -> list[Measurement]:
    with ctx.uow(write=False) as uow:
        if uow.session.get(Agency, agency_id) is None or not actor.can_see_agency(agency_id):
            raise NotFound("agency not found")
        return measurement(uow.session, agency_id, fiscal_year)


def services_of(ctx: Context, actor: Actor, agency_id: int) -> list[str]:
    """The agency's service processes (from its workflows and published SLAs)."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        if not actor.can_see_agency(agency_id):
            raise NotFound("agency not found")
        names = set(s.scalars(select(Instance.service_process).where(Instance.agency_id == agency_id)))
        names |= set(s.scalars(select(PublicSla.service_process).where(PublicSla.agency_id == agency_id)))
        return sorted(names)

