"""UK working days for due dates: England and Wales, in Europe/London time.

A working day is Monday to Friday, less the bank holidays of England and Wales
as the `holidays` package lists them (subdivision ENG, which Wales shares),
including one-off days such as the 2023 coronation. A response due in N working
days is due by the end of the Nth working day after the day the referral was
forwarded: midnight, Europe/London time, whether that is GMT or BST.
"""

import datetime
import functools
import zoneinfo

import holidays

LONDON = zoneinfo.ZoneInfo("Europe/London")
# Bound on the days a due-date search looks ahead, so a bad input cannot loop.
MAX_CALENDAR_DAYS = 366


@functools.lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """Return the `count`th working day after `day` (`day` itself not counted)."""
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}.")
    if count == 0:
        return day
    found = 0
    for offset in range(1, MAX_CALENDAR_DAYS + 1):
        candidate = day + datetime.timedelta(days=offset)
        if is_working_day(candidate):
            found += 1
            if found == count:
                return candidate
    raise ValueError(f"{count} working days is more than a year ahead.")


def end_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the end of `day` in London, as an aware datetime."""
    next_day = day + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time(0, 0), tzinfo=LONDON)


def due_at(forwarded_at: datetime.datetime, response_days: int) -> datetime.datetime:
    """When a response is due for a referral forwarded at `forwarded_at`."""
    forwarded_day = forwarded_at.astimezone(LONDON).date()
    return end_of_day(add_working_days(forwarded_day, response_days))


def escalation_at(due: datetime.datetime, working_days: int) -> datetime.datetime:
    """When an overdue referral goes to the hub: `working_days` after it was due."""
    due_day = (due - datetime.timedelta(microseconds=1)).astimezone(LONDON).date()
    return end_of_day(add_working_days(due_day, working_days))
