"""Load the `funding` section of a scheme file, idempotently.

The section is a list of financial years:

    - {year: 2009/10, budget: 55000,
       spent_to: {date: 2009-10-31, amount: 30760},
       forecast_to: {date: 2010-03-31, amount: 54489}}
    - {year: 2010/11, estimated_annual_cost: 120000, expected_contributors: 11,
       contributions: [{agency: harborough-dc, amount: 10000, note: ...}]}

A file with a `funding` section is the whole truth about funding: years and
contributions it no longer lists are deleted. A file without one leaves the
stored funding as it is.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from firstcontact.directory.models import Agency, Scheme
from firstcontact.funding.models import Contribution, FundingYear

YEAR_PATTERN = re.compile(r"^(\d{4})/(\d{2})$")


class FundingFileError(ValueError):
    """A funding section that cannot be loaded; the message names the field."""


def load_funding(scheme: Scheme, rows, agencies: dict[str, Agency]) -> int:
    """Create, update and delete the scheme's funding years; return how many."""
    if rows is None:
        return 0
    if not isinstance(rows, list):
        raise FundingFileError("funding must be a list of financial years.")
    kept = []
    for index, row in enumerate(rows):
        kept.append(_load_year(scheme, row, agencies, f"funding[{index}]"))
    FundingYear.objects.filter(scheme=scheme).exclude(
        pk__in=[y.pk for y in kept]
    ).delete()
    return len(kept)


def _load_year(scheme, row, agencies, where) -> FundingYear:
    if not isinstance(row, dict):
        raise FundingFileError(f"{where} must be a mapping.")
    year = _financial_year(row.get("year"), f"{where}.year")
    spent = _dated_amount(row.get("spent_to"), f"{where}.spent_to")
    forecast = _dated_amount(row.get("forecast_to"), f"{where}.forecast_to")
    funding_year, _ = FundingYear.objects.update_or_create(
        scheme=scheme,
        year=year,
        defaults={
            "budget": _pounds(row.get("budget"), f"{where}.budget"),
            "spent_to_date": spent[0],
            "spent_amount": spent[1],
            "forecast_to_date": forecast[0],
            "forecast_amount": forecast[1],
            "estimated_annual_cost": _pounds(
                row.get("estimated_annual_cost"), f"{where}.estimated_annual_cost"
            ),
            "expected_contributors": _count(
                row.get("expected_contributors"), f"{where}.expected_contributors"
            ),
        },
    )
    _load_contributions(
        funding_year, row.get("contributions"), agencies, f"{where}.contributions"
    )
    return funding_year


def _load_contributions(funding_year, rows, agencies, where) -> None:
    rows = rows or []
    if not isinstance(rows, list):
        raise FundingFileError(f"{where} must be a list.")
    kept = []
    for index, row in enumerate(rows):
        item = f"{where}[{index}]"
        if not isinstance(row, dict):
            raise FundingFileError(f"{item} must be a mapping.")
        code = row.get("agency")
        if code not in agencies:
            raise FundingFileError(f"{item}.agency: {code!r} is not an agency code.")
        if code in kept:
            raise FundingFileError(f"{item}.agency: {code!r} is listed twice.")
        amount = _pounds(row.get("amount"), f"{item}.amount")
        if amount is None:
            raise FundingFileError(f"{item}.amount is missing.")
        Contribution.objects.update_or_create(
            funding_year=funding_year,
            agency=agencies[code],
            defaults={"amount": amount, "note": str(row.get("note") or "")[:200]},
        )
        kept.append(code)
    funding_year.contributions.exclude(agency__code__in=kept).delete()


def _financial_year(value, where) -> str:
    match = YEAR_PATTERN.match(str(value or ""))
    if not match:
        raise FundingFileError(f"{where}: {value!r} is not a year like 2009/10.")
    start, end = int(match[1]), int(match[2])
    if (start + 1) % 100 != end:
        raise FundingFileError(
            f"{where}: {value!r} does not name two consecutive years, as 2009/10 does."
        )
    return match[0]


def _pounds(value, where) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FundingFileError(f"{where}: {value!r} is not an amount in pounds.")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise FundingFileError(
            f"{where}: {value!r} is not an amount in pounds."
        ) from None
    if not amount.is_finite() or amount < 0:
        raise FundingFileError(f"{where}: {value!r} must be zero or more pounds.")
    return amount.quantize(Decimal("0.01"))


def _count(value, where) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FundingFileError(f"{where}: {value!r} must be a whole number above 0.")
    return value


def _dated_amount(value, where) -> tuple[datetime.date | None, Decimal | None]:
    if value is None:
        return None, None
    if not isinstance(value, dict):
        raise FundingFileError(f"{where} must be a mapping with date and amount.")
    day = value.get("date")
    if isinstance(day, str):
        try:
            day = datetime.date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, datetime.date):
        raise FundingFileError(f"{where}.date is missing or not a YYYY-MM-DD date.")
    amount = _pounds(value.get("amount"), f"{where}.amount")
    if amount is None:
        raise FundingFileError(f"{where}.amount is missing.")
    return day, amount
