"""Every dashboard figure against the same count made directly in SQL."""

import datetime
import math
import zoneinfo
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from firstcontact.directory.models import Agency
from firstcontact.referrals.models import DeclineReason
from firstcontact.reports.dashboard import build_dashboard
from firstcontact.reports.filters import ReportFilters
from firstcontact.reports.scope import ReportScope

LONDON = zoneinfo.ZoneInfo("Europe/London")
AGENCY_VISIBLE = "('requested', 'accepted', 'in-progress', 'completed', 'rejected')"


def db_id(value):
    """A UUID as the database stores it: hex on SQLite, native on PostgreSQL."""
    return value.hex if connection.vendor == "sqlite" else value


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"substr({column}, 1, 7)"


class Counts:
    """Raw SQL over referrals (r) joined to their checklist (c), in one scope."""

    def __init__(self, user, filters: ReportFilters):
        self.where = [
            "r.scheme_id = %s",
            "c.visit_date >= %s",
            "c.visit_date <= %s",
            "r.status <> 'entered-in-error'",
        ]
        self.params = [
            db_id(user.scheme_id),
            filters.date_from.isoformat(),
            filters.date_to.isoformat(),
        ]
        if user.role == "agency":
            self.where += ["r.agency_id = %s", f"r.status IN {AGENCY_VISIBLE}"]
            self.params.append(db_id(user.agency_id))
        if user.role == "referrer":
            self.where.append("c.agency_id = %s")
            self.params.append(db_id(user.agency_id))
        self.checklist_where = [
            "c.scheme_id = %s",
            "c.visit_date >= %s",
            "c.visit_date <= %s",
        ]
        self.checklist_params = self.params[:3]
        if user.role == "referrer":
            self.checklist_where.append("c.agency_id = %s")
            self.checklist_params.append(db_id(user.agency_id))

    def referrals(self, select: str, joins: str = "", group: str = "") -> list[tuple]:
        sql = (
            f"SELECT {select} FROM referrals_referral r "
            "JOIN checklists_checklist c ON c.id = r.checklist_id "
            f"{joins} WHERE {' AND '.join(self.where)} {group}"
        )
        return fetch(sql, self.params)

    def checklists(self, select: str, joins: str = "", group: str = "") -> list[tuple]:
        sql = (
            f"SELECT {select} FROM checklists_checklist c {joins} "
            f"WHERE {' AND '.join(self.checklist_where)} {group}"
        )
        return fetch(sql, self.checklist_params)


OUTCOME_COLUMNS = (
    "COUNT(*), "
    "SUM(CASE WHEN r.forwarded_at IS NOT NULL OR r.status IN ('requested', "
    "'accepted', 'in-progress', 'completed', 'rejected', 'failed') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN r.status IN ('accepted', 'in-progress', 'completed') "
    "THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN r.status = 'completed' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN r.status = 'rejected' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END)"
)
OUTCOME_KEYS = ["referrals", "sent", "accepted", "completed", "declined", "failed"]


def as_rows(table, keys) -> dict[str, tuple]:
    label = table.columns[0].key
    return {row[label]: tuple(row[k] for k in keys) for row in table.rows}


@pytest.fixture
def period():
    today = timezone.localdate()
    return ReportFilters(today - datetime.timedelta(days=400), today)


@pytest.fixture(params=["manager", "hub", "executive", "agency", "referrer"])
def viewer(request, make_user):
    if request.param == "agency":
        # The agency that receives most referrals, so its figures are not empty.
        return make_user("fire.agency", "agency", "fire-rescue")
    if request.param == "referrer":
        return make_user("police.referrer", "referrer", "police")
    return make_user(f"a.{request.param}", request.param)


@pytest.fixture
def dashboard(activity, viewer, period):
    return build_dashboard(ReportScope.for_user(viewer), period, timezone.now())


@pytest.fixture
def counts(viewer, period):
    return Counts(viewer, period)


def test_funnel_matches_sql(dashboard, counts):
    (expected,) = counts.referrals(OUTCOME_COLUMNS)
    funnel = {row["stage"]: row["referrals"] for row in dashboard.table("funnel").rows}
    assert list(funnel.values()) == [int(n or 0) for n in expected]


