"""Equality monitoring in aggregate: the people reached, by census category.

A person counts once in a table for each category their checklists in the
period record; counts of 1 to 4 are suppressed (see `tables.suppress_small_counts`).
"""

from django.db.models import Count, F
from django.db.models.fields.json import KT

from firstcontact.reports.ages import YearsBetween, age_band_of
from firstcontact.reports.census import (
    AGE_BANDS,
    DISABILITY,
    ETHNIC_GROUPS,
    PREFER_NOT_TO_SAY,
    SEXES,
    label_for,
)
from firstcontact.reports.tables import (
    Column,
    Table,
    suppress_small_counts,
    suppress_total,
)

SUPPRESSION_NOTE = (
    "Counts of 1 to 4 people show as “fewer than 5”. Where a single such count "
    "could be worked out from the total, the next smallest count is hidden too."
)


def reached_checklists(checklists):
    """Eligible checklists: the visits that reached someone the scheme serves."""
    return checklists.filter(eligible=True).order_by()


def with_age_band(checklists):
    return checklists.annotate(
        age=YearsBetween(F("person__date_of_birth"), F("visit_date"))
    ).annotate(age_band=age_band_of("age"))


def people_by(checklists, expression) -> dict[str | None, int]:
    rows = (
        checklists.annotate(category=expression)
        .values("category")
        .annotate(people=Count("person", distinct=True))
    )
    return {row["category"]: row["people"] for row in rows}


def category_table(key, title, heading, categories, counts, total) -> Table:
    """One row per (code, label) in `categories`, with suppressed counts of people."""
    shown = suppress_small_counts([counts.get(code, 0) for code, _ in categories])
    return Table(
        key=key,
        title=title,
        columns=[Column("category", heading), Column("people", "People", "count")],
        rows=[
            {"category": label, "people": value}
            for (_, label), value in zip(categories, shown, strict=True)
        ],
        total={"category": "All people reached", "people": suppress_total(total)},
        notes=[SUPPRESSION_NOTE],
    )


def census_categories(question: str, codes) -> list[tuple[str | None, str]]:
    return [
        (code, label_for(question, code)) for code in [*codes, PREFER_NOT_TO_SAY, None]
    ]


def equality_tables(checklists) -> list[Table]:
    reached = reached_checklists(checklists)
    total = reached.aggregate(people=Count("person", distinct=True))["people"]
    age_table = category_table(
        "equality-age",
        "People reached by age at the visit",
        "Age band",
        [*AGE_BANDS.items(), (None, "Under 60")],
        people_by(with_age_band(reached), F("age_band")),
        total,
    )
    age_table.notes.insert(0, "Age is worked out from the date of birth.")
    tables = [age_table]
    for key, title, heading, question, codes in [
        ("equality-sex", "People reached by sex", "Sex", "sex", SEXES),
        (
            "equality-disability",
            "People reached by disability (day-to-day activities limited)",
            "Day-to-day activities limited",
            "disability",
            DISABILITY,
        ),
        (
            "equality-ethnic-group",
            "People reached by ethnic group",
            "Ethnic group",
            "ethnic_group",
            ETHNIC_GROUPS,
        ),
    ]:
        counts = people_by(reached, KT(f"equality__{question}"))
        tables.append(
            category_table(
                key, title, heading, census_categories(question, codes), counts, total
            )
        )
    return tables
