"""Service records: imported from the template (CSV or Excel), validated row by row (all or nothing),
re-imports update, time counted in the SLA's unit on the working calendar, monthly figures kept."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from engine.errors import Forbidden, InvalidInput
from engine.models import ServiceMonth, ServiceRecord
from engine.services import records
from tests.published import SERVICE, publish_car_tax

UTC = timezone.utc
NOW = datetime(2026, 11, 20, 3, tzinfo=UTC)


@pytest.fixture
def service(world):
    """Agency A's car-tax service with a published SLA promising 15 minutes."""
    publish_car_tax(world, NOW)
    return world


def csv_of(*rows) -> bytes:
    head = ",".join(thai for _, thai in records.COLUMNS)
    return ("\ufeff" + head + "\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()


def _import(world, data, name="records.csv", who="officer.a"):
    with time_machine.travel(NOW, tick=False):
        return records.import_file(world.ctx, world.actor(who), world.agency_a, SERVICE, name, data)


def _month(world):
    with world.ctx.uow(write=False) as uow:
        return uow.session.scalar(select(ServiceMonth))


def test_a_month_of_records_against_the_sla(service):
    world = service
    report = _import(world, csv_of(
        ("R1", "02/11/2569 09:00", "02/11/2569 09:10", "เสร็จสิ้น", "เคาน์เตอร์", ""),     # 10 min: within
        ("R2", "02/11/2569 10:00", "02/11/2569 10:40", "เสร็จสิ้น", "ออนไลน์", "คำนวณผิดพลาด"),  # 40 min: over
        # Friday 16:20 to Monday 08:45: 10 + 15 = 25 office minutes, the weekend does not count
        ("R3", "06/11/2569 16:20", "09/11/2569 08:45", "completed", "counter", ""),
        ("R4", "2026-11-10 09:00", "", "อยู่ระหว่างดำเนินการ", "", ""),                      # not finished yet
    ))
    assert report.accepted and (report.inserted, report.updated) == (4, 0)
    with service.ctx.uow(write=False) as uow:
        times = dict(uow.session.execute(select(ServiceRecord.reference, ServiceRecord.elapsed)).all())
    assert {k: str(v) if v is not None else None for k, v in times.items()} == {
        "R1": "10.00", "R2": "40.00", "R3": "25.00", "R4": None}
    m = _month(world)
    # 4 requests, 3 completed, 1 of 3 within 15 minutes, 1 defect; median 25, 90th percentile 40
    assert (m.volume, m.completed, m.within_sla, m.measured, m.defects) == (4, 3, 1, 3, 1)
    assert (str(m.median), str(m.p90), m.unit, str(m.sla_value)) == ("25.00", "40.00", "minutes", "15.00")
    found = records.agency_measurement(world.ctx, world.actor("officer.a"), world.agency_a, 2570)
    assert found[0].within_percent == "33.33" and found[0].volume == 4
    # the same references again: updated, never duplicated; the month is counted again
    again = _import(world, csv_of(("R2", "02/11/2569 10:00", "02/11/2569 10:12", "เสร็จสิ้น", "ออนไลน์", "")))
    assert (again.inserted, again.updated) == (0, 1)
    with world.ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ServiceRecord)) == 4
    assert (_month(world).within_sla, _month(world).defects) == (2, 0)


def test_a_file_with_bad_rows_is_refused_whole(service):
    world = service
    report = _import(world, csv_of(
        ("OK1", "02/11/2569 09:00", "02/11/2569 09:10", "เสร็จสิ้น", "เคาน์เตอร์", ""),
        ("BAD1", "02/11/2569 09:00", "01/11/2569 09:10", "เสร็จสิ้น", "เคาน์เตอร์", ""),   # completed first
        ("BAD2", "31/02/2569 09:00", "", "เสร็จสิ้น", "", ""),                           # no such day
        ("OK1", "03/11/2569 09:00", "03/11/2569 09:05", "เสร็จสิ้น", "", ""),             # duplicate reference
        ("BAD4", "03/11/2569 09:00", "03/11/2569 09:05", "หายไป", "", ""),                # unknown outcome
        ("BAD5", "03/11/2569 09:00", "03/11/2569 09:05", "เสร็จสิ้น", "นกพิราบ", ""),       # unknown channel
        ("BAD6", "03/12/2570 09:00", "03/12/2570 09:05", "เสร็จสิ้น", "", ""),            # in the future
        ("BAD7", "03/11/2569 09:00", "", "เสร็จสิ้น", "", ""),                            # completed without time
    ))
    assert not report.accepted
    assert {(e["row"], e["field"]) for e in report.errors} == {
        (3, "completed_at"), (4, "received_at"), (4, "completed_at"), (5, "reference"), (6, "outcome"), (7, "channel"),
        (8, "received_at"), (9, "completed_at")}
    with world.ctx.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ServiceRecord)) == 0  # nothing partial
    assert _month(world) is None