@pytest.mark.parametrize(
    "key, join, name",
    [
        ("referrals-by-district", "JOIN directory_district d ON d.id = r.district_id",
         "d.name"),
        ("referrals-by-referring-agency",
         "JOIN directory_agency a ON a.id = c.agency_id", "a.name"),
        ("referrals-by-service", "JOIN directory_service s ON s.id = r.service_id",
         "s.name"),
        ("referrals-by-receiving-agency",
         "JOIN directory_agency a ON a.id = r.agency_id", "a.name"),
    ],
)  # fmt: skip
def test_referral_dimension_matches_sql(dashboard, counts, key, join, name):
    rows = counts.referrals(f"{name}, {OUTCOME_COLUMNS}", join, f"GROUP BY {name}")
    expected = {row[0]: tuple(int(n) for n in row[1:]) for row in rows}
    assert as_rows(dashboard.table(key), OUTCOME_KEYS) == expected


def test_referrals_by_month_match_sql(dashboard, counts):
    month = month_sql("c.visit_date")
    rows = counts.referrals(f"{month}, COUNT(*)", group=f"GROUP BY {month}")
    expected = {key: n for key, n in rows}
    table = dashboard.table("by-month")
    shown = {
        datetime.datetime.strptime(row["month"], "%B %Y").strftime("%Y-%m"): row[
            "referrals"
        ]
        for row in table.rows
        if row["referrals"]
    }
    assert shown == expected


def test_checklists_by_month_match_sql(dashboard, counts, viewer):
    if not dashboard.scope.counts_checklists:
        pytest.skip("agency users' dashboards count referrals only")
    month = month_sql("c.visit_date")
    rows = counts.checklists(
        f"{month}, COUNT(*), SUM(CASE WHEN c.eligible THEN 1 ELSE 0 END)",
        group=f"GROUP BY {month}",
    )
    expected = {key: (n, int(eligible)) for key, n, eligible in rows}
    shown = {
        datetime.datetime.strptime(row["month"], "%B %Y").strftime("%Y-%m"): (
            row["checklists"],
            row["eligible_checklists"],
        )
        for row in dashboard.table("by-month").rows
        if row["checklists"]
    }
    assert shown == expected


@pytest.mark.parametrize(
    "key, join, name",
    [
        ("checklists-by-district",
         "LEFT JOIN directory_district d ON d.id = c.district_id", "d.name"),
        ("checklists-by-referring-agency",
         "JOIN directory_agency a ON a.id = c.agency_id", "a.name"),
    ],
)  # fmt: skip
def test_checklist_dimension_matches_sql(dashboard, counts, key, join, name):
    if not dashboard.scope.counts_checklists:
        pytest.skip("agency users' dashboards count referrals only")
    rows = counts.checklists(
        f"{name}, COUNT(*), SUM(CASE WHEN c.eligible THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.eligible THEN 0 ELSE 1 END)",
        join,
        f"GROUP BY {name}",
    )
    expected = {
        (row[0] or "Outside the scheme's districts"): tuple(int(n) for n in row[1:])
        for row in rows
    }
    keys = ["checklists", "eligible_checklists", "ineligible_checklists"]
    assert as_rows(dashboard.table(key), keys) == expected


def test_summary_matches_sql(dashboard, counts):
    (referrals,) = counts.referrals(
        "COUNT(*), SUM(CASE WHEN r.status = 'completed' THEN 1 ELSE 0 END)"
    )
    assert (dashboard.summary["referrals"], dashboard.summary["completed"]) == (
        referrals[0],
        int(referrals[1] or 0),
    )


def test_people_visited_matches_sql(dashboard, counts):
    if not dashboard.scope.counts_checklists:
        pytest.skip("agency users' dashboards count referrals only")
    ((checklists, people),) = counts.checklists("COUNT(*), COUNT(DISTINCT c.person_id)")
    assert (dashboard.summary["checklists"], dashboard.summary["people"]) == (
        checklists,
        people,
    )


REASON_STATUSES = {
    "Declined": "rejected",
    "On hold": "on-hold",
    "Cancelled": "cancelled",
    "Failed": "failed",
    "Completed": "completed",
}


