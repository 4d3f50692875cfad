"""Validation of the exchange format: each bad input names its field, saves nothing."""

import copy
import datetime

import pytest

from firstcontact.checklists.intake import submit_checklist
from firstcontact.checklists.models import Checklist
from firstcontact.people.models import Person
from firstcontact.referrals.models import Referral
from tests.conftest import checklist_payload

TODAY = datetime.date(2026, 12, 1)
MISSING = object()


def changed(path: str, value=MISSING) -> dict:
    """Return the valid payload with one dotted path set to `value` or removed."""
    payload = copy.deepcopy(checklist_payload())
    *parents, last = path.split(".")
    target = payload
    for key in parents:
        target = target[key]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    return payload


BAD_INPUTS = [
    # (case id, payload, expected error fields)
    ("external_id missing", changed("external_id"), ["external_id"]),
    ("external_id number", changed("external_id", 17), ["external_id"]),
    ("external_id blank", changed("external_id", "   "), ["external_id"]),
    ("external_id too long", changed("external_id", "X" * 65), ["external_id"]),
    ("version missing", changed("checklist_version"), ["checklist_version"]),
    ("version string", changed("checklist_version", "1"), ["checklist_version"]),
    ("version boolean", changed("checklist_version", True), ["checklist_version"]),
    ("version unknown", changed("checklist_version", 7), ["checklist_version"]),
    ("visit_date missing", changed("visit_date"), ["visit_date"]),
    ("visit_date impossible", changed("visit_date", "2026-02-30"), ["visit_date"]),
    ("visit_date future", changed("visit_date", "2026-12-02"), ["visit_date"]),
    ("visit_date slashes", changed("visit_date", "2026/11/02"), ["visit_date"]),
    ("visit_date compact", changed("visit_date", "20261102"), ["visit_date"]),
    ("visit_date week form", changed("visit_date", "2026-W45-1"), ["visit_date"]),
    ("visit_date number", changed("visit_date", 20261102), ["visit_date"]),
    ("referrer missing", changed("referrer"), ["referrer"]),
    ("referrer string", changed("referrer", "fire-rescue"), ["referrer"]),
    (
        "referrer empty",
        changed("referrer", {}),
        ["referrer.agency", "referrer.worker"],
    ),
    ("agency missing", changed("referrer.agency"), ["referrer.agency"]),
    ("agency unknown", changed("referrer.agency", "fire-brigade"), ["referrer.agency"]),
    ("worker missing", changed("referrer.worker"), ["referrer.worker"]),
    ("referrer extra field", changed("referrer.team", "east"), ["referrer.team"]),
    ("source missing", changed("source"), ["source"]),
    ("source other", changed("source", "other"), ["source"]),
    ("person missing", changed("person"), ["person"]),
    ("person list", changed("person", []), ["person"]),
    ("given_name missing", changed("person.given_name"), ["person.given_name"]),
    ("given_name number", changed("person.given_name", 7), ["person.given_name"]),
    ("given_name blank", changed("person.given_name", ""), ["person.given_name"]),
    (
        "given_name too long",
        changed("person.given_name", "M" * 101),
        ["person.given_name"],
    ),
    ("family_name missing", changed("person.family_name"), ["person.family_name"]),
    (
        "date_of_birth missing",
        changed("person.date_of_birth"),
        ["person.date_of_birth"],
    ),
    (
        "date_of_birth impossible",
        changed("person.date_of_birth", "1941-02-29"),
        ["person.date_of_birth"],
    ),
    (
        "date_of_birth future",
        changed("person.date_of_birth", "2027-01-01"),
        ["person.date_of_birth"],
    ),
    (
        "date_of_birth after visit",
        changed("person.date_of_birth", "2026-11-20"),
        ["person.date_of_birth"],
    ),
    (
        "address missing",
        changed("person.address_line_1"),
        ["person.address_line_1"],
    ),
    ("postcode missing", changed("person.postcode"), ["person.postcode"]),
    ("postcode malformed", changed("person.postcode", "LE10"), ["person.postcode"]),
    ("phone number", changed("person.phone", 1162000000), ["person.phone"]),
    (
        "lives_alone string",
        changed("person.lives_alone", "yes"),
        ["person.lives_alone"],
    ),
    ("person extra field", changed("person.nhs_number", "x"), ["person.nhs_number"]),
    ("consent missing", changed("consent"), ["consent"]),
    ("consent empty", changed("consent", {}), ["consent.share"]),
    ("share missing", changed("consent.share"), ["consent.share"]),
    ("share string", changed("consent.share", "yes"), ["consent.share"]),
    (
        "except_agencies string",
        changed("consent.except_agencies", "police"),
        ["consent.except_agencies"],
    ),
    (
        "except_agencies unknown",
        changed("consent.except_agencies", ["police", "nobody"]),
        ["consent.except_agencies[1]"],
    ),
    ("answers missing", changed("answers"), ["answers"]),
    ("answers list", changed("answers", ["benefits"]), ["answers"]),
    (
        "answer code unknown",
        changed("answers.wellbeing", "yes"),
        ["answers.wellbeing"],
    ),
    ("answer maybe", changed("answers.benefits", "maybe"), ["answers.benefits"]),
    ("answer capitalised", changed("answers.benefits", "Yes"), ["answers.benefits"]),
    ("answer boolean", changed("answers.benefits", True), ["answers.benefits"]),
    ("answer null", changed("answers.benefits", None), ["answers.benefits"]),
    ("unknown top-level field", changed("nickname", "Peggy"), ["nickname"]),
    ("concern number", changed("safeguarding_concern", 1), ["safeguarding_concern"]),
    ("equality string", changed("equality", "prefer not"), ["equality"]),
    ("equality list", changed("equality", []), ["equality"]),
    ("body list", [checklist_payload()], [""]),
    ("body string", "checklist", [""]),
    ("body null", None, [""]),
]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [pytest.param(payload, fields, id=name) for name, payload, fields in BAD_INPUTS],
)
def test_bad_input_is_rejected(context, payload, fields):
    result = submit_checklist(payload, context, channel="api", today=TODAY)

    assert result["status"] == "rejected"
    assert [error["field"] for error in result["errors"]] == fields
    assert Checklist.objects.count() == 0
    assert Person.objects.count() == 0
    assert Referral.objects.count() == 0


