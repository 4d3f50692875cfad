"""Validate a checklist submission in the exchange format.

Every error names the field by its dotted path and says how to fix it. The web
form, the API and the batch import all call `validate_submission`, so the three
doors accept and reject exactly the same input.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from firstcontact.directory.context import SchemeContext
from firstcontact.directory.postcodes import InvalidPostcode, normalise_postcode
from firstcontact.reports.census import EQUALITY_QUESTIONS, allowed_codes

TOP_LEVEL_FIELDS = {
    "external_id",
    "checklist_version",
    "visit_date",
    "referrer",
    "source",
    "person",
    "consent",
    "answers",
    "safeguarding_concern",
    "equality",
}
REFERRER_FIELDS = {"agency", "worker"}
PERSON_FIELDS = {
    "given_name",
    "family_name",
    "date_of_birth",
    "address_line_1",
    "postcode",
    "phone",
    "lives_alone",
}
CONSENT_FIELDS = {"share", "except_agencies"}
SOURCES = {"partner", "self"}
# Dates must be YYYY-MM-DD, because date.fromisoformat (Python 3.11 and later)
# also accepts 20261102 and week dates such as 2026-W45-1.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_TEXT = {
    "referrer.worker": 200,
    "person.given_name": 100,
    "person.family_name": 100,
    "person.address_line_1": 200,
    "person.phone": 32,
    "safeguarding_concern": 5000,
}


# Control characters other than tab and line breaks, bidirectional embedding,
# override and isolate controls, and lone surrogates. None belongs in a name,
# an address or a note; they can make text display other than it reads, and
# PostgreSQL cannot store NUL.
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# The exchange format nests objects three deep at most.
MAX_DEPTH = 6
# No one alive was born this many years before a visit.
MAX_AGE_YEARS = 125


@dataclass
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


@dataclass
class Submission:
    """A valid submission, with its values parsed and normalised."""

    external_id: str
    checklist_version: int
    visit_date: datetime.date
    agency_code: str
    worker: str
    source: str
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    address_line_1: str
    postcode: str
    phone: str
    lives_alone: bool | None
    consent_share: bool
    consent_except: list[str]
    answers: dict[str, str]
    safeguarding_concern: str
    equality: dict = field(default_factory=dict)


class _Reader:
    """Collects errors while reading fields of one submission."""

    def __init__(self, payload):
        self.payload = payload
        self.errors: list[FieldError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def section(self, name: str, allowed: set[str]) -> dict | None:
        """Return the object at `name`, or None after reporting it missing or wrong.

        The field readers skip a None section, so a missing section is one error.
        """
        value = self.payload.get(name)
        if value is None:
            self.error(name, "is missing; it must be an object.")
            return None
        if not isinstance(value, dict):
            self.error(name, "must be an object.")
            return None
        self.reject_unknown(value, allowed, f"{name}.")
        return value

    def reject_unknown(self, mapping: dict, allowed: set[str], prefix: str = ""):
        for key in sorted(set(mapping) - allowed, key=str):
            self.error(
                f"{prefix}{key}", "is not a field of the exchange format; remove it."
            )

    def text(self, mapping, key, path, required=True) -> str:
        if mapping is None:
            return ""
        value = mapping.get(key)
        if value is None:
            if required:
                self.error(path, "is missing.")
            return ""
        if not isinstance(value, str):
            self.error(path, "must be a string.")
            return ""
        value = value.strip()
        if required and not _is_visible(value):
            self.error(path, "is empty; enter a value.")
        limit = MAX_TEXT.get(path)
        if limit and len(value) > limit:
            self.error(path, f"is {len(value)} characters long; the limit is {limit}.")
        return value

    def date(self, mapping, key, path, today) -> datetime.date | None:
        if mapping is None:
            return None
        raw = mapping.get(key)
        if raw is None:
            self.error(path, "is missing; give a date as YYYY-MM-DD.")
            return None
        if not isinstance(raw, str):
            self.error(path, "must be a date string such as 1941-03-14.")
            return None
        if not ISO_DATE.fullmatch(raw):
            self.error(path, f"{raw!r} is not in the form YYYY-MM-DD.")
            return None
        try:
            value = datetime.date.fromisoformat(raw)
        except ValueError:
            self.error(path, f"{raw!r} is not a real date; use YYYY-MM-DD.")
            return None
        if value > today:
            self.error(path, f"{raw} is in the future; check the date.")
            return None
        return value

    def boolean(self, mapping, key, path, required=True) -> bool | None:
        if mapping is None:
            return None
        value = mapping.get(key)
        if value is None:
            if required:
                self.error(path, "is missing; use true or false.")
            return None
        if not isinstance(value, bool):
            self.error(path, "must be true or false.")
            return None
        return value


def validate_submission(
    payload, context: SchemeContext, today: datetime.date
) -> tuple[Submission | None, list[FieldError]]:
    """Return the parsed submission, or None and the list of field errors."""
    if not isinstance(payload, dict):
        return None, [FieldError("", "a checklist must be a JSON object.")]
    reader = _Reader(payload)
    if not _check_characters(reader, payload, ""):
        return None, reader.errors
    reader.reject_unknown(payload, TOP_LEVEL_FIELDS)

    external_id = reader.text(payload, "external_id", "external_id")
    if len(external_id) > 64:
        reader.error("external_id", "is longer than 64 characters.")

    version_number = payload.get("checklist_version")
    questions = None
    if version_number is None:
        reader.error("checklist_version", "is missing; the current version is 1.")
    elif type(version_number) is not int:
        reader.error("checklist_version", "must be a whole number such as 1.")
    elif version_number not in context.versions:
        known = ", ".join(str(v) for v in sorted(context.versions))
        reader.error(
            "checklist_version",
            f"version {version_number} does not exist; use one of: {known}.",
        )
    else:
        questions = {q.code: q for q in context.questions[version_number]}

    visit_date = reader.date(payload, "visit_date", "visit_date", today)

    referrer = reader.section("referrer", REFERRER_FIELDS)
    agency_code = reader.text(referrer, "agency", "referrer.agency")
    if agency_code and agency_code not in context.agencies:
        reader.error(
            "referrer.agency", f"{agency_code!r} is not an agency of this scheme."
        )
    worker = reader.text(referrer, "worker", "referrer.worker")

    source = payload.get("source")
    if source not in SOURCES:
        reader.error("source", 'must be "partner" or "self".')

    person = reader.section("person", PERSON_FIELDS)
    given_name = reader.text(person, "given_name", "person.given_name")
    family_name = reader.text(person, "family_name", "person.family_name")
    date_of_birth = reader.date(person, "date_of_birth", "person.date_of_birth", today)
    if date_of_birth and visit_date and date_of_birth > visit_date:
        reader.error("person.date_of_birth", "is after the visit date; check both.")
    elif (
        date_of_birth
        and visit_date
        and visit_date.year - date_of_birth.year > MAX_AGE_YEARS
    ):
        reader.error(
            "person.date_of_birth",
            f"is more than {MAX_AGE_YEARS} years before the visit date; check it.",
        )
    address = reader.text(person, "address_line_1", "person.address_line_1")
    postcode = ""
    raw_postcode = reader.text(person, "postcode", "person.postcode")
    if raw_postcode:
        try:
            postcode = normalise_postcode(raw_postcode)
        except InvalidPostcode as error:
            reader.error("person.postcode", str(error))
    phone = reader.text(person, "phone", "person.phone", required=False)
    lives_alone = reader.boolean(person, "lives_alone", "person.lives_alone", False)

    consent = reader.section("consent", CONSENT_FIELDS)
    share = reader.boolean(consent, "share", "consent.share")
    except_agencies = _read_except_agencies(reader, consent, context)

    answers = _read_answers(reader, payload.get("answers"), questions)
    concern = reader.text(
        payload, "safeguarding_concern", "safeguarding_concern", required=False
    )
    equality = _read_equality(reader, payload.get("equality"))

    if reader.errors:
        return None, reader.errors
    return Submission(
        external_id=external_id,
        checklist_version=version_number,
        visit_date=visit_date,
        agency_code=agency_code,
        worker=worker,
        source=source,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        address_line_1=address,
        postcode=postcode,
        phone=phone,
        lives_alone=lives_alone,
        consent_share=share,
        consent_except=except_agencies,
        answers=answers,
        safeguarding_concern=concern,
        equality=equality,
    ), []


def _read_except_agencies(reader, consent, context) -> list[str]:
    codes = consent.get("except_agencies") if consent else None
    if codes is None:
        return []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        reader.error("consent.except_agencies", "must be a list of agency codes.")
        return []
    for index, code in enumerate(codes):
        if code not in context.agencies:
            reader.error(
                f"consent.except_agencies[{index}]",
                f"{code!r} is not an agency of this scheme.",
            )
    return sorted(set(codes))


def _read_answers(reader, answers, questions) -> dict[str, str]:
    if answers is None:
        reader.error("answers", "is missing; it must be an object of question codes.")
        return {}
    if not isinstance(answers, dict):
        reader.error("answers", "must be an object of question codes.")
        return {}
    if questions is None:
        return {}
    for code in sorted(answers, key=str):
        value = answers[code]
        if code not in questions:
            reader.error(
                f"answers.{code}", "is not a question of this checklist version."
            )
        elif value not in ("yes", "no"):
            reader.error(f"answers.{code}", 'must be "yes" or "no".')
    return dict(answers)


def _read_equality(reader, equality) -> dict[str, str]:
    """Check the optional 2021 census monitoring answers, keeping those given."""
    if equality is None:
        return {}
    if not isinstance(equality, dict):
        reader.error("equality", "must be an object.")
        return {}
    reader.reject_unknown(equality, set(EQUALITY_QUESTIONS), "equality.")
    answers = {}
    for question in EQUALITY_QUESTIONS:
        value = equality.get(question)
        if value is None:
            continue
        codes = allowed_codes(question)
        if value not in codes:
            reader.error(
                f"equality.{question}",
                f"{value!r} is not a 2021 census category; use one of: "
                f"{', '.join(codes)}.",
            )
            continue
        answers[question] = value
    return answers


def _is_visible(text: str) -> bool:
    """Return whether the text has a character other than space or a format mark."""
    return any(not c.isspace() and unicodedata.category(c) != "Cf" for c in text)


def _check_characters(reader, value, path: str, depth: int = 0) -> bool:
    """Report forbidden characters and deep nesting; return False to stop there.

    Nesting too deep stops validation at once, because reading the fields of
    such a value would only add noise to the one error that matters.
    """
    if depth > MAX_DEPTH:
        reader.error(path, "is nested too deeply for a checklist.")
        return False
    if isinstance(value, str):
        match = FORBIDDEN_CHARACTERS.search(value)
        if match:
            reader.error(
                path,
                f"contains the character U+{ord(match.group()):04X}, which is not "
                "allowed; remove it.",
            )
        return True
    items = ()
    if isinstance(value, dict):
        items = (
            (f"{path}.{key}" if path else str(key), item) for key, item in value.items()
        )
    elif isinstance(value, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    for item_path, item in items:
        if FORBIDDEN_CHARACTERS.search(item_path):
            reader.error(path, "has a field name with a character that is not allowed.")
            continue
        if not _check_characters(reader, item, item_path, depth + 1):
            return False
    return True
