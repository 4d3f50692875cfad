"""The scheme file's funding section."""

from decimal import Decimal

import pytest

from firstcontact.directory.loading import (
    BUNDLED_SCHEME,
    SchemeFileError,
    load_scheme,
    read_scheme_file,
)
from firstcontact.funding.models import Contribution, FundingYear


@pytest.fixture
def data():
    return read_scheme_file(BUNDLED_SCHEME)


def year(code):
    return FundingYear.objects.get(year=code)


def test_budget_is_loaded(scheme):
    assert year("2009/10").budget == Decimal("55000.00")


def test_spending_to_date_is_loaded(scheme):
    loaded = year("2009/10")
    assert (str(loaded.spent_to_date), loaded.spent_amount) == (
        "2009-10-31",
        Decimal("30760.00"),
    )


def test_forecast_is_loaded(scheme):
    loaded = year("2009/10")
    assert (str(loaded.forecast_to_date), loaded.forecast_amount) == (
        "2010-03-31",
        Decimal("54489.00"),
    )


def test_forecast_variance_is_underspend(scheme):
    assert year("2009/10").forecast_variance == Decimal("511.00")


def test_share_per_partner(scheme):
    assert year("2010/11").share_per_contributor == Decimal("10909.09")


def test_contribution_is_loaded(scheme):
    contribution = Contribution.objects.get()
    assert (contribution.agency.code, contribution.amount) == (
        "harborough-dc",
        Decimal("10000.00"),
    )


def test_funding_gap_less_contributions(scheme):
    assert year("2010/11").funding_gap() == Decimal("110000.00")


def test_loading_again_changes_nothing(scheme, data):
    load_scheme(data)
    assert (FundingYear.objects.count(), Contribution.objects.count()) == (2, 1)


def test_edited_file_updates_in_place(scheme, data):
    data["funding"][0]["budget"] = 60000
    data["funding"][1]["contributions"] = []
    load_scheme(data)
    assert (year("2009/10").budget, Contribution.objects.count()) == (
        Decimal("60000.00"),
        0,
    )


def test_year_left_out_is_deleted(scheme, data):
    data["funding"] = data["funding"][:1]
    load_scheme(data)
    assert list(FundingYear.objects.values_list("year", flat=True)) == ["2009/10"]


def test_file_without_funding_keeps_it(scheme, data):
    del data["funding"]
    load_scheme(data)
    assert FundingYear.objects.count() == 2


@pytest.mark.parametrize(
    "change, message",
    [
        ({"year": "2009-10"}, r"funding\[0\]\.year"),
        ({"year": "2009/11"}, "consecutive"),
        ({"budget": "lots"}, r"funding\[0\]\.budget"),
        ({"budget": -1}, "zero or more"),
        ({"spent_to": {"amount": 5}}, r"spent_to\.date"),
        ({"expected_contributors": 0}, "whole number"),
        ({"contributions": [{"agency": "nobody", "amount": 1}]}, "not an agency"),
    ],
)
def test_invalid_funding_names_the_field(scheme, data, change, message):
    data["funding"][0].update(change)
    with pytest.raises(SchemeFileError, match=message):
        load_scheme(data)
