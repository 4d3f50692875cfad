"""The hub's checklist page: viewing, marking reviewed, overriding eligibility."""

import datetime

import pytest
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.intake import submit_checklist
from firstcontact.checklists.models import Checklist
from firstcontact.referrals.models import Referral, Status
from tests.conftest import checklist_payload

TODAY = datetime.date(2026, 11, 30)


def submit(context, referrer, **changes) -> Checklist:
    payload = checklist_payload(**changes)
    result = submit_checklist(
        payload, context, channel="web", user=referrer, today=TODAY
    )
    return Checklist.objects.get(pk=result["checklist_id"])


def person(postcode="LE10 0JU", born="1941-03-14") -> dict:
    return {
        "given_name": "Edith",
        "family_name": "Marsh",
        "date_of_birth": born,
        "address_line_1": "1 Example Street",
        "postcode": postcode,
    }


def detail_url(checklist):
    return reverse("checklists_hub:detail", args=[checklist.pk])


def review_url(checklist):
    return reverse("checklists_hub:review", args=[checklist.pk])


def override_url(checklist):
    return reverse("checklists_hub:override", args=[checklist.pk])


@pytest.fixture
def checklist(context, referrer):
    return submit(context, referrer)


@pytest.fixture
def under_age(context, referrer):
    """An ineligible checklist from Oadby and Wigston: the person is under 60."""
    return submit(context, referrer, person=person("LE18 3TE", born="1970-02-02"))


@pytest.fixture
def out_of_area(context, referrer):
    """An ineligible checklist from Leicester, which has no district in the scheme."""
    return submit(context, referrer, person=person("LE1 5FB"))


@pytest.fixture
def hub(client, hub_user):
    client.force_login(hub_user)
    return client


# Who may see the page


def test_detail_redirects_anonymous_user_to_sign_in(client, checklist):
    response = client.get(detail_url(checklist))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_detail_is_forbidden_to_agency_user(client, checklist, agency_user):
    client.force_login(agency_user)
    assert client.get(detail_url(checklist)).status_code == 403


def test_detail_is_forbidden_to_referrer(client, checklist, referrer):
    client.force_login(referrer)
    assert client.get(detail_url(checklist)).status_code == 403


def test_detail_of_missing_checklist_is_404(hub):
    missing = "00000000-0000-4000-8000-000000000000"
    response = hub.get(reverse("checklists_hub:detail", args=[missing]))
    assert response.status_code == 404


# What it shows


def test_detail_shows_person_and_referrals(hub, checklist):
    response = hub.get(detail_url(checklist))
    assert response.status_code == 200
    assert "Margaret Ellison" in response.text
    assert "14 March 1941" in response.text
    assert "LE10 0JU" in response.text
    assert len(response.context["referrals"]) == 3


def test_detail_shows_question_text_from_checklist_version(hub, checklist):
    response = hub.get(detail_url(checklist))
    rows = {row["code"]: row for row in response.context["answers"]}
    assert rows["benefits"]["text"].startswith("Would you like a check that you")
    assert rows["benefits"]["service"] == "Benefits entitlement check"
    assert rows["falls"]["answer"] == "Not answered"


def test_detail_shows_ineligibility_reasons(hub, under_age):
    response = hub.get(detail_url(under_age))
    assert "The person was under 60 on the visit date" in response.text
    assert "Override the eligibility decision" in response.text


def test_detail_shows_safeguarding_concern(hub, context, referrer):
    concern = "Bruising on both arms; says she fell."
    checklist = submit(context, referrer, safeguarding_concern=concern)
    response = hub.get(detail_url(checklist))
    assert f"Safeguarding concern: {concern}" in response.text


def test_detail_shows_consent_exceptions(hub, context, referrer):
    checklist = submit(
        context,
        referrer,
        consent={"share": True, "except_agencies": ["pension-service"]},
    )
    response = hub.get(detail_url(checklist))
    assert "Yes, except with The Pension Service (local)" in response.text


def test_detail_shows_needs_not_referred(hub, context, referrer):
    checklist = submit(
        context,
        referrer,
        consent={"share": True, "except_agencies": ["pension-service"]},
    )
    response = hub.get(detail_url(checklist))
    assert response.context["not_referred"] == [
        {
            "service": "Benefits entitlement check",
            "reason": "The person did not consent to sharing with the agency "
            "that provides this service, so the referral is held",
        }
    ]


