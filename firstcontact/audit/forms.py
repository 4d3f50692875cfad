"""The audit search filters."""

import re

from django import forms

from firstcontact.checklists.forms import DateInputField

REFERENCE = re.compile(r"^(FC|RF)-[0-9A-Z]{4}-[0-9A-Z]{4}$")


class AuditSearchForm(forms.Form):
    person = forms.CharField(
        required=False,
        max_length=40,
        label="Person",
        help_text="Their id, or the reference of one of their checklists or "
        "referrals, such as FC-7KQ3-M9XD",
    )
    user = forms.CharField(required=False, max_length=150, label="Username")
    action = forms.CharField(
        required=False,
        max_length=64,
        label="Action",
        help_text='A dotted name such as "referral.viewed", or its start, such '
        'as "referral."',
    )
    date_from = DateInputField(required=False, label="From")
    date_to = DateInputField(required=False, label="To")

    def clean_person(self):
        return self.cleaned_data["person"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The end date must be after the start date")
        return cleaned

    def is_reference(self) -> bool:
        return bool(REFERENCE.match(self.cleaned_data.get("person", "")))
