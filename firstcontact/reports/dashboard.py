"""The monitoring dashboard: checklists and referrals counted by dimension.

Every figure is counted in the database, one aggregate query per table, over
the records the user's scope counts (`accounts.scoping.*_counted_for`) whose
checklist's visit date falls in the chosen period. Referrals entered in error
are left out of every figure.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q

from firstcontact.referrals.models import (
    DeclineReason,
    HoldReason,
    Outcome,
    Status,
)
from firstcontact.reports.filters import ReportFilters
from firstcontact.reports.overdue import overdue_tables
from firstcontact.reports.scope import ReportScope
from firstcontact.reports.tables import Column, Table, percent
from firstcontact.reports.timings import timing_tables

ACCEPTED_STATUSES = [Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED]
# Statuses that only a referral forwarded to an agency can reach.
SENT_STATUSES = [*ACCEPTED_STATUSES, Status.REQUESTED, Status.REJECTED, Status.FAILED]
NO_DISTRICT = "Outside the scheme's districts"

REFERRAL_COUNTS = {
    "referrals": Count("pk"),
    "sent": Count(
        "pk", filter=Q(status__in=SENT_STATUSES) | Q(forwarded_at__isnull=False)
    ),
    "accepted": Count("pk", filter=Q(status__in=ACCEPTED_STATUSES)),
    "completed": Count("pk", filter=Q(status=Status.COMPLETED)),
    "declined": Count("pk", filter=Q(status=Status.REJECTED)),
    "failed": Count("pk", filter=Q(status=Status.FAILED)),
}
REFERRAL_COLUMNS = [
    Column("referrals", "Referrals", "count"),
    Column("sent", "Sent to agency", "count"),
    Column("accepted", "Accepted", "count"),
    Column("completed", "Completed", "count"),
    Column("declined", "Declined", "count"),
    Column("failed", "Failed", "count"),
]
CHECKLIST_COUNTS = {
    "checklists": Count("pk"),
    "eligible_checklists": Count("pk", filter=Q(eligible=True)),
    "ineligible_checklists": Count("pk", filter=Q(eligible=False)),
}
CHECKLIST_COLUMNS = [
    Column("checklists", "Checklists", "count"),
    Column("eligible_checklists", "Eligible", "count"),
    Column("ineligible_checklists", "Not eligible", "count"),
]

# (table key, title, label column heading, fields grouped by: code, name)
REFERRAL_DIMENSIONS = [
    ("referrals-by-district", "Referrals by district", "District",
     "district__code", "district__name"),
    ("referrals-by-referring-agency", "Referrals by referring agency",
     "Referring agency", "checklist__agency__code", "checklist__agency__name"),
    ("referrals-by-service", "Referrals by service", "Service",
     "service__code", "service__name"),
    ("referrals-by-receiving-agency", "Referrals by receiving agency",
     "Receiving agency", "agency__code", "agency__name"),
]  # fmt: skip
CHECKLIST_DIMENSIONS = [
    ("checklists-by-district", "Checklists by district", "District",
     "district__code", "district__name"),
    ("checklists-by-referring-agency", "Checklists by referring agency",
     "Referring agency", "agency__code", "agency__name"),
]  # fmt: skip


@dataclass
class Dashboard:
    scope: ReportScope
    filters: ReportFilters
    summary: dict
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def filter_referrals(referrals, filters: ReportFilters):
    """Referrals whose checklist's visit falls in the period, in the chosen places."""
    referrals = referrals.filter(
        checklist__visit_date__gte=filters.date_from,
        checklist__visit_date__lte=filters.date_to,
    ).exclude(status=Status.ENTERED_IN_ERROR)
    if filters.district:
        referrals = referrals.filter(district=filters.district)
    if filters.referring_agency:
        referrals = referrals.filter(checklist__agency=filters.referring_agency)
    if filters.receiving_agency:
        referrals = referrals.filter(agency=filters.receiving_agency)
    return referrals.order_by()


