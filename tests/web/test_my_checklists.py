"""The referrer's own checklists, and what became of each referral."""

import uuid

import pytest
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.intake import submit_checklist
from firstcontact.referrals import operations
from firstcontact.referrals.models import Referral
from tests.conftest import checklist_payload

pytestmark = pytest.mark.django_db

MINE = "/checklists/"


@pytest.fixture
def send(context):
    """Send a checklist as a user through intake, as the web form does."""
    count = 0

    def send(user, **changes):
        nonlocal count
        count += 1
        payload = checklist_payload(external_id=f"WEB-TEST-{count}", **changes)
        payload["referrer"]["agency"] = user.agency.code
        result = submit_checklist(payload, context, channel="web", user=user)
        assert result["status"] == "processed", result
        return result

    return send


def test_referrer_sees_only_their_own_checklists(
    client, referrer, colleague_referrer, send
):
    mine = send(referrer)
    theirs = send(
        colleague_referrer,
        person={
            "given_name": "Someone",
            "family_name": "Else",
            "date_of_birth": "1940-01-01",
            "address_line_1": "2 Other Road",
            "postcode": "LE10 0JU",
        },
    )
    client.force_login(referrer)
    response = client.get(MINE)
    assert response.status_code == 200
    html = response.content.decode()
    assert mine["reference"] in html
    assert theirs["reference"] not in html
    assert "Margaret Ellison" in html
    assert "Awaiting the hub" in html


def test_newest_first_and_paginated(client, referrer, send, settings):
    settings.FIRSTCONTACT_PAGE_SIZE = 2
    references = [send(referrer)["reference"] for _ in range(3)]
    client.force_login(referrer)
    first = client.get(MINE).content.decode()
    assert first.index(references[2]) < first.index(references[1])
    assert references[0] not in first
    assert 'href="?page=2"' in first
    second = client.get(MINE, {"page": 2}).content.decode()
    assert references[0] in second
    assert references[2] not in second


def test_list_costs_the_same_queries_for_more_checklists(
    client, referrer, send, django_assert_max_num_queries
):
    for _ in range(5):
        send(referrer)
    client.force_login(referrer)
    # One of the queries loads the session's two-factor device.
    with django_assert_max_num_queries(9):
        assert client.get(MINE).status_code == 200


def test_statuses_follow_the_referrals(client, referrer, hub_user, agency_user, send):
    result = send(referrer)
    benefits = Referral.objects.get(
        checklist_id=result["checklist_id"], service__code="benefits-check"
    )
    operations.forward_referral(benefits.pk, hub_user)
    client.force_login(referrer)
    assert "Sent to agency" in client.get(MINE).content.decode()

    operations.accept_referral(benefits.pk, agency_user)
    operations.complete_referral(benefits.pk, agency_user, outcome="helped")
    detail = reverse("checklists:detail", args=[result["checklist_id"]])
    html = client.get(detail).content.decode()
    assert "Completed" in html
    assert "Outcome: The person was helped" in html
    assert "Sent to agency " in html
    assert "Closed " in html
    assert "The Pension Service (local)" in html


def test_detail_page_shows_the_checklist_and_is_audited(client, referrer, send):
    result = send(referrer, safeguarding_concern="Bruising on both arms.")
    client.force_login(referrer)
    response = client.get(reverse("checklists:detail", args=[result["checklist_id"]]))
    assert response.status_code == 200
    html = response.content.decode()
    assert result["reference"] in html
    assert "Margaret Ellison" in html
    assert "14 March 1941" in html
    assert "Hinckley and Bosworth" in html
    assert "Bruising on both arms." in html
    assert "Awaiting the hub" in html
    assert "Not answered" in html

    event = AuditEvent.objects.get(action="checklist.viewed")
    assert event.actor == referrer
    assert str(event.target_id) == result["checklist_id"]
    assert event.person_id is not None
    assert event.remote_addr == "127.0.0.1"


def test_another_referrers_checklist_is_not_found(
    client, referrer, colleague_referrer, send
):
    theirs = send(colleague_referrer)
    client.force_login(referrer)
    pk = theirs["checklist_id"]
    assert client.get(reverse("checklists:detail", args=[pk])).status_code == 404
    assert client.get(reverse("checklists:sent", args=[pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="checklist.viewed").exists()


def test_unknown_checklist_is_not_found(client, referrer):
    client.force_login(referrer)
    url = reverse("checklists:detail", args=[uuid.uuid4()])
    assert client.get(url).status_code == 404


def test_agency_users_have_no_checklists(client, referrer, agency_user, send):
    result = send(referrer)
    client.force_login(agency_user)
    assert client.get(MINE).status_code == 403
    detail = reverse("checklists:detail", args=[result["checklist_id"]])
    assert client.get(detail).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, referrer, send):
    result = send(referrer)
    for url in (MINE, reverse("checklists:detail", args=[result["checklist_id"]])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_empty_list_says_so(client, referrer):
    client.force_login(referrer)
    assert "You have not sent any checklists yet" in client.get(MINE).content.decode()


def test_service_held_for_consent_stays_not_referred(client, referrer, send):
    first = send(referrer, consent={"share": True, "except_agencies": ["age-concern"]})
    send(referrer)  # consents to every agency, superseding the hold
    client.force_login(referrer)
    html = client.get(
        reverse("checklists:detail", args=[first["checklist_id"]])
    ).content.decode()
    made, _, not_referred = html.partition("Services not referred")
    assert "Befriending" not in made.split("Referrals made", 1)[1]
    assert "Befriending" in not_referred
    assert (
        "did not want their details sent to Age Concern Leicestershire and Rutland"
        in not_referred
    )
    listing = client.get(MINE).content.decode()
    assert "1 service not referred" in listing
