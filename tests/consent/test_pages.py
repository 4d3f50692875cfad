"""The hub's consent page: who may open it, and recording a change from it."""

import pytest
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from firstcontact.consent.models import ConsentRecord, Decision
from firstcontact.referrals.models import HoldReason
from tests.consent.conftest import referral_for


@pytest.fixture
def referral(submit):
    return referral_for(submit(), "benefits-check")


def page_url(referral, name="consent:page"):
    return reverse(name, args=[referral.person_id])


def test_hub_sees_the_consent_page(referral, hub_user, client):
    client.force_login(hub_user)

    response = client.get(page_url(referral))

    assert response.status_code == 200
    assert "Does the person agree to their details being shared" in response.text


def test_consent_page_view_is_audited(referral, hub_user, client):
    client.force_login(hub_user)

    client.get(page_url(referral))

    event = AuditEvent.objects.get(action="consent.viewed")
    assert event.person_id == referral.person_id


@pytest.mark.parametrize(
    "role", ["referrer", "agency", "manager", "executive", "admin"]
)
def test_others_may_not_open_the_consent_page(referral, make_user, client, role):
    agency = {"referrer": "fire-rescue", "agency": "pension-service"}.get(role)
    client.force_login(make_user(f"someone.{role}", role, agency))

    response = client.get(page_url(referral))

    assert response.status_code == 403


def test_withdrawal_from_the_page_holds_referrals(referral, hub_user, client):
    client.force_login(hub_user)

    response = client.post(
        page_url(referral, "consent:withdraw"),
        {"agency_code": "pension-service", "note": "Told us by phone."},
    )

    referral.refresh_from_db()
    assert response.status_code == 302
    assert referral.status_reason == HoldReason.NO_CONSENT


def test_withdrawal_of_unknown_agency_is_an_error(referral, hub_user, client):
    client.force_login(hub_user)

    response = client.post(
        page_url(referral, "consent:withdraw"), {"agency_code": "not-an-agency"}
    )

    assert response.status_code == 400
    assert not ConsentRecord.objects.filter(decision=Decision.WITHDRAWN).exists()


def test_consent_given_from_the_page_is_recorded(referral, hub_user, client):
    client.force_login(hub_user)

    client.post(page_url(referral, "consent:give"), {"agency_code": ""})

    record = ConsentRecord.objects.filter(decision=Decision.GIVEN).latest("recorded_at")
    assert (record.agency, record.recorded_by) == (None, hub_user)
