"""Subject access: everything held about a person, and every agency it went to."""

import json

import pytest
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from tests.rights.conftest import CONCERN, FAMILY_NAME, GIVEN_NAME, NOTE

BENEFITS_QUESTION = (
    "Would you like a check that you receive all the benefits you are entitled to?"
)


@pytest.fixture
def hub(client, hub_user):
    client.force_login(hub_user)
    return client


def export(client, referral) -> dict:
    url = reverse("rights:subject-access-json", args=[referral.person_id])
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(response.content)


def test_export_holds_the_person(hub, record):
    person = export(hub, record)["person"]

    assert (person["given_name"], person["family_name"]) == (GIVEN_NAME, FAMILY_NAME)


def test_export_holds_checklist_answers_and_concern(hub, record):
    checklist = export(hub, record)["checklists"][0]

    answers = {item["question"]: item["answer"] for item in checklist["answers"]}
    assert answers[BENEFITS_QUESTION] == "yes"
    assert checklist["safeguarding_concern"] == CONCERN
    assert checklist["equality"] == {"sex": "female", "ethnic_group": "white-irish"}


def test_export_holds_referrals_with_agencies_and_statuses(hub, record):
    referrals = export(hub, record)["referrals"]

    by_reference = {referral["reference"]: referral for referral in referrals}
    benefits = by_reference[record.reference]
    assert benefits["agency"] == "The Pension Service (local)"
    assert benefits["status"] == "Completed"
    assert benefits["status_note"] == NOTE


def test_export_names_every_agency_it_went_to(hub, record):
    shared = export(hub, record)["shared_with"]

    assert [entry["agency"] for entry in shared] == ["The Pension Service (local)"]


def test_export_holds_consent_with_its_wording(hub, record):
    consent = export(hub, record)["consent_records"][0]

    assert consent["decision"] == "Consent given"
    assert consent["wording"].startswith("Does the person agree")


def test_export_holds_audit_events_about_the_person(hub, record):
    actions = [event["action"] for event in export(hub, record)["audit_events"]]

    assert "referral.forwarded" in actions
    assert "referral.completed" in actions


def test_export_names_staff_by_role_not_name(hub, record, agency_user):
    text = json.dumps(export(hub, record))

    assert agency_user.username not in text


def test_export_is_audited(hub, record):
    export(hub, record)

    event = AuditEvent.objects.get(action="person.subject_access_exported")
    assert (event.person_id, event.data) == (record.person_id, {"format": "json"})


def test_printable_page_shows_the_record(hub, record):
    url = reverse("rights:subject-access", args=[record.person_id])

    response = hub.get(url)

    assert response.status_code == 200
    assert FAMILY_NAME in response.text
    assert "The Pension Service (local)" in response.text


@pytest.mark.parametrize("role", ["referrer", "agency", "manager", "executive"])
def test_others_may_not_export(record, make_user, client, role):
    agency = {"referrer": "fire-rescue", "agency": "pension-service"}.get(role)
    client.force_login(make_user(f"someone.{role}", role, agency))

    response = client.get(
        reverse("rights:subject-access-json", args=[record.person_id])
    )

    assert response.status_code == 403


def test_admin_may_export(record, make_user, client):
    client.force_login(make_user("scheme.admin", "admin"))

    response = client.get(
        reverse("rights:subject-access-json", args=[record.person_id])
    )

    assert response.status_code == 200
