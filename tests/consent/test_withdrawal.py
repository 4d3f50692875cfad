"""Withdrawing consent holds every open referral to the agency, tells the hub
and the agency, and stops every later share with that agency."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.consent.models import ConsentRecord, Decision
from firstcontact.consent.operations import give_consent, withdraw_consent
from firstcontact.delivery.housekeeping import send_daily_digests
from firstcontact.delivery.models import OutboxMessage
from firstcontact.directory.models import Agency
from firstcontact.referrals.models import HoldReason, Referral, Status
from firstcontact.referrals.operations import (
    ConsentRequired,
    PermissionDenied,
    accept_referral,
    forward_referral,
)
from firstcontact.reports.filters import ReportFilters
from firstcontact.reports.referral_list import referrals_to_list
from tests.consent.conftest import referral_for

WITHDRAWN_FROM = "pension-service"


@pytest.fixture
def accepted(forwarded, agency_user):
    return accept_referral(forwarded.pk, agency_user)


def withdraw(referral, hub_user, agency_code=WITHDRAWN_FROM):
    return withdraw_consent(referral.person_id, hub_user, agency_code=agency_code)


def test_withdrawal_is_recorded(forwarded, hub_user):
    withdraw(forwarded, hub_user, "pension-service")

    record = ConsentRecord.objects.get(decision=Decision.WITHDRAWN)
    assert record.agency.code == "pension-service"
    assert record.recorded_by == hub_user


def test_withdrawal_holds_open_referral_to_the_agency(accepted, hub_user):
    withdraw(accepted, hub_user)

    accepted.refresh_from_db()
    assert accepted.status == Status.ON_HOLD
    assert accepted.status_reason == HoldReason.NO_CONSENT


def test_withdrawal_leaves_other_agencies_referrals(forwarded, hub_user):
    befriending = Referral.objects.get(service__code="befriending")

    withdraw(forwarded, hub_user)

    befriending.refresh_from_db()
    assert befriending.status == Status.DRAFT


def test_withdrawal_from_every_agency_holds_every_open_referral(forwarded, hub_user):
    withdraw(forwarded, hub_user, agency_code=None)

    statuses = set(
        Referral.objects.filter(person=forwarded.person).values_list(
            "status", "status_reason"
        )
    )
    assert statuses == {(Status.ON_HOLD, HoldReason.NO_CONSENT)}


def test_withdrawal_tells_the_hub_in_the_audit_trail(forwarded, hub_user):
    withdraw(forwarded, hub_user)

    event = AuditEvent.objects.get(action="consent.withdrawn")
    assert event.person_id == forwarded.person_id
    assert event.data["agency"] == "pension-service"
    assert event.data["referrals_held"] == 1


def test_withdrawal_is_listed_in_the_hub_queue(forwarded, hub_user, client):
    withdraw(forwarded, hub_user)
    client.force_login(hub_user)

    response = client.get(reverse("hub:queue"))

    sections = {section.key: rows for section, _, rows in response.context["sections"]}
    assert [row["record"].person_id for row in sections["consent-withdrawn"]] == [
        forwarded.person_id
    ]


def test_withdrawal_tells_the_agency_the_referral_is_withdrawn(forwarded, hub_user):
    Agency.objects.filter(code="pension-service").update(email="pension@example.org")

    withdraw(forwarded, hub_user)

    assert OutboxMessage.objects.filter(
        event="referral.withdrawn", agency__code="pension-service"
    ).exists()


def test_agency_no_longer_sees_the_referral(accepted, hub_user, agency_user, client):
    withdraw(accepted, hub_user)
    client.force_login(agency_user)

    response = client.get(reverse("referrals:detail", args=[accepted.pk]))

    assert response.status_code == 404


def test_agency_no_longer_sees_completed_referral(
    forwarded, hub_user, agency_user, client
):
    Referral.objects.filter(pk=forwarded.pk).update(status=Status.COMPLETED)
    withdraw(forwarded, hub_user)
    client.force_login(agency_user)

    response = client.get(reverse("referrals:detail", args=[forwarded.pk]))

    assert response.status_code == 404


def test_agency_api_no_longer_returns_the_referral(
    accepted, hub_user, agency_user, api_client_for
):
    withdraw(accepted, hub_user)
    api = api_client_for(agency_user)

    listed = api.get("/api/v1/referrals").json()["results"]
    detail = api.get(f"/api/v1/referrals/{accepted.pk}")

    assert listed == []
    assert detail.status_code == 404


def test_agency_export_leaves_the_referral_out(accepted, hub_user, agency_user):
    withdraw(accepted, hub_user)
    filters = ReportFilters(
        date_from=datetime.date(2000, 1, 1), date_to=datetime.date(2100, 1, 1)
    )

    assert not referrals_to_list(agency_user, filters).exists()


def test_agency_digest_leaves_the_referral_out(forwarded, hub_user):
    Agency.objects.filter(code="pension-service").update(email="pension@example.org")
    withdraw(forwarded, hub_user)
    tomorrow_morning = timezone.localtime() + datetime.timedelta(days=1)

    send_daily_digests(tomorrow_morning.replace(hour=9))

    assert not OutboxMessage.objects.filter(event="digest.agency").exists()


def test_held_referral_cannot_be_forwarded(forwarded, hub_user):
    withdraw(forwarded, hub_user)

    with pytest.raises(ConsentRequired):
        forward_referral(forwarded.pk, hub_user)


def test_only_the_hub_can_withdraw_consent(forwarded, agency_user):
    with pytest.raises(PermissionDenied):
        withdraw_consent(forwarded.person_id, agency_user)


def test_given_consent_releases_held_referrals(forwarded, hub_user):
    withdraw(forwarded, hub_user)

    give_consent(forwarded.person_id, hub_user, agency_code="pension-service")

    forwarded.refresh_from_db()
    assert (forwarded.status, forwarded.status_reason) == (Status.DRAFT, "")


def test_new_checklist_after_withdrawal_is_a_new_statement(forwarded, hub_user, submit):
    withdraw(forwarded, hub_user)

    result = submit(consent={"share": True, "except_agencies": ["pension-service"]})

    referral = referral_for(result, "benefits-check")
    assert referral.status_reason == HoldReason.NO_CONSENT
