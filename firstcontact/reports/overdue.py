"""Overdue work: referrals that have waited longer than the scheme expects.

Each wait is in calendar days, counted from the change that started it. Overdue
work is not filtered by visit date: it is counted as it stands now, in the
chosen district and agencies.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from firstcontact.accounts.scoping import referrals_for
from firstcontact.referrals.models import Status
from firstcontact.reports.tables import Column, Table

# The longest list of overdue referrals one page shows, oldest first.
LIST_LIMIT = 50


@dataclass(frozen=True)
class OverdueStage:
    key: str
    label: str
    statuses: tuple[str, ...]
    # The referral's time the wait is counted from.
    since_field: str
    days: int

    def condition(self, now: datetime.datetime) -> Q:
        cutoff = now - datetime.timedelta(days=self.days)
        return Q(status__in=self.statuses, **{f"{self.since_field}__lt": cutoff})

    def matches(self, referral, now: datetime.datetime) -> bool:
        since = getattr(referral, self.since_field)
        return (
            referral.status in self.statuses
            and since is not None
            and since < now - datetime.timedelta(days=self.days)
        )


OVERDUE_STAGES = [
    OverdueStage(
        "awaiting_hub",
        "Waiting for the hub more than 2 days",
        (Status.DRAFT,),
        "created_at",
        2,
    ),
    # Seven calendar days is about five working days, the usual response time.
    OverdueStage(
        "no_response",
        "Sent, no answer from the agency after 7 days",
        (Status.REQUESTED,),
        "forwarded_at",
        7,
    ),
    OverdueStage(
        "declined",
        "Declined, not re-routed after 2 days",
        (Status.REJECTED,),
        "updated_at",
        2,
    ),
    OverdueStage(
        "not_completed",
        "Accepted, not completed 28 days after it was sent",
        (Status.ACCEPTED, Status.IN_PROGRESS),
        "forwarded_at",
        28,
    ),
]


def any_overdue(now) -> Q:
    combined = Q()
    for stage in OVERDUE_STAGES:
        combined |= stage.condition(now)
    return combined


def _in_filters(referrals, filters):
    if filters.district:
        referrals = referrals.filter(district=filters.district)
    if filters.referring_agency:
        referrals = referrals.filter(checklist__agency=filters.referring_agency)
    if filters.receiving_agency:
        referrals = referrals.filter(agency=filters.receiving_agency)
    return referrals.order_by()


def overdue_by_agency(scope, filters, now) -> Table:
    counts = {s.key: Count("pk", filter=s.condition(now)) for s in OVERDUE_STAGES}
    referrals = _in_filters(scope.referrals, filters).filter(any_overdue(now))
    rows = []
    for row in referrals.values("agency__name").annotate(**counts):
        row["total"] = sum(row[s.key] for s in OVERDUE_STAGES)
        rows.append({"agency": row.pop("agency__name"), **row})
    rows.sort(key=lambda row: row["agency"])
    keys = [*counts, "total"]
    return Table(
        key="overdue",
        title="Overdue work by receiving agency",
        columns=[
            Column("agency", "Receiving agency"),
            *[Column(s.key, s.label, "count") for s in OVERDUE_STAGES],
            Column("total", "All overdue", "count"),
        ],
        rows=rows,
        total={"agency": "Total", **{k: sum(r[k] for r in rows) for k in keys}},
        notes=["Counted as it stands now, whatever the period chosen."],
    )


def overdue_list(scope, filters, now) -> Table:
    """The oldest overdue referrals the user may see one by one, by reference."""
    referrals = (
        _in_filters(referrals_for(scope.user), filters)
        .filter(any_overdue(now))
        .order_by("created_at")[:LIST_LIMIT]
    )
    rows = []
    for referral in referrals:
        stage = next(s for s in OVERDUE_STAGES if s.matches(referral, now))
        since = getattr(referral, stage.since_field)
        rows.append(
            {
                "reference": referral.reference,
                "id": str(referral.pk),
                "stage": stage.label,
                "service": referral.service.name,
                "agency": referral.agency.name,
                "district": referral.district.name,
                "waiting_since": since,
                "days": (now - since).days,
            }
        )
    return Table(
        key="overdue-referrals",
        title=f"The oldest overdue referrals (up to {LIST_LIMIT})",
        columns=[
            Column("reference", "Reference"),
            Column("stage", "Overdue because"),
            Column("service", "Service"),
            Column("agency", "Receiving agency"),
            Column("district", "District"),
            Column("waiting_since", "Waiting since", "datetime"),
            Column("days", "Days waiting", "days"),
        ],
        rows=rows,
    )


def overdue_tables(scope, filters, now) -> list[Table]:
    tables = [overdue_by_agency(scope, filters, now)]
    if scope.shows_personal_records:
        tables.append(overdue_list(scope, filters, now))
    return tables
