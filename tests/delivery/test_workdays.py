"""Due dates in UK working days, Europe/London time."""

import datetime

import pytest

from firstcontact.delivery.workdays import (
    LONDON,
    add_working_days,
    due_at,
    escalation_at,
    is_working_day,
)

UTC = datetime.UTC


def london(*args):
    return datetime.datetime(*args, tzinfo=LONDON)


def test_friday_before_bank_holiday_monday_skips_the_holiday():
    # 25 August 2025 is the summer bank holiday.
    forwarded = london(2025, 8, 22, 15, 30)

    due = due_at(forwarded, 5)

    assert due == london(2025, 9, 2, 0, 0)
    assert due.astimezone(UTC) == datetime.datetime(2025, 9, 1, 23, 0, tzinfo=UTC)


def test_bank_holiday_weekend_next_day_tuesday():
    assert add_working_days(datetime.date(2025, 8, 22), 1) == datetime.date(2025, 8, 26)


def test_due_across_spring_clock_change():
    # Clocks went forward on Sunday 30 March 2025.
    forwarded = london(2025, 3, 26, 10, 0)

    due = due_at(forwarded, 5)

    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime.datetime(
        2025, 4, 3, 0, 0
    )
    assert due.astimezone(UTC) == datetime.datetime(2025, 4, 2, 23, 0, tzinfo=UTC)


def test_due_across_autumn_clock_change():
    # Clocks went back on Sunday 26 October 2025.
    forwarded = london(2025, 10, 22, 16, 0)

    due = due_at(forwarded, 5)

    assert due.astimezone(UTC) == datetime.datetime(2025, 10, 30, 0, 0, tzinfo=UTC)
    assert due.utcoffset() == datetime.timedelta(0)


def test_due_counts_london_date_not_utc():
    # 23:30 BST on Friday is 22:30 UTC the same day; 00:30 BST Saturday is
    # Friday 23:30 UTC, which must count as Saturday.
    saturday_early = datetime.datetime(2025, 6, 13, 23, 30, tzinfo=UTC)

    assert due_at(saturday_early, 1) == london(2025, 6, 17, 0, 0)


def test_easter_weekend_skips_good_friday_and_easter_monday():
    assert add_working_days(datetime.date(2025, 4, 17), 1) == datetime.date(2025, 4, 22)


def test_christmas_skips_substitute_boxing_day():
    # 26 December 2026 is a Saturday, so Monday 28 December is the holiday.
    assert add_working_days(datetime.date(2026, 12, 24), 1) == datetime.date(
        2026, 12, 29
    )


def test_forwarded_on_saturday_counts_from_monday():
    assert due_at(london(2025, 6, 14, 11, 0), 1) == london(2025, 6, 17, 0, 0)


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2023, 5, 8),  # coronation of King Charles III
        datetime.date(2022, 9, 19),  # state funeral of Queen Elizabeth II
        datetime.date(2026, 5, 4),  # early May bank holiday
    ],
)
def test_bank_holidays_are_not_working_days(day):
    assert not is_working_day(day)


def test_escalation_counts_working_days_after_due():
    due = london(2025, 8, 23, 0, 0)  # end of Friday 22 August

    assert escalation_at(due, 2) == london(2025, 8, 28, 0, 0)


def test_negative_working_days_are_rejected():
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(datetime.date(2025, 1, 6), -1)
