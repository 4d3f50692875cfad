"""Forms for the referrer's pages, and GOV.UK form fields that other pages reuse."""

import datetime
import re
import secrets
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField

from firstcontact.consent import wording as consent_wording
from firstcontact.directory.postcodes import InvalidPostcode, normalise_postcode

# ---------------------------------------------------------------------------
# A GOV.UK date input: three boxes for day, month and year.
# Render it with {% include "includes/fields/date.html" with field=form.x %}.
# ---------------------------------------------------------------------------

DATE_PARTS = (("day", "Day"), ("month", "Month"), ("year", "Year"))
# A month may be typed as a name or its first three letters, as the Design
# System recommends accepting.
MONTH_NAMES = {
    name: number
    for number, month in enumerate(
        (
            "january february march april may june july august september "
            "october november december"
        ).split(),
        start=1,
    )
    for name in (month, month[:3])
}


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
        month = str(MONTH_NAMES.get(month.lower(), month))
        typed = [day, month, year]
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


# ---------------------------------------------------------------------------
# The checklist form.
# ---------------------------------------------------------------------------

YES_NO = [("yes", "Yes"), ("no", "No")]
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,48}$")
TOKEN_ERROR = "This form could not be sent. Check the answers and send it again."
ANSWER_PREFIX = "answer_"


def new_form_token() -> str:
    """A random token that makes one filled-in form one checklist."""
    return secrets.token_urlsafe(16)


def answer_field_name(code: str) -> str:
    return f"{ANSWER_PREFIX}{code}"


