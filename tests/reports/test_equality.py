"""Equality monitoring: the census categories at intake and the suppressed totals."""

import datetime

import pytest
from django.utils import timezone

from firstcontact.checklists.validation import validate_submission
from firstcontact.reports.equality import equality_tables
from firstcontact.reports.tables import SUPPRESSED, suppress_small_counts
from tests.conftest import checklist_payload

TODAY = datetime.date(2026, 11, 30)


def errors_for(context, equality) -> dict[str, str]:
    _, errors = validate_submission(
        checklist_payload(equality=equality), context, TODAY
    )
    return {e.field: e.message for e in errors}


def test_census_answers_are_accepted(context):
    equality = {
        "ethnic_group": "asian-indian",
        "sex": "female",
        "disability": "limited-a-little",
        "age_band": "80-84",
    }
    submission, errors = validate_submission(
        checklist_payload(equality=equality), context, TODAY
    )
    assert (errors, submission.equality) == ([], equality)


def test_prefer_not_to_say_is_accepted(context):
    assert errors_for(context, {"ethnic_group": "prefer-not-to-say"}) == {}


def test_empty_equality_is_accepted(context):
    assert errors_for(context, {}) == {}


def test_unknown_ethnic_group_names_its_path(context):
    errors = errors_for(context, {"ethnic_group": "martian"})
    assert list(errors) == ["equality.ethnic_group"]


def test_unknown_ethnic_group_lists_the_codes(context):
    message = errors_for(context, {"ethnic_group": "martian"})["equality.ethnic_group"]
    assert "white-british" in message


def test_unknown_key_is_rejected(context):
    assert list(errors_for(context, {"religion": "none"})) == ["equality.religion"]


@pytest.mark.parametrize(
    "key, value",
    [("sex", "other"), ("disability", "yes"), ("age_band", "55-59"), ("sex", 1)],
)
def test_invalid_value_is_rejected(context, key, value):
    assert list(errors_for(context, {key: value})) == [f"equality.{key}"]


def test_equality_not_an_object_is_rejected(context):
    assert list(errors_for(context, ["female"])) == ["equality"]


def test_counts_below_five_are_suppressed():
    assert suppress_small_counts([10, 3, 0, 7, 8]) == [10, SUPPRESSED, 0, SUPPRESSED, 8]


def test_single_suppression_hides_next_smallest():
    shown = suppress_small_counts([20, 2, 9, 30])
    assert shown == [20, SUPPRESSED, SUPPRESSED, 30]


def test_two_suppressions_hide_nothing_more():
    assert suppress_small_counts([20, 2, 1, 30]) == [20, SUPPRESSED, SUPPRESSED, 30]


def test_zero_is_shown():
    assert suppress_small_counts([0, 12]) == [0, 12]


@pytest.fixture
def tables(activity, scheme):
    from firstcontact.checklists.models import Checklist

    today = timezone.localdate()
    checklists = Checklist.objects.filter(
        scheme=scheme, visit_date__gte=today - datetime.timedelta(days=400)
    )
    return {t.key: t for t in equality_tables(checklists)}


def test_no_shown_count_is_below_five(tables):
    shown = [
        row["people"]
        for table in tables.values()
        for row in table.rows
        if row["people"] is not SUPPRESSED
    ]
    assert not [n for n in shown if 0 < n < 5]


def test_ethnic_group_table_lists_every_census_group(tables):
    assert len(tables["equality-ethnic-group"].rows) == 19 + 2


def test_white_british_count_matches_people(tables, activity):
    eligible = [c for c in activity.checklists if c.eligible]
    people = {
        c.person_id
        for c in eligible
        if c.equality.get("ethnic_group") == "white-british"
    }
    row = next(
        r
        for r in tables["equality-ethnic-group"].rows
        if r["category"].startswith("White: English")
    )
    assert row["people"] == len(people)


def test_equality_page_shows_fewer_than_five(client_for, manager, activity):
    response = client_for(manager).get("/reports/equality/")
    assert "fewer than 5" in response.content.decode()
