"""Finding a person: posted, scoped to the hub and admins, audited without names."""

import pytest
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from tests.rights.conftest import FAMILY_NAME

SEARCH = reverse("rights:search")


@pytest.fixture
def hub(client, hub_user):
    client.force_login(hub_user)
    return client


def found(response) -> list:
    return [person.pk for person in response.context["people"]]


def test_search_by_last_name_finds_the_person(hub, record):
    response = hub.post(SEARCH, {"family_name": FAMILY_NAME.upper()})

    assert found(response) == [record.person_id]


def test_search_by_referral_reference_finds_the_person(hub, record):
    response = hub.post(SEARCH, {"reference": record.reference.lower()})

    assert found(response) == [record.person_id]


def test_empty_search_is_rejected(hub, record):
    response = hub.post(SEARCH, {})

    assert response.status_code == 400


def test_search_is_audited_without_the_name(hub, record):
    hub.post(SEARCH, {"family_name": FAMILY_NAME})

    event = AuditEvent.objects.get(action="person.searched")
    assert event.data == {"by": ["family_name"], "results": 1}


@pytest.mark.parametrize("role", ["referrer", "agency", "manager", "executive"])
def test_others_may_not_search(record, make_user, client, role):
    agency = {"referrer": "fire-rescue", "agency": "pension-service"}.get(role)
    client.force_login(make_user(f"someone.{role}", role, agency))

    response = client.post(SEARCH, {"family_name": FAMILY_NAME})

    assert response.status_code == 403
