"""The referral page: who may see it, its history, and the actions on it."""

import datetime

import pytest
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.intake import submit_checklist
from firstcontact.referrals.models import Referral, Status
from firstcontact.referrals.operations import forward_referral
from tests.conftest import checklist_payload

TODAY = datetime.date(2026, 11, 30)


def submit(context, referrer, external_id="T-0001", **changes):
    """Submit a checklist from the referrer's web form; return its result."""
    payload = checklist_payload(external_id=external_id, **changes)
    return submit_checklist(payload, context, channel="web", user=referrer, today=TODAY)


def benefits_referral(context, referrer) -> Referral:
    """Submit the standard checklist and return its benefits-check referral."""
    result = submit(context, referrer)
    return Referral.objects.get(
        checklist_id=result["checklist_id"], service__code="benefits-check"
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def detail_url(referral):
    return reverse("referrals:detail", args=[referral.pk])


def act_url(referral, action):
    return reverse("referrals:act", args=[referral.pk, action])


def post_action(client, referral, action, **data):
    """Post an action form with the referral's current version unless given."""
    referral.refresh_from_db()
    data.setdefault("version", referral.version)
    return client.post(act_url(referral, action), data)


@pytest.fixture
def referral(context, referrer):
    return benefits_referral(context, referrer)


@pytest.fixture
def hub(client, hub_user):
    return signed_in(client, hub_user)


@pytest.fixture
def forwarded(referral, hub_user):
    return forward_referral(referral.pk, hub_user)


# Who may see the page


def test_detail_redirects_anonymous_user_to_sign_in(client, referral):
    response = client.get(detail_url(referral))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_detail_shows_referral_to_hub(hub, referral):
    response = hub.get(detail_url(referral))
    assert response.status_code == 200
    assert referral.reference in response.text
    assert "Benefits entitlement check" in response.text
    assert "The Pension Service (local)" in response.text
    assert "Margaret Ellison" in response.text


def test_detail_shows_question_text_and_rule(hub, referral):
    response = hub.get(detail_url(referral))
    assert "Would you like a check that you receive all the benefits" in response.text
    assert "refers to benefits-check (routine)" in response.text


def test_detail_shows_forwarded_referral_to_its_agency(client, forwarded, agency_user):
    response = signed_in(client, agency_user).get(detail_url(forwarded))
    assert response.status_code == 200


def test_detail_hides_draft_referral_from_its_agency(client, referral, agency_user):
    response = signed_in(client, agency_user).get(detail_url(referral))
    assert response.status_code == 404


def test_detail_of_other_agency_is_404(client, forwarded, outsider_agency_user):
    response = signed_in(client, outsider_agency_user).get(detail_url(forwarded))
    assert response.status_code == 404


def test_detail_of_missing_referral_is_404(hub):
    missing = "00000000-0000-4000-8000-000000000000"
    response = hub.get(reverse("referrals:detail", args=[missing]))
    assert response.status_code == 404


def test_detail_shows_referral_to_its_referrer(client, referral, referrer):
    response = signed_in(client, referrer).get(detail_url(referral))
    assert response.status_code == 200


def test_detail_hides_referral_from_colleague(client, referral, colleague_referrer):
    response = signed_in(client, colleague_referrer).get(detail_url(referral))
    assert response.status_code == 404


def test_detail_records_viewed_event(hub, referral, hub_user):
    hub.get(detail_url(referral))
    event = AuditEvent.objects.get(action="referral.viewed", target_id=referral.pk)
    assert event.actor == hub_user
    assert event.person_id == referral.person_id


def test_detail_warns_hub_of_safeguarding_concern(hub, context, referrer):
    concern = "Bruising on both arms; says she fell."
    submit(context, referrer, safeguarding_concern=concern)
    referral = Referral.objects.get(service__code="benefits-check")
    response = hub.get(detail_url(referral))
    assert f"safeguarding concern: {concern}" in response.text


def test_detail_keeps_safeguarding_concern_from_agency(
    client, context, referrer, hub_user, agency_user
):
    concern = "Bruising on both arms; says she fell."
    submit(context, referrer, safeguarding_concern=concern)
    referral = Referral.objects.get(service__code="benefits-check")
    forward_referral(referral.pk, hub_user)
    response = signed_in(client, agency_user).get(detail_url(referral))
    assert concern not in response.text


def test_history_shows_changes_in_london_time(hub, forwarded, hub_user):
    summer_noon_utc = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC)
    AuditEvent.objects.filter(action="referral.forwarded").update(at=summer_noon_utc)
    response = hub.get(detail_url(forwarded))
    assert "1 July 2026 at 1:00pm" in response.text
    assert "Sent to the agency" in response.text
    assert hub_user.username in response.text


