"""Forms for the hub's actions on a checklist."""

from django import forms

MAX_REASON_LENGTH = 2000


class OverrideEligibilityForm(forms.Form):
    """The reason for treating an ineligible checklist as eligible.

    A checklist without a district also needs one chosen, because routing
    depends on the district.
    """

    reason = forms.CharField(
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter why the checklist should be treated as eligible",
            "max_length": f"Reason must be {MAX_REASON_LENGTH} characters or fewer",
        },
    )
    district_code = forms.ChoiceField(
        required=False,
        error_messages={
            "required": "Select the district whose agencies should receive "
            "the referrals",
            "invalid_choice": "Select the district whose agencies should receive "
            "the referrals",
        },
    )

    def __init__(self, *args, districts=(), needs_district=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["district_code"]
        field.choices = [("", "Choose a district")] + [
            (district.code, district.name) for district in districts
        ]
        field.required = needs_district
