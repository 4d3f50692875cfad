"""Reach: the people the scheme has reached, against each district's population.

People reached are the distinct people with an eligible checklist in the
period, in the district of that checklist. The population figures are the ONS
tables that `firstcontact load_population` loaded; with none loaded, the
tables say so and show no rates. No figure is estimated.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.fields.json import KT

from firstcontact.directory.models import District
from firstcontact.reports.census import (
    AGE_BANDS,
    ETHNIC_GROUPS,
    HIGH_LEVEL_ETHNIC_GROUPS,
    high_level_group,
)
from firstcontact.reports.equality import (
    SUPPRESSION_NOTE,
    reached_checklists,
    with_age_band,
)
from firstcontact.reports.models import PopulationFigure, PopulationTable
from firstcontact.reports.tables import (
    SUPPRESSED,
    Column,
    Suppressed,
    Table,
    suppress_small_counts,
)

ETHNIC_GROUP_CODES = {label: code for code, label in ETHNIC_GROUPS.items()}
ALL_AGES_NOTE = (
    "The population by ethnic group is of all ages (Census 2021 usual "
    "residents): no ONS table gives ethnic group for people aged 60 and over by "
    "district, so the comparison is of shares, not of rates."
)


@dataclass
class Reach:
    tables: list[Table] = field(default_factory=list)
    sources: list[PopulationTable] = field(default_factory=list)


def population(kind: str) -> dict[tuple[str, str], int]:
    """{(ons_code, category): people} for one loaded table, empty if none."""
    figures = PopulationFigure.objects.filter(table__kind=kind)
    return {(f.ons_code, f.category): f.people for f in figures}


def per_thousand(people, population_count):
    if isinstance(people, Suppressed):
        return SUPPRESSED
    if not population_count:
        return None
    return round(1000 * people / population_count, 1)


def index_against(rate, county_rate):
    """The rate as a share of the county's rate: 100 is the county level."""
    if isinstance(rate, Suppressed):
        return SUPPRESSED
    if rate is None or not county_rate:
        return None
    return round(100 * rate / county_rate)


def reach_by_district_table(districts, checklists) -> Table:
    rows = (
        reached_checklists(checklists)
        .values("district__ons_code")
        .annotate(people=Count("person", distinct=True))
    )
    reached = {r["district__ons_code"]: r["people"] for r in rows}
    people_60_plus = population(PopulationTable.Kind.AGE_60_PLUS)
    populations = {
        d.ons_code: sum(people_60_plus.get((d.ons_code, band), 0) for band in AGE_BANDS)
        or None
        for d in districts
    }
    county_rate = per_thousand(
        sum(reached.get(d.ons_code, 0) for d in districts),
        sum(p or 0 for p in populations.values()),
    )
    counts = suppress_small_counts([reached.get(d.ons_code, 0) for d in districts])
    table_rows = []
    for district, people in zip(districts, counts, strict=True):
        rate = per_thousand(people, populations[district.ons_code])
        table_rows.append(
            {
                "district": district.name,
                "people": people,
                "population": populations[district.ons_code],
                "rate": rate,
                "index": index_against(rate, county_rate),
            }
        )
    return Table(
        key="reach-district",
        title="People reached per 1,000 people aged 60 and over, by district",
        columns=[
            Column("district", "District"),
            Column("people", "People reached", "count"),
            Column("population", "Population aged 60 and over (ONS)", "count"),
            Column("rate", "Per 1,000 people", "rate"),
            Column("index", "Index (county rate = 100)", "number"),
        ],
        rows=table_rows,
        chart_column="rate",
        notes=[SUPPRESSION_NOTE],
    )


def reached_by_district_and_band(checklists) -> dict[tuple, int]:
    rows = (
        with_age_band(reached_checklists(checklists))
        .values("district__ons_code", "age_band")
        .annotate(people=Count("person", distinct=True))
    )
    return {(r["district__ons_code"], r["age_band"]): r["people"] for r in rows}


def reach_by_age_table(districts, checklists) -> Table:
    reached = reached_by_district_and_band(checklists)
    people_60_plus = population(PopulationTable.Kind.AGE_60_PLUS)
    county_rates = {}
    for band in AGE_BANDS:
        county_people = sum(reached.get((d.ons_code, band), 0) for d in districts)
        county_population = sum(
            people_60_plus.get((d.ons_code, band), 0) for d in districts
        )
        county_rates[band] = per_thousand(county_people, county_population)
    rows = []
    for district in districts:
        counts = [reached.get((district.ons_code, band), 0) for band in AGE_BANDS]
        for band, people in zip(AGE_BANDS, suppress_small_counts(counts), strict=True):
            pop = people_60_plus.get((district.ons_code, band))
            rate = per_thousand(people, pop)
            rows.append(
                {
                    "district": district.name,
                    "band": AGE_BANDS[band],
                    "people": people,
                    "population": pop,
                    "rate": rate,
                    "index": index_against(rate, county_rates[band]),
                }
            )
    return Table(
        key="reach-age",
        title="People reached per 1,000 people aged 60 and over, by age band",
        columns=[
            Column("district", "District"),
            Column("band", "Age band"),
            Column("people", "People reached", "count"),
            Column("population", "Population (ONS)", "count"),
            Column("rate", "Per 1,000 people", "rate"),
            Column("index", "Index (county rate = 100)", "number"),
        ],
        rows=rows,
        notes=[
            "An index below 100 means the district reaches fewer people of that "
            "age, for its population, than the county as a whole.",
            SUPPRESSION_NOTE,
        ],
    )


