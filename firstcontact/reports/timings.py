"""Days from the home visit to the agency's first contact and to completion.

First contact is the first "referral.accepted" audit event of a referral: the
moment the receiving agency took it on. Completion is `closed_at` of a completed
referral. Both are counted in whole days between the visit date and the
Europe/London date of the event, so a referral accepted on the day of the visit
took 0 days.
"""

import datetime
import math
import zoneinfo
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import TruncDate

from firstcontact.audit.models import AuditEvent
from firstcontact.referrals.models import Status
from firstcontact.reports.tables import Column, Table

LONDON = zoneinfo.ZoneInfo("Europe/London")
ACCEPTED_ACTION = "referral.accepted"
# (label, first day, last day); None means no upper limit.
DAY_BANDS = [
    ("0 to 1 days", 0, 1),
    ("2 to 7 days", 2, 7),
    ("8 to 14 days", 8, 14),
    ("15 to 28 days", 15, 28),
    ("More than 28 days", 29, None),
]


@dataclass
class DaySummary:
    """A distribution of whole days, as {days: referrals}."""

    histogram: dict[int, int]

    @property
    def count(self) -> int:
        return sum(self.histogram.values())

    def percentile(self, fraction: float) -> int | None:
        """Return the nearest-rank percentile of the days."""
        if not self.count:
            return None
        rank = max(1, math.ceil(fraction * self.count))
        seen = 0
        for days in sorted(self.histogram):
            seen += self.histogram[days]
            if seen >= rank:
                return days
        return None

    @property
    def mean(self) -> float | None:
        if not self.count:
            return None
        return sum(d * n for d, n in self.histogram.items()) / self.count

    def in_band(self, first: int, last: int | None) -> int:
        return sum(
            n
            for days, n in self.histogram.items()
            if max(days, 0) >= first and (last is None or max(days, 0) <= last)
        )


def _as_date(value) -> datetime.date:
    # A raw cursor returns SQLite dates as text.
    return (
        value
        if isinstance(value, datetime.date)
        else datetime.date.fromisoformat(value)
    )


def days_to_first_contact(referrals) -> DaySummary:
    """Count referrals by whole days from the visit to their first acceptance.

    The referrals' own query, scope and filters included, is joined to the
    accepted events grouped by referral. Django's ORM can only reach the audit
    trail, which has no foreign key to referrals, through a subquery per
    referral, and on PostgreSQL that made this the dashboard's slowest query by
    five times.
    """
    scoped_sql, scoped_params = (
        referrals.order_by()
        .annotate(visit_date=F("checklist__visit_date"))
        .values("id", "visit_date")
        .query.sql_with_params()
    )
    accepted_day, day_params = connection.ops.datetime_cast_date_sql(
        "first_event.first_at", (), LONDON.key
    )
    # The query is built from Django's own SQL and a model's table name; values
    # are parameters.
    sql = (
        f"SELECT scoped.visit_date, {accepted_day}, COUNT(*) "  # nosec B608
        f"FROM ({scoped_sql}) scoped "
        "JOIN (SELECT target_id, MIN(at) AS first_at "
        f"FROM {AuditEvent._meta.db_table} WHERE action = %s GROUP BY target_id) "
        "first_event ON first_event.target_id = scoped.id GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*day_params, *scoped_params, ACCEPTED_ACTION))
        rows = cursor.fetchall()
    histogram: dict[int, int] = {}
    for visit_date, accepted_on, count in rows:
        days = (_as_date(accepted_on) - _as_date(visit_date)).days
        histogram[days] = histogram.get(days, 0) + count
    return DaySummary(histogram)


def _histogram(referrals, moment) -> DaySummary:
    """Count referrals by whole days from the visit to `moment`, in London dates.

    The database groups by (visit date, date of the moment) and Python takes the
    differences, so SQLite runs no date arithmetic function per row. Referrals
    without the moment fall in the group whose second date is None.
    """
    rows = (
        referrals.order_by()
        .annotate(moment_date=TruncDate(moment, tzinfo=LONDON))
        .values("checklist__visit_date", "moment_date")
        .annotate(referrals=Count("pk"))
    )
    histogram: dict[int, int] = {}
    for row in rows:
        if row["moment_date"] is None:
            continue
        days = (row["moment_date"] - row["checklist__visit_date"]).days
        histogram[days] = histogram.get(days, 0) + row["referrals"]
    return DaySummary(histogram)


def days_to_completion(referrals) -> DaySummary:
    completed = referrals.filter(status=Status.COMPLETED, closed_at__isnull=False)
    return _histogram(completed, F("closed_at"))


def timing_tables(referrals) -> list[Table]:
    contact = days_to_first_contact(referrals)
    completion = days_to_completion(referrals)
    summary = Table(
        key="timings",
        title="Days from the visit to first contact and to completion",
        columns=[
            Column("measure", "Measure"),
            Column("referrals", "Referrals", "count"),
            Column("median", "Median days", "days"),
            Column("p90", "90th percentile, days", "days"),
            Column("mean", "Mean days", "days"),
        ],
        rows=[
            _summary_row("Visit to first contact (accepted)", contact),
            _summary_row("Visit to completion", completion),
        ],
        notes=[
            "First contact is when the receiving agency accepted the referral, "
            "from the referral's audit trail. Days are whole calendar days from "
            "the visit date; percentiles are by the nearest-rank method."
        ],
    )
    bands = Table(
        key="timing-bands",
        title="Referrals by days from the visit",
        columns=[
            Column("band", "Days from the visit"),
            Column("to_contact", "To first contact", "count"),
            Column("to_completion", "To completion", "count"),
        ],
        rows=[
            {
                "band": label,
                "to_contact": contact.in_band(first, last),
                "to_completion": completion.in_band(first, last),
            }
            for label, first, last in DAY_BANDS
        ],
        total={
            "band": "Total",
            "to_contact": contact.count,
            "to_completion": completion.count,
        },
        chart_column="to_contact",
        chart_second_column="to_completion",
    )
    return [summary, bands]


def _summary_row(label: str, summary: DaySummary) -> dict:
    mean = summary.mean
    return {
        "measure": label,
        "referrals": summary.count,
        "median": summary.percentile(0.5),
        "p90": summary.percentile(0.9),
        "mean": None if mean is None else round(mean, 1),
    }
