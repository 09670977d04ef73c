"""Service records at scale: importing 100,000 requests, and the dashboards that read only the monthly
figures (10,000 agencies with a year of them) while the records stay out of the way."""
from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, insert, select

from engine.models import Agency, ServiceMonth, ServiceRecord, utcnow
from engine.services import records
from tests.bench.targets import check
from tests.conftest import World, make_ctx
from tests.published import SERVICE, publish_car_tax
from tests.web.conftest import login

pytestmark = pytest.mark.bench
ROWS = 100_000
AGENCIES = 10_000


def test_import_and_dashboards_at_scale(tmp_path):
    ctx = make_ctx(tmp_path)
    world = World(ctx)
    now = datetime(2026, 11, 30, 3, tzinfo=timezone.utc)
    publish_car_tax(world, now)
    header = ",".join(thai for _, thai in records.COLUMNS)
    start = datetime(2026, 10, 1, 8, 30)
    lines = [header]
    for i in range(ROWS):
        received = start + timedelta(minutes=(i * 7) % (60 * 24 * 55))
        done = received + timedelta(minutes=5 + i % 20)
        lines.append(f"R{i:07d},{received:%d/%m}/{received.year + 543} {received:%H:%M},"
                     f"{done:%d/%m}/{done.year + 543} {done:%H:%M},เสร็จสิ้น,ออนไลน์,")
    data = ("\n".join(lines) + "\n").encode()
    t0 = time.perf_counter()
    with time_machine.travel(now, tick=True):
        report = records.import_file(ctx, world.actor("officer.a"), world.agency_a, SERVICE, "big.csv", data)
    first = time.perf_counter() - t0
    assert report.accepted and report.inserted == ROWS
    t0 = time.perf_counter()
    with time_machine.travel(now, tick=True):
        again = records.import_file(ctx, world.actor("officer.a"), world.agency_a, SERVICE, "big.csv", data)
    second = time.perf_counter() - t0
    assert again.updated == ROWS
    print(f"\nImport of {ROWS:,} requests (file SQLite): new {first:.1f} s, the same file again (updates) "
          f"{second:.1f} s")
    check("record import, slower of the two", max(first, second), 30, " s")

    # 10,000 agencies with a year of monthly figures each; the dashboard reads its own agency's only
    with ctx.uow() as uow:
        s = uow.session
        s.execute(insert(Agency), [dict(code=f"M{i:05d}", name=f"หน่วยงาน {i}", ministry="", province="", region="",
                                        active=True, office_opens="08:30", office_closes="16:30")
                                   for i in range(AGENCIES)])
        ids = list(s.scalars(select(Agency.id).where(Agency.code.like("M%"))))
        months = [date(2025 + (m > 3), ((m + 9) % 12) + 1, 1) for m in range(12)]
        s.execute(insert(ServiceMonth), [dict(agency_id=a, service_process="บริการหลัก", month=m, volume=3000,
                                              completed=2900, within_sla=2500, measured=2900, defects=12, median=11,
                                              p90=19, unit="minutes", sla_value=15, updated_at=utcnow())
                                         for a in ids for m in months])
        uow.commit()
    with ctx.db.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    from web import create_app

    client = create_app(ctx=ctx).test_client()
    login(client, "officer.a", "password-123")
    samples = []
    for _ in range(25):
        t0 = time.perf_counter()
        assert client.get("/dashboard?fy=2570").status_code == 200
        samples.append((time.perf_counter() - t0) * 1000)
    p50 = statistics.median(samples[5:])
    with ctx.uow(write=False) as uow:
        total = uow.session.scalar(select(func.count()).select_from(ServiceRecord))
    print(f"Agency dashboard with {total:,} records of its own and {AGENCIES * 12:,} monthly figures of "
          f"{AGENCIES:,} agencies")
    check("agency dashboard p50", p50, 300, " ms")
    assert max(first, second) < 30, "import of 100,000 requests over 30 s"
    assert p50 < 300, "dashboard over 300 ms"
