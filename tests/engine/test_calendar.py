"""Calendars: weekends and holidays skipped, administrators' days, B.E. and fiscal-year edges, office
hours, the reporting calendar, and due dates recomputed when a calendar changes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.calendar_context import CalendarContext, using
from engine.errors import Forbidden, InvalidInput
from engine.fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start
from engine.models import Deadline, HumanTask, RecomputeJob
from engine.services import calendars, deploy, instances, recompute
from engine.workcalendar import WorkCalendar
from tests.bpmn_factory import one_task
from tests.conftest import ADMIN, DESIGNER
from workflows import calendar as helpers

BKK = ZoneInfo("Asia/Bangkok")


def test_weekends_and_thai_holidays_are_skipped():
    cal = WorkCalendar()
    assert not cal.is_working_day(date(2026, 4, 11))  # Saturday
    assert not cal.is_working_day(date(2026, 4, 13))  # Songkran
    assert not cal.is_working_day(date(2026, 12, 5))  # King Bhumibol's birthday, national day
    assert cal.is_working_day(date(2026, 4, 16))
    assert cal.add_working_days(date(2026, 4, 10), 1) == date(2026, 4, 16)  # Fri -> over Songkran
    assert cal.add_working_days(date(2026, 4, 16), -1) == date(2026, 4, 10)
    assert cal.working_days_between(date(2026, 4, 10), date(2026, 4, 20)) == 3
    assert cal.working_days_between(date(2026, 4, 20), date(2026, 4, 10)) == -3
    assert cal.next_working_day(date(2026, 4, 11)) == date(2026, 4, 16)


def test_administrators_days_override_the_package():
    cal = WorkCalendar({date(2026, 4, 17): False, date(2026, 4, 13): True})  # bridge day off; Songkran worked
    assert not cal.is_working_day(date(2026, 4, 17))
    assert cal.is_working_day(date(2026, 4, 13))
    assert cal.add_working_days(date(2026, 4, 10), 1) == date(2026, 4, 13)


@pytest.mark.parametrize("day,fy", [(date(2025, 9, 30), 2568), (date(2025, 10, 1), 2569), (date(2026, 9, 30), 2569),
                                    (date(2024, 2, 29), 2567), (date(2023, 10, 1), 2567)])
def test_fiscal_year_edges(day, fy):
    assert fiscal_year_of(day) == fy
    assert fiscal_year_start(fy) <= day <= fiscal_year_end(fy)


def test_leap_years_and_buddhist_era():
    assert fiscal_year_start(2567) == date(2023, 10, 1) and fiscal_year_end(2567) == date(2024, 9, 30)
    cal = WorkCalendar()
    assert cal.add_working_days(date(2024, 2, 28), 1) == date(2024, 2, 29)  # leap day is a Thursday
    assert cal.add_working_days(date(2023, 2, 28), 1) == date(2023, 3, 1)


def test_office_hours_arithmetic():
    cal = WorkCalendar()
    start = datetime(2026, 4, 10, 15, 30, tzinfo=BKK)  # Friday, one hour before closing
    end = cal.add_working_hours(start, 3, time(8, 30), time(16, 30), BKK)
    assert end.astimezone(BKK) == datetime(2026, 4, 16, 10, 30, tzinfo=BKK)  # Songkran skipped
    early = cal.add_working_hours(datetime(2026, 4, 16, 6, 0, tzinfo=BKK), 1, time(8, 30), time(16, 30), BKK)
    assert early.astimezone(BKK) == datetime(2026, 4, 16, 9, 30, tzinfo=BKK)


def test_department_report_due_dates_seed_002():
    # seed 002 slide 11, FY 2558: reports by 10 April, 10 July and 9 October 2015 (10 October 2015 was a
    # Saturday): the calendar ships 10 Apr / 10 Jul / 10 Oct with "the working day before"
    with using(CalendarContext()):
        assert helpers.report_due(2558, 6, "internal") == "2015-04-10T23:59:59+07:00"
        assert helpers.report_due(2558, 9, "internal") == "2015-07-10T23:59:59+07:00"
        assert helpers.report_due(2558, 12, "internal") == "2015-10-09T23:59:59+07:00"
        # FY 2570: 10 Apr 2027 is a Saturday: due on Friday 9 April
        assert helpers.report_due(2570, 6, "internal") == "2027-04-09T23:59:59+07:00"


def test_sla_kpi_calendar_seed_000():
    # seed 000 slide 10 (FY 2558): forms A–E in January, plan + SLA + photo in March, the 12-month
    # report in September; the month's last day, moved to the working day before
    with using(CalendarContext()):
        assert helpers.milestone_due(2558, "forms_a_e", "sla_kpi") == "2015-01-30T23:59:59+07:00"  # 31 Jan: Sat
        assert helpers.milestone_due(2558, "plan_sla_photo", "sla_kpi") == "2015-03-31T23:59:59+07:00"
        assert helpers.report_due(2558, 12, "sla_kpi") == "2015-09-30T23:59:59+07:00"
        assert helpers.report_due(2570, 12) == "2027-09-30T23:59:59+07:00"  # the first calendar by default
        assert helpers.round_opens(2570, 6) == "2027-03-01T00:00:00+07:00"


def test_the_rule_for_non_working_days_is_calendar_data():
    def moved_onto_songkran(fy, code, calendar=None):
        return date(2026, 4, 13)

    with using(CalendarContext(milestone=moved_onto_songkran, shift_rule=lambda fy, cal: "next")):
        assert helpers.report_due(2569, 6, "internal") == "2026-04-16T23:59:59+07:00"
    with using(CalendarContext(milestone=moved_onto_songkran, shift_rule=lambda fy, cal: "previous")):
        assert helpers.report_due(2569, 6, "internal") == "2026-04-10T23:59:59+07:00"
    with using(CalendarContext(milestone=moved_onto_songkran, shift_rule=lambda fy, cal: "none")):
        assert helpers.report_due(2569, 6, "internal") == "2026-04-13T23:59:59+07:00"
    with pytest.raises(ValueError):
        helpers.report_due(2569, 7)
    with pytest.raises(KeyError):
        helpers.report_due(2569, 6, "no_such_calendar")


def test_labour_day_is_a_working_day_for_government_and_yearly_holidays_are_flagged():
    cal = WorkCalendar()
    assert cal.is_working_day(date(2026, 5, 1))      # Friday 1 May 2026: offices open
    assert not cal.is_working_day(date(2026, 5, 4))  # Coronation Day
    assert not cal.is_working_day(date(2026, 5, 13))  # Royal Ploughing Ceremony 2026 (announced)
    assert calendars.to_confirm(2026) == ()
    assert calendars.to_confirm(2027) == ("วันพืชมงคล",)  # not announced in the data yet


def test_working_days_from_now_uses_the_clock_of_the_context():
    ctx = CalendarContext(now=lambda: datetime(2026, 4, 10, 3, 0, tzinfo=timezone.utc))
    with using(ctx):
        assert helpers.working_days_from_now(1) == "2026-04-16T23:59:59+07:00"
        # Fri 10:00–16:30 gives 6.5 h; the last 1.5 h on Thu 16 Apr (after Songkran): 10:00 Bangkok
        assert helpers.working_hours_from_now(8) == "2026-04-16T03:00:00+00:00"


def test_only_the_right_roles_change_calendars(world):
    with pytest.raises(Forbidden):
        calendars.set_day(world.ctx, world.actor("central"), date(2026, 4, 17), False, "วันหยุดพิเศษ")
    with pytest.raises(Forbidden):
        calendars.set_milestone(world.ctx, world.actor("officer.a"), 2569, "report_6", date(2026, 4, 20))
    with pytest.raises(InvalidInput):
        calendars.set_day(world.ctx, world.actor("admin"), date(2026, 4, 17), False, "  ")
    with pytest.raises(InvalidInput):
        calendars.set_milestone(world.ctx, world.actor("central"), 2569, "report_6", date(2030, 1, 1))
    with pytest.raises(InvalidInput):
        calendars.set_milestone(world.ctx, world.actor("central"), 2569, "drop_table", date(2026, 4, 1))


def test_calendar_changes_recompute_open_due_dates(world):
    ctx = world.ctx
    deploy.deploy(ctx, {"t.bpmn": one_task(timer="report_due(fiscal_year, 6)").encode()}, DESIGNER)
    with time_machine.travel(datetime(2026, 1, 5, 3, tzinfo=timezone.utc), tick=False):
        iid = instances.start(ctx, ADMIN, "p", world.agency_a, "ภาษีรถ", 2569)

    def due():
        with ctx.uow(write=False) as uow:
            timer = uow.session.scalar(select(Deadline).where(Deadline.instance_id == iid, Deadline.kind == "timer"))
            task = uow.session.scalar(select(HumanTask).where(HumanTask.instance_id == iid))
            reminders = sorted(d.due_at for d in uow.session.scalars(select(Deadline).where(
                Deadline.task_id == task.id, Deadline.status == "pending", Deadline.kind == "reminder")))
            return timer.due_at, task.due_at, reminders

    first = due()
    assert first[0] == first[1] == datetime(2026, 3, 31, 16, 59, 59, tzinfo=timezone.utc)
    assert len(first[2]) == 3
    with time_machine.travel(datetime(2026, 2, 1, 3, tzinfo=timezone.utc), tick=False):
        # the central office moves the 6-month report to 20 Apr; the timer, the task and its reminders follow
        assert calendars.set_milestone(ctx, world.actor("central"), 2569, "report_6", date(2026, 4, 20))
        assert due() == first  # queued with the change, moved by the scheduler
        assert len(recompute.run_queued(ctx)) == 1
        moved = due()
        assert moved[0] == moved[1] == datetime(2026, 4, 20, 16, 59, 59, tzinfo=timezone.utc)
        assert moved[2] != first[2] and len(moved[2]) == 3
        # an administrator closes offices on 20 Apr: the report is due on the working day before
        # (the calendar's rule): Friday 17 April
        calendars.set_day(ctx, world.actor("admin"), date(2026, 4, 20), False, "วันหยุดราชการเพิ่มเติม")
        recompute.run_queued(ctx)
        assert due()[0] == datetime(2026, 4, 17, 16, 59, 59, tzinfo=timezone.utc)
        calendars.remove_day(ctx, world.actor("admin"), date(2026, 4, 20))
        [job] = recompute.run_queued(ctx)
        assert due()[0] == datetime(2026, 4, 20, 16, 59, 59, tzinfo=timezone.utc)
        with ctx.uow(write=False) as uow:
            done = uow.session.get(RecomputeJob, job)
            assert (done.status, done.total, done.handled, done.changed, done.failed) == ("done", 1, 1, 1, 0)
        assert recompute.run_queued(ctx) == []  # nothing queued, nothing runs
        with ctx.uow() as uow:  # running it again moves nothing (idempotent)
            again = recompute.queue(uow.session, ADMIN, "again", datetime.now(timezone.utc))
            uow.commit()
        assert recompute.run_queued(ctx) == [again]
        with ctx.uow(write=False) as uow:
            assert (uow.session.get(RecomputeJob, again).changed, due()[0]) == (0, moved[0])
    view = calendars.year_view(ctx, 2026)
    assert any(d.day == date(2026, 4, 13) and d.source == "holiday" for d in view)
    assert calendars.milestones(ctx, 2569)["report_6"] == date(2026, 4, 20)


def test_the_evaluator_confirms_the_rule_and_due_dates_follow(world):
    ctx = world.ctx
    deploy.deploy(ctx, {"t.bpmn": one_task(timer="report_due(fiscal_year, 6, 'internal')").encode()}, DESIGNER)
    with time_machine.travel(datetime(2026, 10, 5, 3, tzinfo=timezone.utc), tick=False):
        iid = instances.start(ctx, ADMIN, "p", world.agency_a, "ภาษีรถ", 2570)
        # 10 Apr 2027 is a Saturday: the working day before, Friday 9 April
        with ctx.uow(write=False) as uow:
            task = uow.session.scalar(select(HumanTask).where(HumanTask.instance_id == iid))
        assert task.due_at == datetime(2027, 4, 9, 16, 59, 59, tzinfo=timezone.utc)
        view = {c.code: c for c in calendars.reporting_calendars(ctx, 2570)}["internal"]
        assert not view.shift_confirmed and view.shift == "previous"
        # the department's calendar is its evaluator's (กลุ่มพัฒนาระบบบริหาร), not the central office's
        with pytest.raises(Forbidden):
            calendars.set_milestones(ctx, world.actor("central"), 2570, {}, "internal", shift="next")
        assert calendars.set_milestones(ctx, world.actor("evaluator.a"), 2570, {}, "internal", shift="next")
        recompute.run_queued(ctx)
        with ctx.uow(write=False) as uow:
            task = uow.session.scalar(select(HumanTask).where(HumanTask.instance_id == iid))
        assert task.due_at == datetime(2027, 4, 12, 16, 59, 59, tzinfo=timezone.utc)  # Monday 12 April
        assert {c.code: c for c in calendars.reporting_calendars(ctx, 2570)}["internal"].shift_confirmed
        with pytest.raises(InvalidInput):
            calendars.set_milestones(ctx, world.actor("evaluator.a"), 2570, {}, "internal", shift="sideways")
        with pytest.raises(InvalidInput):
            calendars.set_milestones(ctx, world.actor("central"), 2570, {}, "nope")


@settings(max_examples=400, deadline=None)
@given(start=st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 12, 31)), span=st.integers(-500, 500),
       changes=st.dictionaries(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)), st.booleans(),
                               max_size=8))
def test_working_days_between_counts_what_walking_the_days_counts(start, span, changes):
    cal = WorkCalendar(changes)
    end = start + timedelta(days=span)
    lo, hi = sorted((start, end))
    walked = sum(cal.is_working_day(lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
    assert cal.working_days_between(start, end) == (walked if end >= start else -walked)


def test_the_calendar_kept_in_memory_follows_every_change_whoever_writes_it(any_ctx):
    """Read once and kept while the revision token stays; any change of a day (through the service or
    straight in SQL), and a change rolled back, is seen at the next unit of work."""
    from sqlalchemy import delete, insert

    from engine.calendar_context import load_calendar
    from engine.models import CalendarDay

    table = CalendarDay.__table__
    day = date(2027, 3, 3)  # a Wednesday

    def working() -> bool:
        with any_ctx.uow(write=False) as uow:
            return load_calendar(uow.session).is_working_day(day)

    assert working()
    with any_ctx.uow(write=False) as uow:
        first = load_calendar(uow.session)
    with any_ctx.uow(write=False) as uow:
        assert load_calendar(uow.session) is first  # nothing changed: not read again
    with any_ctx.uow() as uow:
        uow.session.execute(insert(table).values(day=day, working=False, reason="ปิดสำนักงาน",
                                                 created_at=datetime.now(timezone.utc)))  # plain SQL, no service
        uow.commit()
    assert not working()
    with any_ctx.uow() as uow:
        uow.session.execute(delete(table).where(table.c.day == day))
        assert load_calendar(uow.session).is_working_day(day)  # its own change, not committed
    assert not working()  # the delete was rolled back: the calendar read inside it is not kept
    calendars.remove_day(any_ctx, ADMIN, day)
    assert working()