def test_history_leaves_out_page_views(hub, referral):
    hub.get(detail_url(referral))
    response = hub.get(detail_url(referral))
    assert [entry["what"] for entry in response.context["timeline"]] == [
        f"Created from checklist {referral.checklist.reference}"
    ]


# Which actions each user is offered


def test_hub_is_offered_hub_actions_on_draft(hub, referral):
    response = hub.get(detail_url(referral))
    assert set(response.context["actions"]) == {"forward", "hold", "reroute", "cancel"}


def test_agency_is_offered_accept_and_decline(client, forwarded, agency_user):
    response = signed_in(client, agency_user).get(detail_url(forwarded))
    assert set(response.context["actions"]) == {"accept", "decline"}


def test_referrer_is_offered_no_actions(client, referral, referrer):
    response = signed_in(client, referrer).get(detail_url(referral))
    assert response.context["actions"] == {}


def test_action_forms_carry_current_version(hub, referral):
    response = hub.get(detail_url(referral))
    assert f'name="version" value="{referral.version}"' in response.text


# Actions


def test_forward_sends_referral_to_agency(hub, referral):
    response = post_action(hub, referral, "forward")
    referral.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == detail_url(referral)
    assert referral.status == Status.REQUESTED


def test_forward_shows_success_message(hub, referral):
    response = hub.post(
        act_url(referral, "forward"), {"version": referral.version}, follow=True
    )
    assert (
        f"Referral {referral.reference} was sent to The Pension Service (local)."
        in response.text
    )


def test_forward_records_audit_event(hub, referral, hub_user):
    post_action(hub, referral, "forward")
    event = AuditEvent.objects.get(action="referral.forwarded", target_id=referral.pk)
    assert event.actor == hub_user


def test_accept_by_agency(client, forwarded, agency_user):
    post_action(signed_in(client, agency_user), forwarded, "accept")
    forwarded.refresh_from_db()
    assert forwarded.status == Status.ACCEPTED


def test_decline_needs_a_reason(client, forwarded, agency_user):
    response = post_action(signed_in(client, agency_user), forwarded, "decline")
    forwarded.refresh_from_db()
    assert response.status_code == 400
    assert "Select why you are declining the referral" in response.text
    assert forwarded.status == Status.REQUESTED


def test_decline_returns_referral_to_hub_queue(
    client, forwarded, agency_user, hub_user
):
    post_action(
        signed_in(client, agency_user), forwarded, "decline", reason="no-capacity"
    )
    queue = signed_in(client, hub_user).get(
        reverse("hub:queue"), {"section": "declined"}
    )
    rows = [row["referral"] for row in queue.context["rows"]]
    assert rows == [forwarded]
    assert "We have no capacity at present" in queue.text


def test_reroute_sends_referral_to_new_agency(
    client, forwarded, agency_user, outsider_agency_user, hub_user
):
    post_action(
        signed_in(client, agency_user), forwarded, "decline", reason="wrong-service"
    )
    post_action(signed_in(client, hub_user), forwarded, "reroute", agency_code="police")
    inbox = signed_in(client, outsider_agency_user).get(reverse("referrals:inbox"))
    assert list(inbox.context["page_obj"].object_list) == [forwarded]


def test_reroute_hides_referral_from_old_agency(
    client, forwarded, agency_user, hub_user
):
    post_action(signed_in(client, hub_user), forwarded, "reroute", agency_code="police")
    response = signed_in(client, agency_user).get(detail_url(forwarded))
    assert response.status_code == 404


def test_reroute_rejects_unknown_agency(hub, referral):
    response = post_action(hub, referral, "reroute", agency_code="no-such-agency")
    referral.refresh_from_db()
    assert response.status_code == 400
    assert "Select the agency to send the referral to" in response.text
    assert referral.agency.code == "pension-service"


