"""Eligibility: age on the visit date, area, go-live and pilot dates, source."""

import datetime

import pytest

from firstcontact.checklists.eligibility import age_on, find_ineligibility_reasons
from firstcontact.checklists.intake import submit_checklist
from firstcontact.directory.models import District
from tests.conftest import checklist_payload

date = datetime.date
HINCKLEY = "E07000132"


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1946, 11, 2), date(2006, 11, 1), 59),
        (date(1946, 11, 2), date(2006, 11, 2), 60),
        (date(1946, 11, 2), date(2006, 11, 3), 60),
        (date(1946, 12, 31), date(2007, 1, 1), 60),
        (date(1947, 1, 1), date(2006, 12, 31), 59),
    ],
)
def test_age_counts_whole_years(born, day, age):
    assert age_on(born, day, "march-1") == age


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(2004, 2, 28), 59),  # leap year: the birthday is 29 February
        (date(2004, 2, 29), 60),
        (date(2005, 2, 28), 60),  # common year: not yet, the birthday is 1 March
        (date(2005, 3, 1), 61),
        (date(2100, 2, 28), 155),  # 2100 is a common year
        (date(2100, 3, 1), 156),
    ],
)
def test_leap_day_birthday_is_march_first(day, age):
    assert age_on(date(1944, 2, 29), day, "march-1") == age


def test_february_rule_counts_february_28th():
    assert age_on(date(1944, 2, 29), date(2005, 2, 28), "february-28") == 61


def reasons(scheme, *, born, visit, source="partner", ons_code=HINCKLEY):
    district = scheme.districts.filter(ons_code=ons_code).first()
    return find_ineligibility_reasons(
        scheme,
        date_of_birth=born,
        visit_date=visit,
        source=source,
        ons_code=ons_code,
        district=district,
    )


def test_sixtieth_birthday_is_eligible(scheme):
    assert reasons(scheme, born=date(1966, 11, 2), visit=date(2026, 11, 2)) == []


def test_day_before_sixtieth_is_under_age(scheme):
    assert reasons(scheme, born=date(1966, 11, 3), visit=date(2026, 11, 2)) == [
        "under_minimum_age"
    ]


def test_leap_day_born_waits_for_march(scheme):
    # A 60th birthday always falls in a leap year (until 2100), so the rule
    # shows at 61: born 1964-02-29, 61 on 1 March 2025.
    scheme.minimum_age = 61

    on_february_28 = reasons(scheme, born=date(1964, 2, 29), visit=date(2025, 2, 28))
    on_march_1 = reasons(scheme, born=date(1964, 2, 29), visit=date(2025, 3, 1))

    assert on_february_28 == ["under_minimum_age"]
    assert on_march_1 == []


def test_out_of_area_postcode_is_ineligible(scheme):
    result = reasons(
        scheme, born=date(1940, 1, 1), visit=date(2026, 11, 2), ons_code="E06000016"
    )

    assert result == ["out_of_area"]


def test_unknown_postcode_is_not_found(scheme):
    result = reasons(
        scheme, born=date(1940, 1, 1), visit=date(2026, 11, 2), ons_code=None
    )

    assert result == ["postcode_not_found"]


def test_visit_before_go_live_is_ineligible(scheme):
    result = reasons(scheme, born=date(1940, 1, 1), visit=date(2009, 9, 30))

    assert result == ["district_not_live"]


def test_go_live_day_is_eligible(scheme):
    assert reasons(scheme, born=date(1940, 1, 1), visit=date(2009, 10, 1)) == []


def test_self_referral_is_not_accepted(scheme):
    result = reasons(
        scheme, born=date(1940, 1, 1), visit=date(2026, 11, 2), source="self"
    )

    assert result == ["self_referral_not_accepted"]


def test_self_referral_accepted_when_scheme_allows(scheme):
    scheme.accept_self_referrals = True

    result = reasons(
        scheme, born=date(1940, 1, 1), visit=date(2026, 11, 2), source="self"
    )

    assert result == []


def test_all_reasons_are_listed_sorted(scheme):
    result = reasons(
        scheme, born=date(1970, 1, 1), visit=date(2009, 9, 30), source="self"
    )

    assert result == [
        "district_not_live",
        "self_referral_not_accepted",
        "under_minimum_age",
    ]


def test_out_of_area_reasons_are_sorted(scheme):
    result = reasons(
        scheme,
        born=date(1970, 1, 1),
        visit=date(2026, 11, 2),
        source="self",
        ons_code="E06000017",
    )

    assert result == ["out_of_area", "self_referral_not_accepted", "under_minimum_age"]


NWL = "E07000134"  # pilot from 2009-04-01, live from 2009-07-01


@pytest.mark.parametrize(
    ("visit", "expected"),
    [
        (date(2009, 3, 31), ["district_not_live"]),
        (date(2009, 4, 1), []),
        (date(2009, 6, 30), []),
        (date(2009, 7, 1), []),
    ],
)
def test_pilot_period_accepts_as_live(scheme, visit, expected):
    assert reasons(scheme, born=date(1940, 1, 1), visit=visit, ons_code=NWL) == expected


def test_district_without_dates_is_not_live(scheme):
    District.objects.filter(code="hinckley").update(live_from=None)

    result = reasons(scheme, born=date(1940, 1, 1), visit=date(2026, 11, 2))

    assert result == ["district_not_live"]


def test_ineligible_checklist_makes_no_referrals(context):
    payload = checklist_payload(source="self")

    result = submit_checklist(payload, context, channel="api")

    assert result["eligible"] is False
    assert result["ineligibility_reasons"] == ["self_referral_not_accepted"]
    assert result["referrals"] == []
    assert context.scheme.referrals.count() == 0


def test_pilot_checklist_is_processed(context):
    payload = checklist_payload(visit_date="2009-05-01")
    payload["person"]["postcode"] = "LE65 2JH"

    result = submit_checklist(payload, context, channel="api")

    assert result["eligible"] is True
    assert result["district"] == "nwl"
