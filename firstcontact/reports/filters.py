"""The filters every dashboard takes: a period of visit dates, a district, agencies."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from firstcontact.directory.models import Agency, District

# The longest period one dashboard covers, so one request cannot ask for decades.
MAX_PERIOD_DAYS = 10 * 366


@dataclass(frozen=True)
class ReportFilters:
    date_from: datetime.date
    date_to: datetime.date
    district: District | None = None
    referring_agency: Agency | None = None
    receiving_agency: Agency | None = None

    def as_query(self) -> dict[str, str]:
        """Return the filters as GET parameters, for links to exports."""
        query = {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
        }
        if self.district:
            query["district"] = self.district.code
        if self.referring_agency:
            query["referring_agency"] = self.referring_agency.code
        if self.receiving_agency:
            query["receiving_agency"] = self.receiving_agency.code
        return query


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the period from the first day of the month 11 months ago to today."""
    month = today.month - 11
    year = today.year
    if month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, 1), today


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(
        required=False,
        label="Visits from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        required=False,
        label="Visits to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    district = forms.ChoiceField(required=False, label="District")
    referring_agency = forms.ChoiceField(required=False, label="Referring agency")
    receiving_agency = forms.ChoiceField(required=False, label="Receiving agency")

    def __init__(self, data, *, scope, today: datetime.date, by_receiving_agency=True):
        super().__init__(data)
        self.scope = scope
        self.today = today
        self.districts = {
            d.code: d for d in District.objects.filter(scheme=scope.scheme)
        }
        self.agencies = {a.code: a for a in Agency.objects.filter(scheme=scope.scheme)}
        everyone = [("", "All")]
        self.fields["district"].choices = everyone + [
            (d.code, d.name) for d in self.districts.values()
        ]
        self.fields["referring_agency"].choices = everyone + [
            (a.code, a.name) for a in self.agencies.values() if a.has_role("referrer")
        ]
        self.fields["receiving_agency"].choices = everyone + [
            (a.code, a.name) for a in self.agencies.values() if a.has_role("provider")
        ]
        # An agency user's figures are always their own agency's.
        if scope.receiving_agency is not None or not by_receiving_agency:
            del self.fields["receiving_agency"]
        if scope.referring_agency is not None:
            del self.fields["referring_agency"]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = default_period(self.today)
        date_from = cleaned.get("date_from") or date_from
        date_to = cleaned.get("date_to") or date_to
        if date_from > date_to:
            self.add_error("date_to", "The end of the period must be after its start.")
        elif (date_to - date_from).days > MAX_PERIOD_DAYS:
            self.add_error("date_from", "Choose a period of ten years or less.")
        return cleaned

    def filters(self) -> ReportFilters:
        """Return the chosen filters, with the default period if a date is invalid."""
        self.is_valid()
        cleaned = self.cleaned_data
        date_from, date_to = default_period(self.today)
        if not ({"date_from", "date_to"} & set(self.errors)):
            date_from = cleaned.get("date_from") or date_from
            date_to = cleaned.get("date_to") or date_to
        return ReportFilters(
            date_from=date_from,
            date_to=date_to,
            district=self.districts.get(cleaned.get("district") or ""),
            referring_agency=self.scope.referring_agency
            or self.agencies.get(cleaned.get("referring_agency") or ""),
            receiving_agency=self.scope.receiving_agency
            or self.agencies.get(cleaned.get("receiving_agency") or ""),
        )


def filters_from_request(
    request, scope, by_receiving_agency=True
) -> tuple[ReportFilterForm, ReportFilters]:
    """Read the filters; pages that count only checklists leave out receiving agency."""
    form = ReportFilterForm(
        request.GET,
        scope=scope,
        today=timezone.localdate(),
        by_receiving_agency=by_receiving_agency,
    )
    return form, form.filters()
