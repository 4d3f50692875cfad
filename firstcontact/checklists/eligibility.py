"""Decide whether a checklist is eligible for the scheme, with every reason."""

import datetime

from firstcontact.directory.models import District, Scheme

UNDER_MINIMUM_AGE = "under_minimum_age"
OUT_OF_AREA = "out_of_area"
POSTCODE_NOT_FOUND = "postcode_not_found"
DISTRICT_NOT_LIVE = "district_not_live"
SELF_REFERRAL_NOT_ACCEPTED = "self_referral_not_accepted"


def age_on(date_of_birth: datetime.date, day: datetime.date, leap_rule: str) -> int:
    """Age in whole years on `day`.

    Someone born on 29 February has their birthday on 1 March in a common year
    under the "march-1" rule, or on 28 February under "february-28".
    """
    birthday = (date_of_birth.month, date_of_birth.day)
    if birthday == (2, 29) and not _is_leap(day.year):
        birthday = (3, 1) if leap_rule == "march-1" else (2, 28)
    had_birthday = (day.month, day.day) >= birthday
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def find_ineligibility_reasons(
    scheme: Scheme,
    *,
    date_of_birth: datetime.date,
    visit_date: datetime.date,
    source: str,
    ons_code: str | None,
    district: District | None,
) -> list[str]:
    """Return every reason that applies, sorted; an empty list means eligible."""
    reasons = []
    if age_on(date_of_birth, visit_date, scheme.leap_day_birthday) < scheme.minimum_age:
        reasons.append(UNDER_MINIMUM_AGE)
    if ons_code is None:
        reasons.append(POSTCODE_NOT_FOUND)
    elif district is None:
        reasons.append(OUT_OF_AREA)
    elif not district.accepts_checklists_on(visit_date):
        reasons.append(DISTRICT_NOT_LIVE)
    if source == "self" and not scheme.accept_self_referrals:
        reasons.append(SELF_REFERRAL_NOT_ACCEPTED)
    return sorted(reasons)
