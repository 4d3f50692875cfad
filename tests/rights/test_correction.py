"""Correcting a person's details, audited by field name and never by value."""

import logging

import pytest
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from firstcontact.people.models import Person
from firstcontact.referrals.operations import OperationError
from firstcontact.rights.operations import correct_person, erase_person
from tests.rights.conftest import FAMILY_NAME

NEW_FAMILY_NAME = "Quenell-Hart"


def corrected(record, hub_user, **changes):
    return correct_person(record.person_id, hub_user, changes=changes)


def test_correction_changes_the_field(record, hub_user):
    corrected(record, hub_user, family_name=NEW_FAMILY_NAME)

    assert Person.objects.get().family_name == NEW_FAMILY_NAME


def test_correction_changes_the_matching_key(record, hub_user):
    corrected(record, hub_user, family_name=NEW_FAMILY_NAME)

    assert Person.objects.get().family_key == "quenellhart"


def test_correction_returns_only_changed_fields(record, hub_user):
    changed = corrected(
        record, hub_user, family_name=NEW_FAMILY_NAME, given_name="Winifred"
    )

    assert changed == ["family_name"]


def test_correction_is_audited_by_field_name(record, hub_user):
    corrected(record, hub_user, family_name=NEW_FAMILY_NAME, phone="01164960999")

    event = AuditEvent.objects.get(action="person.corrected")
    assert event.data == {"fields": ["family_name", "phone"]}


def test_correction_logs_names_of_fields_not_values(record, hub_user, caplog):
    with caplog.at_level(logging.DEBUG):
        corrected(record, hub_user, family_name=NEW_FAMILY_NAME)

    assert "family_name" in caplog.text
    assert NEW_FAMILY_NAME not in caplog.text
    assert FAMILY_NAME not in caplog.text


def test_erased_person_cannot_be_corrected(closed_record, hub_user):
    erase_person(closed_record.person_id, hub_user)

    with pytest.raises(OperationError):
        corrected(closed_record, hub_user, family_name=NEW_FAMILY_NAME)


def test_correction_page_saves_the_change(record, hub_user, client):
    client.force_login(hub_user)
    person = Person.objects.get()

    response = client.post(
        reverse("rights:correct", args=[person.pk]),
        {
            "given_name": person.given_name,
            "family_name": NEW_FAMILY_NAME,
            "date_of_birth_day": person.date_of_birth.day,
            "date_of_birth_month": person.date_of_birth.month,
            "date_of_birth_year": person.date_of_birth.year,
            "address_line_1": person.address_line_1,
            "postcode": person.postcode,
            "phone": person.phone,
            "lives_alone": "",
        },
    )

    assert response.status_code == 302
    assert Person.objects.get().family_name == NEW_FAMILY_NAME


def test_correction_page_ignores_protected_fields(record, hub_user, client, scheme):
    client.force_login(hub_user)
    person = Person.objects.get()

    client.post(
        reverse("rights:correct", args=[person.pk]),
        {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth_day": person.date_of_birth.day,
            "date_of_birth_month": person.date_of_birth.month,
            "date_of_birth_year": person.date_of_birth.year,
            "address_line_1": person.address_line_1,
            "postcode": person.postcode,
            "id": "00000000-0000-0000-0000-000000000001",
            "scheme": "another-scheme",
            "family_key": "someone-else",
        },
    )

    after = Person.objects.get()
    assert (after.pk, after.scheme_id) == (person.pk, person.scheme_id)
    assert after.family_key == person.family_key


def test_agency_user_cannot_correct(record, agency_user):
    with pytest.raises(OperationError):
        corrected(record, agency_user, family_name=NEW_FAMILY_NAME)