def test_reasons_match_sql(dashboard, counts):
    rows = counts.referrals("r.status, COUNT(*)", group="GROUP BY r.status")
    expected = {s: n for s, n in rows if s in REASON_STATUSES.values()}
    shown = Counter()
    for row in dashboard.table("reasons").rows:
        shown[REASON_STATUSES[row["status"]]] += row["referrals"]
    assert dict(shown) == expected


def test_decline_reasons_match_sql(dashboard, counts):
    counts.where.append("r.status = 'rejected'")
    rows = counts.referrals(
        "r.status_reason, COUNT(*)", group="GROUP BY r.status_reason"
    )
    labels = dict(DeclineReason.choices)
    expected = {labels[reason]: n for reason, n in rows}
    shown = {
        row["reason"]: row["referrals"]
        for row in dashboard.table("reasons").rows
        if row["status"] == "Declined"
    }
    assert shown == expected


def days_histogram(rows) -> Counter:
    histogram = Counter()
    for visit, moment in rows:
        if isinstance(visit, str):
            visit = datetime.date.fromisoformat(visit)
        if isinstance(moment, str):
            moment = datetime.datetime.fromisoformat(moment).replace(
                tzinfo=datetime.UTC
            )
        histogram[(moment.astimezone(LONDON).date() - visit).days] += 1
    return histogram


def nearest_rank(histogram: Counter, fraction: float):
    values = sorted(histogram.elements())
    if not values:
        return None
    return values[max(1, math.ceil(fraction * len(values))) - 1]


def test_days_to_first_contact_match_sql(dashboard, counts):
    rows = counts.referrals(
        "c.visit_date, MIN(e.at)",
        "JOIN audit_auditevent e ON e.target_id = r.id "
        "AND e.action = 'referral.accepted'",
        "GROUP BY r.id, c.visit_date",
    )
    histogram = days_histogram(rows)
    (contact, _) = dashboard.table("timings").rows
    assert (contact["referrals"], contact["median"], contact["p90"]) == (
        sum(histogram.values()),
        nearest_rank(histogram, 0.5),
        nearest_rank(histogram, 0.9),
    )


def test_days_to_completion_match_sql(dashboard, counts):
    counts.where.append("r.status = 'completed'")
    rows = counts.referrals("c.visit_date, r.closed_at")
    counts.where.pop()
    histogram = days_histogram(rows)
    (_, completion) = dashboard.table("timings").rows
    assert (completion["referrals"], completion["median"], completion["p90"]) == (
        sum(histogram.values()),
        nearest_rank(histogram, 0.5),
        nearest_rank(histogram, 0.9),
    )


OVERDUE_SQL = {
    "awaiting_hub": ("r.status = 'draft' AND r.created_at < %s", 2),
    "no_response": ("r.status = 'requested' AND r.forwarded_at < %s", 7),
    "declined": ("r.status = 'rejected' AND r.updated_at < %s", 2),
    "not_completed": (
        "r.status IN ('accepted', 'in-progress') AND r.forwarded_at < %s",
        28,
    ),
}


@pytest.mark.parametrize("stage", OVERDUE_SQL)
def test_overdue_matches_sql(activity, viewer, period, stage):
    now = timezone.now()
    dashboard = build_dashboard(ReportScope.for_user(viewer), period, now)
    counts = Counts(viewer, period)
    # Overdue work is counted whatever the period: drop the visit-date limits.
    counts.where = [w for w in counts.where if "visit_date" not in w]
    counts.params = [counts.params[0], *counts.params[3:]]
    condition, days = OVERDUE_SQL[stage]
    counts.where.append(condition)
    counts.params.append(now - datetime.timedelta(days=days))
    ((expected,),) = counts.referrals("COUNT(*)")
    assert dashboard.table("overdue").total[stage] == expected


def test_agency_dashboard_names_no_other_receiving_agency(activity, make_user, period):
    user = make_user("fire.agency", "agency", "fire-rescue")
    dashboard = build_dashboard(ReportScope.for_user(user), period, timezone.now())
    names = {
        row["name"] for row in dashboard.table("referrals-by-receiving-agency").rows
    }
    assert names == {Agency.objects.get(code="fire-rescue").name}
