"""Erasure replaces a person's details in every table, page, export and API
response, and is safe to repeat."""

import json

import pytest
from django.apps import apps
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.intake import submit_checklist
from firstcontact.checklists.models import Checklist
from firstcontact.consent.operations import withdraw_consent
from firstcontact.delivery.models import MessageStatus, OutboxMessage
from firstcontact.people.models import Person
from firstcontact.referrals.operations import OperationError
from firstcontact.rights.models import Erasure
from firstcontact.rights.operations import erase_person
from tests.rights.conftest import (
    ADDRESS,
    CONCERN,
    FAMILY_NAME,
    GIVEN_NAME,
    NOTE,
    PHONE,
    TODAY,
    payload,
)

# Text that identifies the invented person, and must survive nowhere.
IDENTIFYING = [GIVEN_NAME, FAMILY_NAME, ADDRESS, PHONE, CONCERN, NOTE, "R-0001"]


@pytest.fixture
def erased(closed_record, hub_user):
    erase_person(closed_record.person_id, hub_user)
    closed_record.refresh_from_db()
    return closed_record


def every_stored_row():
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            for row in model._base_manager.values():
                yield model._meta.label, str(row)


def identifying_text_found():
    return [
        (label, text)
        for label, row in every_stored_row()
        for text in IDENTIFYING
        if text in row
    ]


def test_table_scan_finds_the_person_before_erasure(closed_record):
    labels = {label for label, _ in identifying_text_found()}

    assert {"people.Person", "checklists.Checklist", "referrals.Referral"} <= labels


def test_erasure_leaves_no_identifying_text_in_any_table(
    closed_record, hub_user, agency_user
):
    OutboxMessage.objects.filter(referral__person=closed_record.person).update(
        status=MessageStatus.DELIVERED
    )
    withdraw_consent(closed_record.person_id, hub_user, note=f"{GIVEN_NAME} phoned.")

    erase_person(closed_record.person_id, hub_user)

    assert identifying_text_found() == []


def test_erasure_keeps_year_of_birth_and_district(erased):
    person = Person.objects.get()

    assert person.date_of_birth.isoformat() == "1941-01-01"
    assert person.district.code == "hinckley"


def test_erased_person_reads_erased_in_the_referral_export(erased, hub_user, client):
    client.force_login(hub_user)

    response = client.get(
        reverse("reports:export_referrals", args=["csv"]),
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
    )

    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert ",erased,erased," in rows[1]


def test_erased_person_reads_erased_in_the_api(erased, hub_user, api_client_for):
    response = api_client_for(hub_user).get(f"/api/v1/referrals/{erased.pk}")

    person = response.json()["person"]
    assert (person["given_name"], person["family_name"]) == ("erased", "erased")


def test_erased_person_reads_erased_in_subject_access(erased, hub_user, client):
    client.force_login(hub_user)

    response = client.get(
        reverse("rights:subject-access-json", args=[erased.person_id])
    )

    person = json.loads(response.content)["person"]
    assert person["erased"] is True
    assert person["family_name"] == "erased"


def test_erasure_is_audited_without_details(closed_record, hub_user):
    erase_person(closed_record.person_id, hub_user)

    event = AuditEvent.objects.get(action="person.erased")
    assert event.data["kind"] == "request"
    assert FAMILY_NAME not in str(event.data)


def test_erasing_twice_changes_nothing(erased, hub_user):
    first = Erasure.objects.get()

    again = erase_person(erased.person_id, hub_user)

    assert again == first
    assert AuditEvent.objects.filter(action="person.erased").count() == 1


def test_person_with_open_referrals_is_not_erased(record, hub_user):
    with pytest.raises(OperationError):
        erase_person(record.person_id, hub_user)

    assert Person.objects.get().family_name == FAMILY_NAME


def test_later_checklist_makes_a_new_person(erased, context, referrer):
    submit_checklist(
        payload("R-0002"), context, channel="api", user=referrer, today=TODAY
    )

    assert Person.objects.count() == 2


def test_erased_checklist_keeps_its_answers_for_the_figures(erased):
    checklist = Checklist.objects.get()

    assert checklist.answers["benefits"] == "yes"
    assert checklist.equality == {}


def test_erase_page_refuses_without_confirmation(closed_record, hub_user, client):
    client.force_login(hub_user)

    response = client.post(reverse("rights:erase", args=[closed_record.person_id]))

    assert response.status_code == 400
    assert not Erasure.objects.exists()


def test_erase_page_erases_when_confirmed(closed_record, hub_user, client):
    client.force_login(hub_user)

    response = client.post(
        reverse("rights:erase", args=[closed_record.person_id]), {"confirm": "yes"}
    )

    assert response.status_code == 302
    assert Erasure.objects.get().erased_by == hub_user