def test_every_error_has_a_message(context):
    payload = changed("answers.benefits", "maybe")

    result = submit_checklist(payload, context, channel="api", today=TODAY)

    assert result["errors"] == [
        {"field": "answers.benefits", "message": 'must be "yes" or "no".'}
    ]


def test_all_errors_are_reported_together(context):
    payload = changed("visit_date", "2026-02-30")
    payload["source"] = "other"
    payload["answers"]["wellbeing"] = "yes"

    result = submit_checklist(payload, context, channel="api", today=TODAY)

    assert [error["field"] for error in result["errors"]] == [
        "visit_date",
        "source",
        "answers.wellbeing",
    ]


def test_rejected_result_keeps_external_id(context):
    result = submit_checklist(
        changed("source", "other"), context, channel="api", today=TODAY
    )

    assert result["external_id"] == "T-0001"


def test_valid_payload_is_processed(context):
    result = submit_checklist(checklist_payload(), context, channel="api", today=TODAY)

    assert result["status"] == "processed"


def test_visit_today_is_accepted(context):
    payload = changed("visit_date", TODAY.isoformat())

    result = submit_checklist(payload, context, channel="api", today=TODAY)

    assert result["status"] == "processed"


def test_optional_fields_are_accepted(context):
    payload = checklist_payload(safeguarding_concern="Bruising seen", equality={})
    payload["person"] |= {"phone": "0116 496 0000", "lives_alone": False}
    payload["consent"]["except_agencies"] = ["police"]

    result = submit_checklist(payload, context, channel="api", today=TODAY)

    assert result["status"] == "processed"


def test_external_id_of_64_characters_is_accepted(context):
    payload = changed("external_id", "X" * 64)

    result = submit_checklist(payload, context, channel="api", today=TODAY)

    assert result["status"] == "processed"


def test_empty_answers_are_accepted(context):
    payload = changed("answers", {})

    result = submit_checklist(payload, context, channel="api", today=TODAY)

    assert result["referrals"] == []


def test_names_are_kept_as_typed(context):
    payload = checklist_payload()
    payload["person"] |= {"given_name": "Zoë", "family_name": "O’Brien-Łukasz 王"}

    submit_checklist(payload, context, channel="api", today=TODAY)

    person = Person.objects.get()
    assert person.given_name == "Zoë"
    assert person.family_name == "O’Brien-Łukasz 王"