def test_hold_rejects_no_consent_reason(hub, referral):
    response = post_action(hub, referral, "hold", reason="no_consent")
    referral.refresh_from_db()
    assert response.status_code == 400
    assert referral.status == Status.DRAFT


def test_hold_puts_referral_on_hold(hub, referral):
    post_action(hub, referral, "hold", reason="awaiting-information")
    referral.refresh_from_db()
    assert referral.status == Status.ON_HOLD
    assert referral.status_reason == "awaiting-information"


def test_cancel_needs_a_note(hub, referral):
    response = post_action(hub, referral, "cancel", note="  ")
    referral.refresh_from_db()
    assert response.status_code == 400
    assert "Enter why the referral is cancelled" in response.text
    assert referral.status == Status.DRAFT


def test_cancel_with_note(hub, referral):
    post_action(hub, referral, "cancel", note="The person moved away.")
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
    assert referral.status_note == "The person moved away."


def test_stale_version_is_refused(hub, referral):
    stale = referral.version
    post_action(hub, referral, "hold", reason="awaiting-information")
    response = post_action(hub, referral, "cancel", note="Duplicate.", version=stale)
    referral.refresh_from_db()
    assert response.status_code == 409
    assert "was changed by someone else" in response.text
    assert referral.status == Status.ON_HOLD
    assert referral.version == stale + 1


def test_missing_version_is_refused(hub, referral):
    response = hub.post(act_url(referral, "forward"), {})
    referral.refresh_from_db()
    assert response.status_code == 400
    assert "missing the referral&#x27;s version" in response.text
    assert referral.status == Status.DRAFT


def test_action_not_allowed_in_status_shows_error(client, forwarded, agency_user):
    agency = signed_in(client, agency_user)
    post_action(agency, forwarded, "accept")
    response = post_action(agency, forwarded, "accept")
    assert response.status_code == 400
    assert "is accepted, so it cannot be accepted" in response.text


def test_agency_cannot_use_hub_action(client, forwarded, agency_user):
    agency = signed_in(client, agency_user)
    response = post_action(agency, forwarded, "cancel", note="Duplicate.")
    forwarded.refresh_from_db()
    assert response.status_code == 403
    assert forwarded.status == Status.REQUESTED


def test_hub_cannot_use_agency_action(hub, forwarded):
    response = post_action(hub, forwarded, "accept")
    forwarded.refresh_from_db()
    assert response.status_code == 403
    assert forwarded.status == Status.REQUESTED


def test_referrer_cannot_act(client, referral, referrer):
    response = post_action(signed_in(client, referrer), referral, "forward")
    referral.refresh_from_db()
    assert response.status_code == 403
    assert referral.status == Status.DRAFT


def test_other_agency_action_is_404(client, forwarded, outsider_agency_user):
    response = post_action(signed_in(client, outsider_agency_user), forwarded, "accept")
    forwarded.refresh_from_db()
    assert response.status_code == 404
    assert forwarded.status == Status.REQUESTED


def test_unknown_action_is_404(hub, referral):
    response = post_action(hub, referral, "approve")
    assert response.status_code == 404


def test_action_refuses_get(hub, referral):
    response = hub.get(act_url(referral, "forward"))
    assert response.status_code == 405


def test_action_redirects_anonymous_user_to_sign_in(client, referral):
    response = post_action(client, referral, "forward")
    referral.refresh_from_db()
    assert response.status_code == 302
    assert referral.status == Status.DRAFT


# The whole journey


def test_referrer_sees_referral_completed_by_agency(
    client, context, referrer, hub_user, agency_user
):
    referral = benefits_referral(context, referrer)
    post_action(signed_in(client, hub_user), referral, "forward")
    agency = signed_in(client, agency_user)
    post_action(agency, referral, "accept")
    post_action(agency, referral, "start")
    post_action(agency, referral, "complete", outcome="helped", note="Claim made.")

    response = signed_in(client, referrer).get(detail_url(referral))
    assert response.context["referral"].status == Status.COMPLETED
    assert "Completed" in response.text
    assert "The person was helped" in response.text
    assert [entry["what"] for entry in response.context["timeline"]] == [
        f"Created from checklist {referral.checklist.reference}",
        "Sent to the agency",
        "Accepted",
        "Work started",
        "Completed: The person was helped",
    ]
