"""Forms for the referrer's pages, and GOV.UK form fields that other pages reuse."""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField

# ---------------------------------------------------------------------------
# A GOV.UK date input: three boxes for day, month and year.
# Render it with {% include "includes/fields/date.html" with field=form.x %}.
# ---------------------------------------------------------------------------

DATE_PARTS = (("day", "Day"), ("month", "Month"), ("year", "Year"))


class DateInputWidget(forms.MultiWidget):
    """Three text boxes named <name>_day, <name>_month and <name>_year."""

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput for part, _ in DATE_PARTS}, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


@dataclass(frozen=True)
class DatePart:
    name: str  # the input's name
    id: str  # the input's id; the day box has the field's own id
    label: str  # Day, Month or Year
    value: str
    width_class: str
    autocomplete: str  # bday-day etc., used for dates of birth


class DateBoundField(BoundField):
    @property
    def date_parts(self) -> list[DatePart]:
        value = self.value()
        if not isinstance(value, list | tuple):
            value = self.field.widget.decompress(value)
        parts = []
        for index, (part, label) in enumerate(DATE_PARTS):
            typed = value[index] if index < len(value) else None
            parts.append(
                DatePart(
                    name=f"{self.html_name}_{part}",
                    id=self.auto_id if index == 0 else f"{self.auto_id}-{part}",
                    label=label,
                    value="" if typed is None else str(typed),
                    width_class="govuk-input--width-4"
                    if part == "year"
                    else "govuk-input--width-2",
                    autocomplete=f"bday-{part}",
                )
            )
        return parts


class DateInputField(forms.MultiValueField):
    """A date typed as day, month and year, with the Design System's messages.

    The error messages start with the field's label, e.g. "Date of birth must
    include a month"; pass error_messages={"required": "Enter ..."} for the
    message shown when all three boxes are empty.
    """

    widget = DateInputWidget
    bound_field_class = DateBoundField

    def __init__(self, **kwargs):
        parts = tuple(forms.CharField(required=False) for _ in DATE_PARTS)
        super().__init__(parts, require_all_fields=False, **kwargs)

    def clean(self, value):
        typed = [str(v or "").strip() for v in (value or [])]
        typed += [""] * (3 - len(typed))
        day, month, year = typed[:3]
        label = str(self.label or "The date")
        if not (day or month or year):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [
            name
            for name, text in zip(("day", "month", "year"), typed, strict=True)
            if not text
        ]
        if missing:
            raise ValidationError(
                f"{label} must include a {' and a '.join(missing)}", code="incomplete"
            )
        if not all(text.isdigit() for text in typed):
            raise ValidationError(f"{label} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                f"{label} must be a real date", code="invalid"
            ) from None

    def compress(self, data_list):  # clean() does the work; never called
        return None
