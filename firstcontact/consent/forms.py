"""Forms for the hub's consent page. They parse input; the operations decide."""

from django import forms

from firstcontact.consent.operations import MAX_NOTE_LENGTH

EVERY_AGENCY = ""


class ConsentChangeForm(forms.Form):
    """A withdrawal or a consent told to the hub, about one agency or every one."""

    agency_code = forms.ChoiceField(
        required=False,
        label="Which agency?",
        error_messages={"invalid_choice": "Select an agency of the scheme"},
    )
    note = forms.CharField(
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea,
        label="How did the person tell us? (optional)",
        error_messages={
            "max_length": f"Note must be {MAX_NOTE_LENGTH} characters or fewer"
        },
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency_code"].choices = [(EVERY_AGENCY, "Every agency")] + [
            (agency.code, agency.name) for agency in agencies
        ]


class SendWithoutConsentForm(forms.Form):
    reason = forms.CharField(
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea,
        label="Why must this referral go without the person's consent?",
        error_messages={
            "required": "Enter why the referral must go without consent",
            "max_length": f"Reason must be {MAX_NOTE_LENGTH} characters or fewer",
        },
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
