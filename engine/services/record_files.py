"""Service-record files: the import template with Thai headers, reading CSV and Excel, and checking
every row (local dates in the Buddhist Era or ISO; outcomes, channels and defects by code or Thai
label) before anything is stored."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..errors import InvalidInput
from ..fiscal import BE_OFFSET
from ..models import utcnow

#: column -> the Thai header of the template
COLUMNS = (("reference", "เลขที่อ้างอิง"), ("received_at", "วันเวลาที่รับเรื่อง"),
           ("completed_at", "วันเวลาที่ให้บริการเสร็จ"), ("outcome", "ผลการให้บริการ"), ("channel", "ช่องทาง"),
           ("defects", "ข้อบกพร่องด้านคุณภาพ"))
OUTCOMES = {"completed": "เสร็จสิ้น", "rejected": "ไม่อนุมัติ", "withdrawn": "ถอนเรื่อง",
            "pending": "อยู่ระหว่างดำเนินการ"}
CHANNELS = {"counter": "เคาน์เตอร์", "online": "ออนไลน์", "mail": "ไปรษณีย์", "phone": "โทรศัพท์", "other": "อื่น ๆ"}
DEFECTS = {"calculation": "คำนวณผิดพลาด", "document": "เอกสารผิดพลาด", "rework": "ต้องแก้ไขหรือทำซ้ำ",
           "complained": "มีการร้องเรียน"}
MAX_ROWS = 200_000


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


def read_rows(filename: str, data: bytes) -> list[list]:
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


def clean_rows(rows: list[list], tz: ZoneInfo) -> tuple[list[dict], list[dict]]:
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
