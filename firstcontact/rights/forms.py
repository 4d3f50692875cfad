"""Forms for finding a person and for correcting or erasing their details."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from firstcontact.checklists.forms import YES_NO, DateInputField
from firstcontact.directory.postcodes import InvalidPostcode, normalise_postcode

REFERENCE_LENGTH = 12


class PersonSearchForm(forms.Form):
    """Find a person by a checklist or referral reference, or by name.

    The form is posted, not sent in the URL, so names stay out of server logs
    and browser history.
    """

    reference = forms.CharField(
        required=False,
        max_length=16,
        label="Checklist or referral reference",
        help_text="For example, FC-7KQ3-M9XD or RF-2B4C-6D8F",
    )
    family_name = forms.CharField(required=False, max_length=100, label="Last name")
    given_name = forms.CharField(
        required=False, max_length=100, label="First name (optional)"
    )
    date_of_birth = DateInputField(
        required=False,
        label="Date of birth (optional)",
        help_text="For example, 27 3 1941",
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("reference") and not cleaned.get("family_name"):
            raise ValidationError("Enter a reference or the person's last name")
        return cleaned


class CorrectionForm(forms.Form):
    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the person's first name"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the person's last name"},
    )
    date_of_birth = DateInputField(
        label="Date of birth",
        help_text="For example, 27 3 1941",
        error_messages={"required": "Enter the person's date of birth"},
    )
    address_line_1 = forms.CharField(
        label="First line of address",
        max_length=200,
        error_messages={"required": "Enter the first line of the person's address"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=16,
        error_messages={"required": "Enter the person's postcode"},
    )
    phone = forms.CharField(
        label="Phone number (optional)", required=False, max_length=32
    )
    lives_alone = forms.ChoiceField(
        label="Does the person live alone? (optional)",
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )

    @classmethod
    def for_person(cls, person, data=None):
        initial = {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "address_line_1": person.address_line_1,
            "postcode": person.postcode,
            "phone": person.phone,
            "lives_alone": {True: "yes", False: "no"}.get(person.lives_alone, ""),
        }
        return cls(data, initial=initial, auto_id="correct-%s")

    def clean_postcode(self):
        try:
            return normalise_postcode(self.cleaned_data["postcode"])
        except InvalidPostcode:
            raise ValidationError(
                "Enter a real postcode, such as LE10 0JU", code="invalid"
            ) from None

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value > timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        return value

    def changes(self) -> dict:
        """Return the cleaned values as the person's field values."""
        data = dict(self.cleaned_data)
        data["lives_alone"] = {"yes": True, "no": False}.get(data["lives_alone"])
        return data


class ErasureForm(forms.Form):
    # A list of one checkbox, so the page can use the checkboxes partial.
    confirm = forms.MultipleChoiceField(
        label="Before you erase",
        choices=[("yes", "I have checked that this person's details may be erased")],
        error_messages={"required": "Confirm that the details may be erased"},
    )