def referrals_in(scope: ReportScope, filters: ReportFilters):
    return filter_referrals(scope.referrals, filters)


def checklists_in(scope: ReportScope, filters: ReportFilters):
    checklists = scope.checklists.filter(
        visit_date__gte=filters.date_from, visit_date__lte=filters.date_to
    )
    if filters.district:
        checklists = checklists.filter(district=filters.district)
    if filters.referring_agency:
        checklists = checklists.filter(agency=filters.referring_agency)
    return checklists.order_by()


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _by_month(queryset, date_field, counts, filters) -> dict[datetime.date, dict]:
    """Counts for each month of the period, zero where nothing happened.

    The database groups by day and Python adds the days up: truncating each row's
    date to its month would call a Python function per row on SQLite.
    """
    months = {
        month: dict.fromkeys(counts, 0)
        for month in months_between(filters.date_from, filters.date_to)
    }
    for row in queryset.values(date_field).annotate(**counts):
        day = row.pop(date_field)
        totals = months[day.replace(day=1)]
        for key, value in row.items():
            totals[key] += value
    return months


def _totals(rows: list[dict], keys) -> dict:
    return {key: sum(row[key] for row in rows) for key in keys}


def monthly_table(checklists, referrals, filters, counts_checklists) -> Table:
    referral_months = _by_month(
        referrals, "checklist__visit_date", {"referrals": Count("pk")}, filters
    )
    checklist_months = (
        _by_month(checklists, "visit_date", CHECKLIST_COUNTS, filters)
        if counts_checklists
        else {}
    )
    columns = [Column("month", "Month of visit")]
    if counts_checklists:
        columns += [
            Column("checklists", "Checklists", "count"),
            Column("eligible_checklists", "Eligible", "count"),
        ]
    columns.append(Column("referrals", "Referrals", "count"))
    rows = []
    for month, counts in referral_months.items():
        row = {"month": f"{month:%B %Y}", "referrals": counts["referrals"]}
        if counts_checklists:
            row["checklists"] = checklist_months[month]["checklists"]
            row["eligible_checklists"] = checklist_months[month]["eligible_checklists"]
        rows.append(row)
    keys = [c.key for c in columns[1:]]
    return Table(
        key="by-month",
        title=(
            "Checklists and referrals by month"
            if counts_checklists
            else "Referrals by month"
        ),
        columns=columns,
        rows=rows,
        total={"month": "Total", **_totals(rows, keys)},
        chart_column="checklists" if counts_checklists else "referrals",
        chart_second_column="referrals" if counts_checklists else None,
    )


def dimension_table(
    queryset, key, title, heading, code_field, name_field, counts, columns
) -> Table:
    rows = []
    for row in queryset.values(code_field, name_field).annotate(**counts):
        name = row.pop(name_field) or NO_DISTRICT
        row.pop(code_field)
        rows.append({"name": name, **row})
    rows.sort(key=lambda row: row["name"])
    return Table(
        key=key,
        title=title,
        columns=[Column("name", heading), *columns],
        rows=rows,
        total={"name": "Total", **_totals(rows, counts)},
        chart_column=columns[0].key,
    )


FUNNEL_STAGES = [
    ("referrals", "Referrals made"),
    ("sent", "Sent to an agency"),
    ("accepted", "Accepted by the agency"),
    ("completed", "Completed"),
    ("declined", "Declined, waiting for the hub"),
    ("failed", "Failed"),
]