def test_detail_records_viewed_event(hub, checklist, hub_user):
    hub.get(detail_url(checklist))
    event = AuditEvent.objects.get(action="checklist.viewed")
    assert event.target_id == checklist.pk
    assert event.actor == hub_user


# Marking reviewed


def test_review_marks_checklist_reviewed(hub, checklist):
    response = hub.post(review_url(checklist))
    checklist.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == detail_url(checklist)
    assert checklist.hub_status == Checklist.HubStatus.REVIEWED


def test_review_shows_success_message(hub, checklist):
    response = hub.post(review_url(checklist), follow=True)
    assert f"Checklist {checklist.reference} is marked as reviewed." in response.text


def test_review_records_audit_event(hub, checklist, hub_user):
    hub.post(review_url(checklist))
    event = AuditEvent.objects.get(action="checklist.reviewed")
    assert event.actor == hub_user


def test_review_is_forbidden_to_agency_user(client, checklist, agency_user):
    client.force_login(agency_user)
    response = client.post(review_url(checklist))
    checklist.refresh_from_db()
    assert response.status_code == 403
    assert checklist.hub_status == Checklist.HubStatus.NEW


def test_review_refuses_get(hub, checklist):
    assert hub.get(review_url(checklist)).status_code == 405


# Overriding eligibility


def test_override_creates_referrals_waiting_for_hub(hub, under_age):
    response = hub.post(override_url(under_age), {"reason": "Carer is 82."})
    under_age.refresh_from_db()
    referrals = Referral.objects.filter(checklist=under_age)
    assert response.status_code == 302
    assert under_age.eligible
    assert under_age.eligibility_override_reason == "Carer is 82."
    assert {r.service.code for r in referrals} == {
        "befriending",
        "benefits-check",
        "fire-safety-check",
    }
    assert {r.status for r in referrals} == {Status.DRAFT}


def test_override_shows_count_of_referrals(hub, under_age):
    response = hub.post(
        override_url(under_age), {"reason": "Carer is 82."}, follow=True
    )
    assert "3 referrals are waiting to be sent." in response.text


def test_override_records_audit_event(hub, under_age, hub_user):
    hub.post(override_url(under_age), {"reason": "Carer is 82."})
    event = AuditEvent.objects.get(action="checklist.eligibility_overridden")
    assert event.actor == hub_user
    assert event.data["referrals"] == 3


def test_override_needs_a_reason(hub, under_age):
    response = hub.post(override_url(under_age), {"reason": "   "})
    under_age.refresh_from_db()
    assert response.status_code == 400
    assert "Enter why the checklist should be treated as eligible" in response.text
    assert not under_age.eligible


def test_override_asks_for_district_when_checklist_has_none(hub, out_of_area):
    response = hub.get(detail_url(out_of_area))
    assert 'name="district_code"' in response.text


def test_override_needs_district_when_checklist_has_none(hub, out_of_area):
    response = hub.post(override_url(out_of_area), {"reason": "Moving to Blaby."})
    out_of_area.refresh_from_db()
    assert response.status_code == 400
    assert "Select the district whose agencies should receive" in response.text
    assert not Referral.objects.filter(checklist=out_of_area).exists()


def test_override_routes_to_chosen_district(hub, out_of_area):
    hub.post(
        override_url(out_of_area),
        {"reason": "Moving to Blaby.", "district_code": "blaby"},
    )
    districts = {
        r.district.code for r in Referral.objects.filter(checklist=out_of_area)
    }
    assert districts == {"blaby"}


def test_override_of_eligible_checklist_is_refused(hub, checklist):
    response = hub.post(override_url(checklist), {"reason": "Just in case."})
    assert response.status_code == 400
    assert "is already eligible" in response.text


def test_override_is_forbidden_to_referrer(client, under_age, referrer):
    client.force_login(referrer)
    response = client.post(override_url(under_age), {"reason": "Carer is 82."})
    under_age.refresh_from_db()
    assert response.status_code == 403
    assert not under_age.eligible


def test_override_redirects_anonymous_user_to_sign_in(client, under_age):
    response = client.post(override_url(under_age), {"reason": "Carer is 82."})
    under_age.refresh_from_db()
    assert response.status_code == 302
    assert not under_age.eligible
