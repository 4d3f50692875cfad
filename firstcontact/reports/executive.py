"""The quarterly progress report for the scheme's executives and funders.

It covers the roll-out of districts, volumes and outcomes for the quarter to
date and the financial year to date, and the funding: budget, spending to date,
forecast, and for later years the cost each partner is asked to share. Figures
are aggregates only; the report names no person.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from firstcontact.directory.models import District, Scheme
from firstcontact.funding.models import FundingYear
from firstcontact.referrals.models import Status
from firstcontact.reports.dashboard import ACCEPTED_STATUSES, NO_DISTRICT
from firstcontact.reports.tables import Column, Table, format_money

NUMBER_WORDS = (
    "no one two three four five six seven eight nine ten eleven twelve".split()
)


def financial_year_start(day: datetime.date) -> datetime.date:
    year = day.year if day.month >= 4 else day.year - 1
    return datetime.date(year, 4, 1)


def financial_year_name(day: datetime.date) -> str:
    start = financial_year_start(day).year
    return f"{start}/{(start + 1) % 100:02d}"


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of the financial quarter (April, July, October, January)."""
    month = ((day.month - 1) // 3) * 3 + 1
    return datetime.date(day.year, month, 1)


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def number_in_words(number: int) -> str:
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else f"{number:,}"


@dataclass
class ExecutiveReport:
    scheme: Scheme
    as_of: datetime.date
    period_start: datetime.date
    year_start: datetime.date
    tables: list[Table] = field(default_factory=list)
    # Sentences that state the funding position in words.
    funding_summary: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    @property
    def financial_year(self) -> str:
        return financial_year_name(self.as_of)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def rollout_state(district: District, as_of: datetime.date) -> str:
    if district.live_from and district.live_from <= as_of:
        return f"Live since {long_date(district.live_from)}"
    if district.pilot_from and district.pilot_from <= as_of:
        state = f"Pilot since {long_date(district.pilot_from)}"
        if district.live_from:
            state += f"; live from {long_date(district.live_from)}"
        return state
    if district.live_from:
        return f"Goes live {long_date(district.live_from)}"
    return "No date set"


def rollout_table(districts, as_of) -> Table:
    return Table(
        key="rollout",
        title="Roll-out by district",
        columns=[
            Column("district", "District"),
            Column("pilot_from", "Pilot from", "date"),
            Column("live_from", "Live from", "date"),
            Column("state", f"On {long_date(as_of)}"),
        ],
        rows=[
            {
                "district": d.name,
                "pilot_from": d.pilot_from,
                "live_from": d.live_from,
                "state": rollout_state(d, as_of),
            }
            for d in sorted(districts, key=lambda d: (d.live_from or as_of, d.name))
        ],
    )


def volumes_table(checklists, referrals, period_start, year_start, as_of) -> Table:
    in_year = {"visit_date__gte": year_start, "visit_date__lte": as_of}
    in_period = Q(visit_date__gte=period_start)
    checklist_rows = (
        checklists.filter(**in_year)
        .order_by()
        .values("district__name")
        .annotate(
            period=Count("pk", filter=in_period),
            year=Count("pk"),
            people=Count("person", distinct=True),
        )
    )
    referral_in_period = Q(checklist__visit_date__gte=period_start)
    referral_rows = (
        referrals.filter(
            checklist__visit_date__gte=year_start, checklist__visit_date__lte=as_of
        )
        .exclude(status=Status.ENTERED_IN_ERROR)
        .order_by()
        .values("district__name")
        .annotate(period=Count("pk", filter=referral_in_period), year=Count("pk"))
    )
    rows: dict[str, dict] = {}
    empty = {
        "checklists_period": 0,
        "checklists_year": 0,
        "people_year": 0,
        "referrals_period": 0,
        "referrals_year": 0,
    }
    for row in checklist_rows:
        name = row["district__name"] or NO_DISTRICT
        rows.setdefault(name, dict(empty)).update(
            checklists_period=row["period"],
            checklists_year=row["year"],
            people_year=row["people"],
        )
    for row in referral_rows:
        name = row["district__name"] or NO_DISTRICT
        rows.setdefault(name, dict(empty)).update(
            referrals_period=row["period"], referrals_year=row["year"]
        )
    table_rows = [{"district": name, **rows[name]} for name in sorted(rows)]
    keys = list(empty)
    return Table(
        key="volumes",
        title="Checklists and referrals by district",
        columns=[
            Column("district", "District"),
            Column("checklists_period", "Checklists, quarter to date", "count"),
            Column("checklists_year", "Checklists, year to date", "count"),
            Column("people_year", "People visited, year to date", "count"),
            Column("referrals_period", "Referrals, quarter to date", "count"),
            Column("referrals_year", "Referrals, year to date", "count"),
        ],
        rows=table_rows,
        total={
            "district": "Total",
            **{k: sum(r[k] for r in table_rows) for k in keys if k != "people_year"},
            "people_year": checklists.filter(**in_year)
            .order_by()
            .aggregate(people=Count("person", distinct=True))["people"],
        },
        notes=["Counted by the date of the home visit."],
    )


OUTCOME_STAGES = [
    ("made", "Referrals made", Q()),
    (
        "waiting",
        "Waiting for the hub or on hold",
        Q(status__in=[Status.DRAFT, Status.ON_HOLD]),
    ),
    ("with_agency", "With the agency, not yet accepted", Q(status=Status.REQUESTED)),
    (
        "accepted",
        "Accepted (including in progress and completed)",
        Q(status__in=ACCEPTED_STATUSES),
    ),
    ("completed", "Completed", Q(status=Status.COMPLETED)),
    (
        "declined",
        "Declined, waiting for the hub to re-route",
        Q(status=Status.REJECTED),
    ),
    ("cancelled", "Cancelled", Q(status=Status.CANCELLED)),
    ("failed", "Failed", Q(status=Status.FAILED)),
]


def outcomes_table(referrals, period_start, year_start, as_of) -> Table:
    base = referrals.filter(
        checklist__visit_date__gte=year_start, checklist__visit_date__lte=as_of
    ).exclude(status=Status.ENTERED_IN_ERROR)
    in_period = Q(checklist__visit_date__gte=period_start)
    counts = {}
    for key, _, condition in OUTCOME_STAGES:
        counts[f"{key}_period"] = Count("pk", filter=condition & in_period)
        counts[f"{key}_year"] = Count("pk", filter=condition)
    figures = base.order_by().aggregate(**counts)
    return Table(
        key="outcomes",
        title="What happened to the referrals",
        columns=[
            Column("stage", "Referrals"),
            Column("period", "Quarter to date", "count"),
            Column("year", "Year to date", "count"),
        ],
        rows=[
            {
                "stage": label,
                "period": figures[f"{key}_period"],
                "year": figures[f"{key}_year"],
            }
            for key, label, _ in OUTCOME_STAGES
        ],
        notes=["Statuses as they stand on the day the report is made."],
    )


def budget_table(year: FundingYear, as_of: datetime.date) -> Table:
    rows = []
    if year.budget is not None:
        rows.append({"item": f"Budget {year.year}", "amount": year.budget})
    if year.spent_amount is not None and year.spent_to_date <= as_of:
        rows.append(
            {
                "item": f"Spent to {long_date(year.spent_to_date)}",
                "amount": year.spent_amount,
            }
        )
        if year.budget is not None:
            rows.append(
                {
                    "item": "Budget left after that spending",
                    "amount": year.budget - year.spent_amount,
                }
            )
    if year.forecast_amount is not None:
        rows.append(
            {
                "item": f"Forecast spending to {long_date(year.forecast_to_date)}",
                "amount": year.forecast_amount,
            }
        )
        variance = year.forecast_variance
        if variance is not None:
            label = "Forecast underspend" if variance >= 0 else "Forecast overspend"
            rows.append({"item": label, "amount": abs(variance)})
    return Table(
        key=f"budget-{year.year.replace('/', '-')}",
        title=f"Budget and spending, {year.year}",
        columns=[Column("item", "Item"), Column("amount", "Amount", "money")],
        rows=rows,
    )


def cost_sharing_table(year: FundingYear) -> Table:
    rows = []
    if year.estimated_annual_cost is not None:
        rows.append(
            {
                "item": f"Estimated annual cost {year.year}",
                "amount": year.estimated_annual_cost,
            }
        )
    if year.expected_contributors:
        rows.append(
            {
                "item": "Partners expected to contribute",
                "count": year.expected_contributors,
            }
        )
    if year.share_per_contributor is not None:
        rows.append(
            {"item": "Contribution per partner", "amount": year.share_per_contributor}
        )
    for contribution in year.contributions.all():
        item = f"Already in hand: {contribution.agency.name}"
        if contribution.note:
            item += f" ({contribution.note})"
        rows.append({"item": item, "amount": contribution.amount})
    gap = year.funding_gap()
    if gap is not None:
        rows.append({"item": "Funding gap still to be committed", "amount": gap})
    return Table(
        key=f"cost-sharing-{year.year.replace('/', '-')}",
        title=f"Funding {year.year}: sharing the cost",
        columns=[
            Column("item", "Item"),
            Column("amount", "Amount", "money"),
            Column("count", "Number", "count"),
        ],
        rows=rows,
    )


def funding_sentences(year: FundingYear, as_of) -> list[str]:
    sentences = []
    if year.budget is not None and year.forecast_amount is not None:
        sentences.append(
            f"The {year.year} budget is {format_money(year.budget)}; spending is "
            f"forecast at {format_money(year.forecast_amount)} to "
            f"{long_date(year.forecast_to_date)}."
        )
    if year.estimated_annual_cost is not None and year.expected_contributors:
        count = year.expected_contributors
        sentences.append(
            f"From {year.year} the scheme is estimated to cost "
            f"{format_money(year.estimated_annual_cost)} a year, shared by "
            f"{number_in_words(count)} partners: about "
            f"{format_money(year.share_per_contributor.quantize(Decimal('1')))} each."
        )
        in_hand = year.contributions_total()
        if in_hand:
            sentences.append(
                f"{format_money(in_hand)} is already in hand, leaving "
                f"{format_money(year.funding_gap())} to be committed."
            )
    return sentences


def funding_facts(year: FundingYear, as_of: datetime.date) -> dict:
    """The year's funding for JSON: pounds as strings, spending only once reported."""
    spent_reported = year.spent_to_date is not None and year.spent_to_date <= as_of

    def money(value):
        return None if value is None else str(value)

    def day(value):
        return None if value is None else value.isoformat()

    return {
        "year": year.year,
        "budget": money(year.budget),
        "spent": {
            "to": day(year.spent_to_date) if spent_reported else None,
            "amount": money(year.spent_amount) if spent_reported else None,
        },
        "forecast": {
            "to": day(year.forecast_to_date),
            "amount": money(year.forecast_amount),
        },
        "forecast_variance": money(year.forecast_variance),
        "estimated_annual_cost": money(year.estimated_annual_cost),
        "expected_contributors": year.expected_contributors,
        "share_per_contributor": money(year.share_per_contributor),
        "contributions": [
            {
                "agency": c.agency.code,
                "agency_name": c.agency.name,
                "amount": money(c.amount),
                "note": c.note,
            }
            for c in year.contributions.all()
        ],
        "contributions_total": money(year.contributions_total()),
        "funding_gap": money(year.funding_gap()),
    }


def relevant_funding_years(scheme, as_of) -> list[FundingYear]:
    """The financial year of the report's date and the years after it."""
    current = financial_year_name(as_of)
    years = FundingYear.objects.filter(scheme=scheme).prefetch_related(
        "contributions__agency"
    )
    return [year for year in years if year.year >= current]


def build_executive_report(scheme, as_of, checklists, referrals) -> ExecutiveReport:
    """Build the report from the checklists and referrals the reader may count."""
    report = ExecutiveReport(
        scheme=scheme,
        as_of=as_of,
        period_start=quarter_start(as_of),
        year_start=financial_year_start(as_of),
    )
    districts = list(District.objects.filter(scheme=scheme))
    report.tables = [
        rollout_table(districts, as_of),
        volumes_table(
            checklists, referrals, report.period_start, report.year_start, as_of
        ),
        outcomes_table(referrals, report.period_start, report.year_start, as_of),
    ]
    funding = relevant_funding_years(scheme, as_of)
    for year in funding:
        if year.budget is not None or year.forecast_amount is not None:
            report.tables.append(budget_table(year, as_of))
        if year.estimated_annual_cost is not None or year.expected_contributors:
            report.tables.append(cost_sharing_table(year))
        report.funding_summary.extend(funding_sentences(year, as_of))
    report.facts = {
        "scheme": scheme.code,
        "scheme_name": scheme.name,
        "as_of": as_of.isoformat(),
        "financial_year": report.financial_year,
        "quarter_from": report.period_start.isoformat(),
        "year_from": report.year_start.isoformat(),
        "funding": [funding_facts(year, as_of) for year in funding],
    }
    return report
