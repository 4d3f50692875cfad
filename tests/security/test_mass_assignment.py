"""Request bodies cannot set protected fields: agency, status, owner or ids.

Forms and API endpoints read named fields only; these tests post the
protected names beside valid input and check that nothing else changed.
"""

import re
import uuid

import pytest
from django.urls import reverse

from firstcontact.checklists.models import Checklist
from firstcontact.consent.models import ConsentRecord, Decision
from firstcontact.referrals.models import Referral, Status
from firstcontact.referrals.operations import forward_referral
from tests.conftest import checklist_payload

PROTECTED = {
    "id": str(uuid.uuid4()),
    "pk": str(uuid.uuid4()),
    "agency": "police",
    "agency_id": str(uuid.uuid4()),
    "scheme": "another-scheme",
    "status": "completed",
    "status_reason": "forged",
    "submitted_by": str(uuid.uuid4()),
    "owner": str(uuid.uuid4()),
    "person": str(uuid.uuid4()),
    "reference": "RF-AAAA-AAAA",
    "version": 1,
}


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def referral(referrer, hub_user, api_client_for):
    post_json(api_client_for(referrer), "/api/v1/checklists", checklist_payload())
    benefits = Referral.objects.get(service__code="benefits-check")
    return forward_referral(benefits.pk, hub_user)


def snapshot(referral) -> tuple:
    referral = Referral.objects.get(pk=referral.pk)
    return (
        referral.pk,
        referral.reference,
        referral.agency_id,
        referral.scheme_id,
        referral.person_id,
        referral.checklist_id,
    )


@pytest.mark.parametrize("name", sorted(set(PROTECTED) - {"version"}))
def test_checklist_api_rejects_protected_fields(referrer, api_client_for, name):
    payload = checklist_payload(**{name: PROTECTED[name]})

    response = post_json(api_client_for(referrer), "/api/v1/checklists", payload)

    assert response.status_code == 400
    assert not Checklist.objects.exists()


def test_checklist_api_keeps_referrer_to_their_agency(referrer, api_client_for):
    payload = checklist_payload(referrer={"agency": "police", "worker": "A Visitor"})

    response = post_json(api_client_for(referrer), "/api/v1/checklists", payload)

    assert response.status_code == 400
    assert not Checklist.objects.exists()


def test_checklist_api_records_the_token_user_as_submitter(referrer, api_client_for):
    payload = checklist_payload()

    post_json(api_client_for(referrer), "/api/v1/checklists", payload)

    assert Checklist.objects.get().submitted_by == referrer


def test_api_action_ignores_protected_fields(referral, agency_user, api_client_for):
    before = snapshot(referral)
    body = {**PROTECTED, "version": referral.version}

    response = post_json(
        api_client_for(agency_user), f"/api/v1/referrals/{referral.pk}/accept", body
    )

    assert response.status_code == 200
    assert snapshot(referral) == before
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_web_action_ignores_protected_fields(referral, agency_user, client):
    client.force_login(agency_user)
    before = snapshot(referral)

    response = client.post(
        reverse("referrals:act", args=[referral.pk, "accept"]),
        {**PROTECTED, "version": referral.version},
    )

    assert response.status_code == 302
    assert snapshot(referral) == before
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_web_decline_cannot_choose_the_status(referral, agency_user, client):
    client.force_login(agency_user)

    client.post(
        reverse("referrals:act", args=[referral.pk, "decline"]),
        {
            "version": referral.version,
            "reason": "no-capacity",
            "status": Status.COMPLETED,
        },
    )

    assert Referral.objects.get(pk=referral.pk).status == Status.REJECTED


def test_web_checklist_keeps_referrer_to_their_agency(referrer, client):
    client.force_login(referrer)
    page = client.get(reverse("checklists:new")).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    data = {
        "action": "send",
        "token": token,
        "checklist_version": "1",
        "visit_date_day": "2",
        "visit_date_month": "11",
        "visit_date_year": "2026",
        "given_name": "Margaret",
        "family_name": "Ellison",
        "date_of_birth_day": "14",
        "date_of_birth_month": "3",
        "date_of_birth_year": "1941",
        "address_line_1": "1 Example Street",
        "postcode": "LE10 0JU",
        "consent_share": "yes",
        "answer_benefits": "yes",
        "agency_code": "police",
        "submitted_by": str(uuid.uuid4()),
        **{key: value for key, value in PROTECTED.items() if key != "version"},
    }

    client.post(reverse("checklists:new"), data)

    checklist = Checklist.objects.get()
    assert checklist.agency.code == "fire-rescue"
    assert checklist.submitted_by == referrer


def test_consent_form_ignores_protected_fields(referral, hub_user, client):
    client.force_login(hub_user)

    client.post(
        reverse("consent:withdraw", args=[referral.person_id]),
        {
            "agency_code": "pension-service",
            "recorded_by": str(uuid.uuid4()),
            "decision": Decision.GIVEN,
            "person": str(uuid.uuid4()),
        },
    )

    record = ConsentRecord.objects.get(decision=Decision.WITHDRAWN)
    assert (record.recorded_by, record.person_id) == (hub_user, referral.person_id)