class ChecklistForm(forms.Form):
    """One home visit's checklist, as the web form collects it.

    The form checks what a person can fix on the page (missing answers, dates,
    postcodes) with the Design System's messages; `payload()` then turns the
    answers into the exchange format for `submit_checklist`, which validates
    everything again, and `add_intake_errors` puts any error it finds back on
    the field it belongs to.

    `questions` are the Question records of `checklist_version`, in order.
    `agencies` are the scheme's agencies; the person may refuse any of the
    providers among them. With `choose_agency` (the hub, typing up a paper form)
    the form asks which agency and worker made the visit; a referrer's agency
    and name come from their account instead, never from the form.
    """

    # Rendered by hand from `token_value`; see there.
    token = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": TOKEN_ERROR},
    )

    referrer_agency = forms.ChoiceField(
        label="Agency of the worker who made the visit",
        error_messages={"required": "Select the agency of the worker who visited"},
    )
    worker = forms.CharField(
        label="Name of the worker who made the visit",
        max_length=200,
        error_messages={"required": "Enter the name of the worker who visited"},
    )

    visit_date = DateInputField(
        label="Date of the visit",
        help_text="For example, 2 11 2026",
        error_messages={"required": "Enter the date of the visit"},
    )

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
        help_text="The house number or name and the street",
        max_length=200,
        error_messages={"required": "Enter the first line of the person's address"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=16,
        error_messages={"required": "Enter the person's postcode"},
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        required=False,
        max_length=32,
    )
    lives_alone = forms.ChoiceField(
        label="Does the person live alone? (optional)",
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )

    # The consent wording is stored with each consent record it produces.
    consent_share = forms.ChoiceField(
        label=consent_wording.SHARE_QUESTION,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if the person agrees to their details being shared"
        },
    )
    except_agencies = forms.MultipleChoiceField(
        label=consent_wording.EXCEPT_AGENCIES_LABEL,
        help_text=consent_wording.EXCEPT_AGENCIES_HINT,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    safeguarding_concern = forms.CharField(
        label="Safeguarding concern (optional)",
        help_text=(
            "Describe anything that worried you about the person's safety or "
            "wellbeing. The hub sees this whatever the person's consent. If "
            "someone is in immediate danger, call 999."
        ),
        required=False,
        max_length=5000,
        widget=forms.Textarea,
    )

    def __init__(
        self,
        *args,
        questions,
        checklist_version,
        agencies,
        choose_agency=False,
        today=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.today = today or datetime.date.today()
        self.questions = list(questions)
        self.choose_agency = choose_agency
        self.version_number = checklist_version
        self._fresh_token = new_form_token()
        agencies = sorted(agencies, key=lambda a: a.name)
        self.agency_names = {a.code: a.name for a in agencies}
        if choose_agency:
            self.fields["referrer_agency"].choices = [("", "Select an agency")] + [
                (a.code, a.name) for a in agencies
            ]
        else:
            del self.fields["referrer_agency"]
            del self.fields["worker"]
        self.fields["except_agencies"].choices = [
            (a.code, a.name) for a in agencies if a.has_role("provider")
        ]
        for question in self.questions:
            self.fields[answer_field_name(question.code)] = forms.ChoiceField(
                label=question.text,
                choices=YES_NO,
                required=False,
                widget=forms.RadioSelect,
            )

    # Groups of bound fields, for the template's sections.
    @property
    def question_fields(self):
        return [self[answer_field_name(q.code)] for q in self.questions]

    @property
    def token_value(self) -> str:
        """The token to send with the form: the one it came with, if valid.

        Posting the same token again is how a double submission is recognised;
        a missing or mangled token is replaced, so the next send can succeed.
        """
        token = self["token"].value() if self.is_bound else None
        if token and TOKEN_PATTERN.match(str(token)):
            return str(token)
        return self._fresh_token

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not TOKEN_PATTERN.match(token):
            raise ValidationError(TOKEN_ERROR)
        return token

    def clean_postcode(self):
        try:
            return normalise_postcode(self.cleaned_data["postcode"])
        except InvalidPostcode:
            raise ValidationError(
                "Enter a real postcode, such as LE10 0JU", code="invalid"
            ) from None

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value > self.today:
            raise ValidationError("Date of birth must be in the past")
        return value

    def clean_visit_date(self):
        value = self.cleaned_data["visit_date"]
        if value and value > self.today:
            raise ValidationError("Date of the visit must be today or in the past")
        return value

    def clean(self):
        cleaned = super().clean()
        born, visited = cleaned.get("date_of_birth"), cleaned.get("visit_date")
        if born and visited and born > visited:
            self.add_error(
                "date_of_birth", "Date of birth must be before the date of the visit"
            )
        if cleaned.get("consent_share") == "no" and cleaned.get("except_agencies"):
            self.add_error(
                "except_agencies",
                "Leave these boxes unticked when the person does not agree to share "
                "their details with any agency",
            )
        return cleaned

    def payload(self, *, agency_code: str, worker: str) -> dict:
        """The exchange-format submission for the cleaned form."""
        data = self.cleaned_data
        person = {
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "date_of_birth": data["date_of_birth"].isoformat(),
            "address_line_1": data["address_line_1"],
            "postcode": data["postcode"],
        }
        if data.get("phone"):
            person["phone"] = data["phone"]
        if data.get("lives_alone"):
            person["lives_alone"] = data["lives_alone"] == "yes"
        consent = {"share": data["consent_share"] == "yes"}
        if data.get("except_agencies"):
            consent["except_agencies"] = list(data["except_agencies"])
        payload = {
            "external_id": external_id_for(data["token"]),
            "checklist_version": self.version_number,
            "visit_date": data["visit_date"].isoformat(),
            "referrer": {
                "agency": data.get("referrer_agency") or agency_code,
                "worker": data.get("worker") or worker,
            },
            "source": "partner",
            "person": person,
            "consent": consent,
            "answers": {
                q.code: data[answer_field_name(q.code)]
                for q in self.questions
                if data.get(answer_field_name(q.code))
            },
        }
        if data.get("safeguarding_concern"):
            payload["safeguarding_concern"] = data["safeguarding_concern"]
        return payload

    def summary(self) -> list[dict]:
        """The cleaned answers in plain English, for the check-your-answers page.

        A list of sections {"title", "rows": [{"key", "lines", "field_id"}]},
        where `lines` are the value's lines of text.
        """
        data = self.cleaned_data

        def row(name, value, key=None):
            return {
                "key": key or self.fields[name].label,
                "lines": [value] if isinstance(value, str) else list(value),
                "field_id": self[name].auto_id,
            }

        def yes_no(value, unanswered="Not answered"):
            return {"yes": "Yes", "no": "No"}.get(value, unanswered)

        def long_date(day):
            return f"{day.day} {day:%B %Y}"

        sections = []
        visit = [row("visit_date", long_date(data["visit_date"]))]
        if self.choose_agency:
            visit.append(
                row(
                    "referrer_agency",
                    self.agency_names.get(data["referrer_agency"], ""),
                    key="Agency",
                )
            )
            visit.append(row("worker", data["worker"], key="Worker"))
        sections.append({"title": "The visit", "rows": visit})
        sections.append(
            {
                "title": "About the person",
                "rows": [
                    row(
                        "given_name",
                        f"{data['given_name']} {data['family_name']}",
                        key="Name",
                    ),
                    row("date_of_birth", long_date(data["date_of_birth"])),
                    row(
                        "address_line_1",
                        [data["address_line_1"], data["postcode"]],
                        key="Address",
                    ),
                    row("phone", data["phone"] or "Not given", key="Phone number"),
                    row(
                        "lives_alone",
                        yes_no(data["lives_alone"], "Not given"),
                        key="Lives alone",
                    ),
                ],
            }
        )
        refused = [self.agency_names[c] for c in data["except_agencies"]]
        sections.append(
            {
                "title": "Consent",
                "rows": [
                    row("consent_share", yes_no(data["consent_share"]), key="Agrees"),
                    row(
                        "except_agencies",
                        refused or "None",
                        key="Not to be sent to",
                    ),
                ],
            }
        )
        sections.append(
            {
                "title": "Questions",
                "rows": [
                    row(
                        answer_field_name(q.code),
                        yes_no(data.get(answer_field_name(q.code))),
                        key=f"{number}. {q.text}",
                    )
                    for number, q in enumerate(self.questions, start=1)
                ],
            }
        )
        sections.append(
            {
                "title": "Safeguarding",
                "rows": [
                    row(
                        "safeguarding_concern",
                        data["safeguarding_concern"] or "None",
                        key="Concern",
                    )
                ],
            }
        )
        return sections

    def add_intake_errors(self, errors: list[dict]) -> None:
        """Put intake's errors ({"field": "person.postcode", "message": ...}) on
        the fields they belong to; an error no field shows becomes a form error."""
        for error in errors:
            name = self.field_for_path(error.get("field", ""))
            message = error.get("message", "").rstrip(".")
            if name is None:
                self.add_error(
                    None, f"{error.get('field') or 'The checklist'} {message}"
                )
            else:
                self.add_error(name, f"{self.fields[name].label} {message}")

    def field_for_path(self, path: str) -> str | None:
        """The form field that shows an exchange-format field, or None."""
        head, _, rest = path.partition(".")
        rest = rest.split("[", 1)[0]
        if head == "person" and rest in self.fields:
            name = rest
        elif head in ("visit_date", "safeguarding_concern"):
            name = head
        elif head == "consent":
            name = "except_agencies" if rest == "except_agencies" else "consent_share"
        elif head == "answers" and rest:
            name = answer_field_name(rest)
        elif head == "referrer":
            name = "referrer_agency" if rest == "agency" else "worker"
        else:
            name = None
        return name if name in self.fields else None


def external_id_for(token: str) -> str:
    """The external_id of the checklist a web form with this token makes."""
    return f"WEB-{token}"
