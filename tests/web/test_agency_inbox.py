"""The agency inbox: only the agency's forwarded referrals, by status tab."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.intake import submit_checklist
from firstcontact.delivery.messages import format_due
from firstcontact.referrals.models import Referral
from firstcontact.referrals.operations import (
    accept_referral,
    complete_referral,
    decline_referral,
    forward_referral,
)
from tests.conftest import checklist_payload

TODAY = datetime.date(2026, 11, 30)
INBOX = reverse("referrals:inbox")


def benefits_referral(context, referrer, external_id, family_name) -> Referral:
    """Submit a checklist for an invented person and return its benefits referral."""
    person = {
        "given_name": "Harold",
        "family_name": family_name,
        "date_of_birth": "1950-07-01",
        "address_line_1": "1 Example Street",
        "postcode": "LE10 0JU",
    }
    payload = checklist_payload(external_id=external_id, person=person)
    result = submit_checklist(
        payload, context, channel="web", user=referrer, today=TODAY
    )
    return Referral.objects.get(
        checklist_id=result["checklist_id"], service__code="benefits-check"
    )


def listed(response) -> list:
    return list(response.context["page_obj"].object_list)


@pytest.fixture
def forwarded(context, referrer, hub_user):
    referral = benefits_referral(context, referrer, "T-1", "Brooks")
    return forward_referral(referral.pk, hub_user)


@pytest.fixture
def agency(client, agency_user):
    client.force_login(agency_user)
    return client


# Who may see the inbox


def test_inbox_redirects_anonymous_user_to_sign_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={INBOX}"


def test_inbox_is_forbidden_to_hub(client, hub_user):
    client.force_login(hub_user)
    assert client.get(INBOX).status_code == 403


def test_inbox_is_forbidden_to_referrer(client, referrer):
    client.force_login(referrer)
    assert client.get(INBOX).status_code == 403


def test_inbox_refuses_post(agency):
    assert agency.post(INBOX).status_code == 405


# What it lists


def test_inbox_lists_forwarded_referral(agency, forwarded):
    response = agency.get(INBOX)
    assert response.status_code == 200
    assert listed(response) == [forwarded]
    assert forwarded.reference in response.text


def test_inbox_hides_referral_not_yet_forwarded(agency, context, referrer):
    benefits_referral(context, referrer, "T-1", "Brooks")
    assert listed(agency.get(INBOX)) == []


def test_inbox_hides_other_agencies_referrals(client, forwarded, outsider_agency_user):
    client.force_login(outsider_agency_user)
    assert listed(client.get(INBOX, {"status": "closed"})) == []
    assert listed(client.get(INBOX)) == []


def test_inbox_lists_accepted_referral_under_active(agency, forwarded, agency_user):
    accept_referral(forwarded.pk, agency_user)
    assert listed(agency.get(INBOX)) == []
    assert listed(agency.get(INBOX, {"status": "active"})) == [forwarded]


def test_inbox_lists_completed_referral_under_closed(agency, forwarded, agency_user):
    accept_referral(forwarded.pk, agency_user)
    complete_referral(forwarded.pk, agency_user, outcome="helped")
    assert listed(agency.get(INBOX, {"status": "closed"})) == [forwarded]


def test_inbox_lists_declined_referral_under_closed(agency, forwarded, agency_user):
    decline_referral(forwarded.pk, agency_user, reason="no-capacity")
    assert listed(agency.get(INBOX, {"status": "closed"})) == [forwarded]


def test_inbox_shows_count_of_each_tab(agency, forwarded, agency_user):
    response = agency.get(INBOX)
    assert "New (1)" in response.text
    assert "Accepted and in progress (0)" in response.text
    assert "Closed (0)" in response.text


def test_inbox_treats_unknown_tab_as_new(agency, forwarded):
    response = agency.get(INBOX, {"status": "everything"})
    assert response.context["selected"].key == "new"
    assert listed(response) == [forwarded]


def test_inbox_lists_urgent_referrals_first(
    agency, context, referrer, hub_user, forwarded
):
    urgent = benefits_referral(context, referrer, "T-2", "Marsh")
    Referral.objects.filter(pk=urgent.pk).update(priority="urgent")
    forward_referral(urgent.pk, hub_user)
    assert listed(agency.get(INBOX)) == [urgent, forwarded]


def test_inbox_paginates(agency, context, referrer, hub_user, settings):
    settings.FIRSTCONTACT_PAGE_SIZE = 1
    for number, name in enumerate(["Brooks", "Marsh"]):
        referral = benefits_referral(context, referrer, f"T-{number}", name)
        forward_referral(referral.pk, hub_user)
    first = agency.get(INBOX)
    second = agency.get(INBOX, {"page": 2})
    assert len(listed(first)) == 1
    assert len(listed(second)) == 1
    assert listed(first) != listed(second)
    assert "?status=new&amp;page=2" in first.text


def test_inbox_records_listed_event(agency, forwarded, agency_user):
    agency.get(INBOX)
    event = AuditEvent.objects.get(action="referral.listed")
    assert event.actor == agency_user
    assert event.data["count"] == 1


def test_inbox_shows_last_day_to_respond(agency, forwarded):
    response = agency.get(INBOX)
    assert format_due(forwarded.due_at) in response.text
    assert "Overdue" not in response.text


def test_inbox_tags_overdue_referral(agency, forwarded):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Referral.objects.filter(pk=forwarded.pk).update(due_at=yesterday)
    response = agency.get(INBOX)
    assert "Overdue" in response.text