def reached_by_district_and_group(checklists) -> dict[tuple, int]:
    rows = (
        reached_checklists(checklists)
        .annotate(ethnic_group=KT("equality__ethnic_group"))
        .values("district__ons_code", "ethnic_group")
        .annotate(people=Count("person", distinct=True))
    )
    counts: dict[tuple, int] = {}
    for row in rows:
        code = row["ethnic_group"]
        if code not in ETHNIC_GROUPS:
            continue
        key = (row["district__ons_code"], high_level_group(code))
        counts[key] = counts.get(key, 0) + row["people"]
    return counts


def residents_by_group(districts) -> dict[tuple, int]:
    residents: dict[tuple, int] = {}
    for (ons_code, label), people in population(
        PopulationTable.Kind.ETHNIC_GROUP
    ).items():
        code = ETHNIC_GROUP_CODES.get(label)
        if code is None:
            continue
        key = (ons_code, high_level_group(code))
        residents[key] = residents.get(key, 0) + people
    return residents


def share(part, whole):
    if isinstance(part, Suppressed):
        return SUPPRESSED
    if not whole:
        return None
    return 100.0 * part / whole


def representation(reached_share, resident_share):
    if isinstance(reached_share, Suppressed):
        return SUPPRESSED
    if reached_share is None or not resident_share:
        return None
    return round(100 * reached_share / resident_share)


def reach_by_ethnic_group_table(districts, checklists) -> Table:
    reached = reached_by_district_and_group(checklists)
    residents = residents_by_group(districts)
    rows = []
    for district in districts:
        counts = [
            reached.get((district.ons_code, g), 0) for g in HIGH_LEVEL_ETHNIC_GROUPS
        ]
        recorded = sum(counts)
        residents_total = sum(
            residents.get((district.ons_code, g), 0) for g in HIGH_LEVEL_ETHNIC_GROUPS
        )
        shown = suppress_small_counts(counts)
        for group, people in zip(HIGH_LEVEL_ETHNIC_GROUPS, shown, strict=True):
            reached_share = share(people, recorded)
            resident_share = share(
                residents.get((district.ons_code, group), 0), residents_total
            )
            rows.append(
                {
                    "district": district.name,
                    "group": HIGH_LEVEL_ETHNIC_GROUPS[group],
                    "people": people,
                    "reached_share": reached_share,
                    "resident_share": resident_share,
                    "index": representation(reached_share, resident_share),
                }
            )
    return Table(
        key="reach-ethnic-group",
        title="People reached by ethnic group, against all residents",
        columns=[
            Column("district", "District"),
            Column("group", "Ethnic group"),
            Column("people", "People reached", "count"),
            Column("reached_share", "Share of people reached", "percent"),
            Column("resident_share", "Share of residents, all ages", "percent"),
            Column("index", "Index (residents' share = 100)", "number"),
        ],
        rows=rows,
        notes=[
            ALL_AGES_NOTE,
            "Shares of people reached are of those whose ethnic group was "
            "recorded. An index below 100 means the group makes up less of the "
            "people reached than of the district's residents.",
            SUPPRESSION_NOTE,
        ],
    )


def build_reach(scope, filters) -> Reach:
    """Reach tables for the period, over every district so the county rate is whole.

    The district filter chooses which districts' rows to show; it does not
    change the county rates that the index compares with.
    """
    checklists = scope.checklists.filter(
        visit_date__gte=filters.date_from, visit_date__lte=filters.date_to
    )
    if filters.referring_agency:
        checklists = checklists.filter(agency=filters.referring_agency)
    districts = list(District.objects.filter(scheme=scope.scheme).order_by("name"))
    tables = [
        reach_by_district_table(districts, checklists),
        reach_by_age_table(districts, checklists),
        reach_by_ethnic_group_table(districts, checklists),
    ]
    if filters.district:
        for table in tables:
            table.rows = [
                r for r in table.rows if r["district"] == filters.district.name
            ]
    return Reach(tables=tables, sources=list(PopulationTable.objects.order_by("kind")))