def test_the_excel_template_round_trip_and_hostile_files(service):
    world = service
    book = load_workbook(io.BytesIO(records.template("xlsx")))
    sheet = book.active
    assert [c.value for c in sheet[1]] == [thai for _, thai in records.COLUMNS]
    sheet.append(["X1", datetime(2026, 11, 3, 9, 0), datetime(2026, 11, 3, 9, 14), "เสร็จสิ้น", "ออนไลน์", None])
    out = io.BytesIO()
    book.save(out)
    report = _import(world, out.getvalue(), "records.xlsx")
    assert report.accepted and report.inserted == 2  # the example row and ours
    assert records.template("csv").decode("utf-8-sig").splitlines()[0].startswith("เลขที่อ้างอิง")
    for name, data in (("x.xlsx", b"PK\x03\x04 not a workbook"), ("x.exe", b"MZ"), ("x.csv", b"\xff\xfe\x00bad")):
        with pytest.raises(InvalidInput):
            _import(world, data, name)
    assert not _import(world, b"", "empty.csv").accepted


def test_who_may_record_and_for_which_service(service):
    world = service
    with pytest.raises(Forbidden):
        _import(world, csv_of(("R1", "02/11/2569 09:00", "", "อยู่ระหว่างดำเนินการ", "", "")), who="officer.b")
    with pytest.raises(Forbidden):
        _import(world, csv_of(("R1", "02/11/2569 09:00", "", "อยู่ระหว่างดำเนินการ", "", "")), who="central")
    with pytest.raises(InvalidInput):
        with time_machine.travel(NOW, tick=False):
            records.import_file(world.ctx, world.actor("officer.a"), world.agency_a, "บริการที่ไม่มี", "r.csv",
                                csv_of(("R1", "02/11/2569 09:00", "", "อยู่ระหว่างดำเนินการ", "", "")))


def test_working_days_and_the_counter(service):
    world = service
    with world.ctx.uow() as uow:
        from engine.models import PublicSla, PublicSlaVersion

        page = uow.session.scalar(select(PublicSla))
        version = uow.session.get(PublicSlaVersion, page.current_version_id)
        version.content = {"time": {"value": 2, "unit": "working_days"}}
        uow.commit()
    with time_machine.travel(NOW, tick=False):
        # received Friday 6 Nov 2026, done Wednesday 11 Nov: Mon, Tue, Wed are 3 working days (2 promised)
        records.log_one(world.ctx, world.actor("officer.a"), world.agency_a, SERVICE, "C1",
                        "06/11/2569 10:00", "11/11/2569 10:00", "completed", "counter")
        with pytest.raises(InvalidInput):
            records.log_one(world.ctx, world.actor("officer.a"), world.agency_a, SERVICE, "C2",
                            "06/11/2569 10:00", "05/11/2569 10:00", "completed", "counter")
    with world.ctx.uow(write=False) as uow:
        rec = uow.session.scalar(select(ServiceRecord))
    assert (str(rec.elapsed), rec.unit, rec.within_sla, rec.source) == ("3.00", "working_days", False, "counter")


def test_success_of_the_improvement_is_measured_from_the_records(service):
    """The shipped, provisional rule: 2.2's success % is the share of completed requests done within
    the SLA time in the fiscal year; the agency's reported figure only when there are no records."""
    from engine.services import scoring

    world = service
    scoring.install_shipped(world.ctx)
    scoring.copy_schemes(world.ctx, world.actor("central"), 2558, 2570)
    _import(world, csv_of(
        ("R1", "02/11/2569 09:00", "02/11/2569 09:10", "เสร็จสิ้น", "เคาน์เตอร์", ""),
        ("R2", "02/11/2569 10:00", "02/11/2569 10:40", "เสร็จสิ้น", "ออนไลน์", ""),
        ("R3", "03/11/2569 10:00", "03/11/2569 10:05", "เสร็จสิ้น", "ออนไลน์", ""),
        ("R4", "03/11/2569 11:00", "03/11/2569 11:14", "เสร็จสิ้น", "ออนไลน์", ""),
    ))
    with time_machine.travel(NOW, tick=False):
        scoring.recompute(world.ctx, world.actor("central"), 2570)
    card = scoring.scorecard(world.ctx, world.actor("central"), world.agency_a, 2570)
    line = {x["code"]: x for x in card.scores[0]["indicators"]}["2.2"]
    # 3 of 4 within 15 minutes = 75 %: between 70 (level 2) and 80 (level 3): 2.5
    assert (line["value"], line["level"]) == ("75.0000", "2.5000")


def test_a_request_moved_to_another_month_leaves_the_old_month(service):
    world = service
    _import(world, csv_of(("M1", "02/11/2569 09:00", "02/11/2569 09:10", "เสร็จสิ้น", "", "")))
    _import(world, csv_of(("M1", "30/10/2569 09:00", "30/10/2569 09:10", "เสร็จสิ้น", "", "")))  # a typo fixed
    with world.ctx.uow(write=False) as uow:
        volumes = {m.month.month: m.volume for m in uow.session.scalars(select(ServiceMonth))}
    assert volumes == {10: 1, 11: 0}