def funnel_table(referrals) -> Table:
    counts = referrals.aggregate(**REFERRAL_COUNTS)
    referrals_made = counts["referrals"]
    return Table(
        key="funnel",
        title="What happened to the referrals",
        columns=[
            Column("stage", "Stage"),
            Column("referrals", "Referrals", "count"),
            Column("share", "Share of referrals made", "percent"),
        ],
        rows=[
            {
                "stage": label,
                "referrals": counts[key],
                "share": percent(counts[key], referrals_made),
            }
            for key, label in FUNNEL_STAGES
        ],
        chart_column="referrals",
        notes=[
            "Accepted includes referrals now in progress or completed. Declined "
            "counts referrals an agency declined that the hub has not yet "
            "re-routed; a re-routed referral counts under its new agency."
        ],
    )


# Statuses whose reason the reasons table shows, with the labels of the codes.
REASON_LABELS = {
    Status.REJECTED: dict(DeclineReason.choices),
    Status.ON_HOLD: dict(HoldReason.choices),
    Status.CANCELLED: {"superseded": "Replaced by a referral with consent"},
    Status.FAILED: {},
}
REASON_TITLES = {
    Status.REJECTED: "Declined",
    Status.ON_HOLD: "On hold",
    Status.CANCELLED: "Cancelled",
    Status.FAILED: "Failed",
    Status.COMPLETED: "Completed",
}


def reasons_table(referrals) -> Table:
    rows = (
        referrals.filter(status__in=[*REASON_LABELS, Status.COMPLETED])
        .values("status", "status_reason", "outcome")
        .annotate(referrals=Count("pk"))
    )
    outcome_labels = dict(Outcome.choices)
    table_rows = []
    for row in rows:
        status = row["status"]
        if status == Status.COMPLETED:
            code = row["outcome"]
            reason = outcome_labels.get(code, code) or "No outcome recorded"
        else:
            code = row["status_reason"]
            reason = REASON_LABELS[status].get(code, code) or "No reason recorded"
        table_rows.append(
            {
                "status": REASON_TITLES[status],
                "reason": reason,
                "referrals": row["referrals"],
            }
        )
    merged: dict[tuple, int] = {}
    for row in table_rows:
        key = (row["status"], row["reason"])
        merged[key] = merged.get(key, 0) + row["referrals"]
    order = list(REASON_TITLES.values())
    return Table(
        key="reasons",
        title="Reasons and outcomes",
        columns=[
            Column("status", "Status"),
            Column("reason", "Reason or outcome"),
            Column("referrals", "Referrals", "count"),
        ],
        rows=[
            {"status": status, "reason": reason, "referrals": n}
            for (status, reason), n in sorted(
                merged.items(), key=lambda item: (order.index(item[0][0]), -item[1])
            )
        ],
    )


def summary_figures(checklists, referrals, counts_checklists) -> dict:
    summary = referrals.aggregate(
        referrals=Count("pk"),
        completed=Count("pk", filter=Q(status=Status.COMPLETED)),
    )
    if counts_checklists:
        summary |= checklists.aggregate(
            checklists=Count("pk"), people=Count("person", distinct=True)
        )
    return summary


def build_dashboard(scope: ReportScope, filters: ReportFilters, now) -> Dashboard:
    referrals = referrals_in(scope, filters)
    checklists = checklists_in(scope, filters)
    counts_checklists = scope.counts_checklists
    dashboard = Dashboard(
        scope=scope,
        filters=filters,
        summary=summary_figures(checklists, referrals, counts_checklists),
    )
    tables = dashboard.tables
    tables.append(funnel_table(referrals))
    tables.append(monthly_table(checklists, referrals, filters, counts_checklists))
    if counts_checklists:
        for dimension in CHECKLIST_DIMENSIONS:
            tables.append(
                dimension_table(
                    checklists, *dimension, CHECKLIST_COUNTS, CHECKLIST_COLUMNS
                )
            )
    for dimension in REFERRAL_DIMENSIONS:
        tables.append(
            dimension_table(referrals, *dimension, REFERRAL_COUNTS, REFERRAL_COLUMNS)
        )
    tables.append(reasons_table(referrals))
    tables.extend(timing_tables(referrals))
    tables.extend(overdue_tables(scope, filters, now))
    return dashboard
