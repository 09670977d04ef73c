"""Dates and numbers as people read them: the Buddhist Era, Thai months, Bangkok time."""
from datetime import date, datetime, timezone

import pytest

from engine.thaidate import be_date, be_month, plain_number


def test_a_day_in_the_buddhist_era_in_thai_and_english():
    assert be_date(date(2026, 4, 10)) == "10 เม.ย. 2569"
    assert be_date(date(2026, 4, 10), long=True) == "10 เมษายน พ.ศ. 2569"
    assert be_date(date(2026, 4, 10), lang="en") == "10 Apr 2569 B.E."


def test_a_moment_is_shown_in_the_configured_time_zone():
    late_evening_utc = datetime(2026, 9, 30, 20, 0, tzinfo=timezone.utc)  # 1 Oct, 03:00 in Bangkok
    assert be_date(late_evening_utc) == "1 ต.ค. 2569"
    assert be_date(late_evening_utc, with_time=True) == "1 ต.ค. 2569 03:00"
    assert be_date(late_evening_utc, tz="UTC", with_time=True) == "30 ก.ย. 2569 20:00"


def test_iso_text_nothing_and_nonsense():
    assert be_date("2026-12-02") == "2 ธ.ค. 2569"
    assert be_date("2026-12-02T01:00:00+00:00", with_time=True) == "2 ธ.ค. 2569 08:00"
    assert be_date(None) == "-" and be_date("", empty="") == ""
    assert be_date("not a date") == "not a date"  # shown as written, never an error page


def test_a_month_is_named_without_a_day():
    assert be_month(date(2026, 10, 1)) == "ต.ค. 2569"
    assert be_month("2027-01-01") == "ม.ค. 2570"
    assert be_month(date(2026, 10, 1), lang="en") == "Oct 2569 B.E."
    assert be_month(None) == "-"


@pytest.mark.parametrize("value, shown", [(15, "15"), (1.5, "1.5"), (2000, "2,000"), (2.0, "2"), (0.125, "0.12"),
                                          (None, ""), ("abc", "abc")])
def test_plain_number(value, shown):
    assert plain_number(value) == shown
