"""Demo data for a new database: agencies, a user for every role, the SLA lifecycle deployed and started."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from .actors import Actor
from .context import Context
from .fiscal import fiscal_year_of
from .models import User
from .services import accounts, deploy, instances, scoring

DEMO_PASSWORD = "slaflow-demo"  # noqa: S105 - published demo password, demo data only

AGENCIES = [
    ("DLT", "กรมการขนส่งทางบก", "กระทรวงคมนาคม", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล"),
    ("DOPA", "กรมการปกครอง", "กระทรวงมหาดไทย", "กรุงเทพมหานคร", "กรุงเทพและปริมณฑล"),
    ("CMPHO", "สำนักงานสาธารณสุขจังหวัดเชียงใหม่", "กระทรวงสาธารณสุข", "เชียงใหม่", "ภาคเหนือ"),
]

#: (username, display name, roles, agency code or None)
USERS = [
    ("admin", "ผู้ดูแลระบบ", ["admin"], None),
    ("designer", "นักออกแบบกระบวนการ", ["designer"], None),
    ("central", "เจ้าหน้าที่สำนักงาน ก.พ.ร.", ["central"], None),
    ("officer.dlt", "สมชาย ใจดี (เจ้าหน้าที่ ขบ.)", ["officer"], "DLT"),
    ("supervisor.dlt", "สมหญิง รักงาน (ผู้บังคับบัญชา ขบ.)", ["supervisor"], "DLT"),
    ("officer.dopa", "วิชัย มั่นคง (เจ้าหน้าที่ ปค.)", ["officer"], "DOPA"),
    ("supervisor.dopa", "มาลี ศรีสุข (ผู้บังคับบัญชา ปค.)", ["supervisor"], "DOPA"),
    ("officer.cmpho", "อรุณ แสงทอง (เจ้าหน้าที่ สสจ.เชียงใหม่)", ["officer"], "CMPHO"),
    ("supervisor.cmpho", "ประภา ดวงดี (ผู้บังคับบัญชา สสจ.เชียงใหม่)", ["supervisor"], "CMPHO"),
]

SERVICE_PROCESSES = {
    "DLT": "การชำระภาษีรถประจำปี",
    "DOPA": "การขอมีบัตรประจำตัวประชาชน",
    "CMPHO": "การขออนุญาตผลิตอาหาร",
}


def has_data(ctx: Context) -> bool:
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(User.id).limit(1)) is not None


def bpmn_bundles(bpmn_dir: Path) -> dict[str, dict[str, bytes]]:
    """Each sub-folder of bpmn/ is one bundle (a process and the diagrams it calls)."""
    bundles = {}
    for folder in sorted(p for p in bpmn_dir.iterdir() if p.is_dir()):
        files = {f.name: f.read_bytes() for f in sorted(folder.glob("*.bpmn"))}
        if files:
            bundles[folder.name] = files
    return bundles


def load(ctx: Context, today=None) -> list[tuple[str, str]]:
    """Load the demo data; return (username, password) pairs to show. Does nothing if users exist."""
    if has_data(ctx):
        return []
    scoring.install_shipped(ctx)
    admin = Actor.system("demo")
    codes = {}
    for code, name, ministry, province, region in AGENCIES:
        codes[code] = accounts.create_agency(ctx, admin, code, name, ministry, province, region)
    for username, display, roles, agency in USERS:
        accounts.create_user(ctx, admin, username, DEMO_PASSWORD, display, roles, codes.get(agency),
                             email=f"{username}@example.go.th")
    designer = Actor(None, "demo", None, frozenset({"designer"}))
    for files in bpmn_bundles(ctx.settings.bpmn_dir).values():
        deploy.deploy(ctx, files, designer, note="ติดตั้งพร้อมข้อมูลตัวอย่าง")
    from datetime import date

    fy = fiscal_year_of(today or date.today())
    for code, process in SERVICE_PROCESSES.items():
        instances.start(ctx, admin, "sla_lifecycle", codes[code], process, fy)
    return [(u, DEMO_PASSWORD) for u, *_ in USERS]

