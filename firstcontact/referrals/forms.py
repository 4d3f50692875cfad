"""Forms for the hub queue filters and the actions on a referral's page.

The forms only parse input, and the operations in referrals/operations.py
decide whether an action may happen.
"""

from django import forms

from firstcontact.referrals.models import DeclineReason, HoldReason, Outcome

MAX_NOTE_LENGTH = 2000


def note_field(*, required=False, required_message=""):
    return forms.CharField(
        required=required,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": required_message,
            "max_length": f"Note must be {MAX_NOTE_LENGTH} characters or fewer",
        },
    )


class ReferralActionForm(forms.Form):
    """An action with no input but the version of the referral the user saw."""

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": "The page is missing the referral's version. "
            "Reload the page and try again",
            "invalid": "The page has an invalid referral version. "
            "Reload the page and try again",
            "min_value": "The page has an invalid referral version. "
            "Reload the page and try again",
        },
    )

    def operation_arguments(self) -> dict:
        """Return the cleaned input as keyword arguments for the operation."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version"
        }


class DeclineForm(ReferralActionForm):
    reason = forms.ChoiceField(
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why you are declining the referral",
            "invalid_choice": "Select why you are declining the referral",
        },
    )
    note = note_field()


class CompleteForm(ReferralActionForm):
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the outcome of the referral",
            "invalid_choice": "Select the outcome of the referral",
        },
    )
    note = note_field()


# The hub cannot hold a referral for want of consent. Intake does that when
# the person did not consent to the receiving agency.
HUB_HOLD_REASONS = [
    (value, label)
    for value, label in HoldReason.choices
    if value != HoldReason.NO_CONSENT
]


class HoldForm(ReferralActionForm):
    reason = forms.ChoiceField(
        choices=HUB_HOLD_REASONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why the referral is on hold",
            "invalid_choice": "Select why the referral is on hold",
        },
    )
    note = note_field()


class RerouteForm(ReferralActionForm):
    agency_code = forms.ChoiceField(
        error_messages={
            "required": "Select the agency to send the referral to",
            "invalid_choice": "Select the agency to send the referral to",
        },
    )
    note = note_field()

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency_code"].choices = [
            (agency.code, agency.name) for agency in agencies
        ]


class CancelForm(ReferralActionForm):
    note = note_field(
        required=True, required_message="Enter why the referral is cancelled"
    )


class QueueFilterForm(forms.Form):
    """The hub queue's filters. An unknown value is ignored, not reported."""

    SORTS = [
        ("priority", "Urgent first, then oldest"),
        ("oldest", "Oldest first"),
        ("newest", "Newest first"),
    ]

    district = forms.ChoiceField(required=False)
    service = forms.ChoiceField(required=False)
    sort = forms.ChoiceField(required=False, choices=SORTS)

    def __init__(self, *args, districts=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "All districts")] + [
            (district.code, district.name) for district in districts
        ]
        self.fields["service"].choices = [("", "All services")] + [
            (service.code, service.name) for service in services
        ]

    def value_of(self, name) -> str:
        """Return the field's valid value, or "" when it is missing or unknown."""
        value = self.data.get(name, "")
        valid = {code for code, _ in self.fields[name].choices}
        return value if value in valid else ""
