"""The JSON API: authentication, checklist submission and referral work."""

import uuid

import pytest
from django.http import Http404
from django.test import Client
from django.utils import timezone

from firstcontact.accounts.models import ApiToken
from firstcontact.accounts.scoping import get_referral_for
from firstcontact.accounts.services import create_token
from firstcontact.audit.models import AuditEvent
from firstcontact.referrals import operations
from firstcontact.referrals.models import Referral, Status
from tests.conftest import checklist_payload

CHECKLISTS = "/api/v1/checklists"
REFERRALS = "/api/v1/referrals"


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def hub_client(hub_user, api_client_for):
    return api_client_for(hub_user)


@pytest.fixture
def agency_client(agency_user, api_client_for):
    return api_client_for(agency_user)


@pytest.fixture
def benefits_referral(hub_client, hub_user):
    """A benefits-check referral for pension-service, forwarded by the hub."""
    post_json(hub_client, CHECKLISTS, checklist_payload())
    referral = Referral.objects.get(service__code="benefits-check")
    return operations.forward_referral(referral.pk, hub_user)


def referral_url(referral, action=None) -> str:
    url = f"{REFERRALS}/{referral.pk}"
    return f"{url}/{action}" if action else url


# Authentication


def test_missing_header_is_unauthorised(scheme):
    response = Client().get(REFERRALS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="firstcontact"'


def test_wrong_token_is_unauthorised(scheme):
    client = Client(HTTP_AUTHORIZATION="Bearer fc_not-a-real-token")

    assert client.get(REFERRALS).status_code == 401


def test_other_scheme_word_is_unauthorised(hub_user):
    client = Client(HTTP_AUTHORIZATION=f"Token {create_token(hub_user)}")

    assert client.get(REFERRALS).status_code == 401


def test_revoked_token_is_unauthorised(hub_user, hub_client):
    ApiToken.objects.update(revoked_at=timezone.now())

    assert hub_client.get(REFERRALS).status_code == 401


def test_deactivated_user_is_unauthorised(hub_user, hub_client):
    hub_user.is_active = False
    hub_user.save()

    assert hub_client.get(REFERRALS).status_code == 401


def test_valid_token_is_authorised(hub_client):
    assert hub_client.get(REFERRALS).status_code == 200


def test_unauthorised_post_saves_nothing(scheme):
    response = post_json(Client(), CHECKLISTS, checklist_payload())

    assert response.status_code == 401
    assert Referral.objects.count() == 0


def test_api_answers_are_not_cached(hub_client):
    response = hub_client.get(REFERRALS)

    assert "no-store" in response["Cache-Control"]


# Checklist submission


def test_processed_checklist_is_created(hub_client):
    response = post_json(hub_client, CHECKLISTS, checklist_payload())

    assert response.status_code == 201
    assert response.json()["status"] == "processed"


def test_duplicate_checklist_is_ok(hub_client):
    post_json(hub_client, CHECKLISTS, checklist_payload())

    response = post_json(hub_client, CHECKLISTS, checklist_payload())

    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"


def test_rejected_checklist_is_bad_request(hub_client):
    response = post_json(hub_client, CHECKLISTS, checklist_payload(source="other"))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "source"


def test_referrer_submits_for_own_agency(referrer, api_client_for):
    response = post_json(api_client_for(referrer), CHECKLISTS, checklist_payload())

    assert response.status_code == 201


def test_referrer_cannot_submit_for_other_agency(referrer, api_client_for):
    payload = checklist_payload(referrer={"agency": "police", "worker": "Alex"})

    response = post_json(api_client_for(referrer), CHECKLISTS, payload)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "referrer.agency"
    assert Referral.objects.count() == 0


def test_agency_user_cannot_submit(agency_client):
    response = post_json(agency_client, CHECKLISTS, checklist_payload())

    assert response.status_code == 403


def test_non_json_checklist_is_bad_request(hub_client):
    response = hub_client.post(CHECKLISTS, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]


def test_non_object_checklist_is_rejected(hub_client):
    response = post_json(hub_client, CHECKLISTS, [checklist_payload()])

    assert response.status_code == 400
    assert response.json()["status"] == "rejected"


def test_get_checklists_is_not_allowed(hub_client):
    response = hub_client.get(CHECKLISTS)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


# Referral list


def test_referral_list_is_paginated(hub_client, settings):
    settings.FIRSTCONTACT_PAGE_SIZE = 2
    post_json(hub_client, CHECKLISTS, checklist_payload())

    body = hub_client.get(REFERRALS).json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] == "http://testserver/api/v1/referrals?page=2"


def test_following_next_gives_the_rest(hub_client, settings):
    settings.FIRSTCONTACT_PAGE_SIZE = 2
    post_json(hub_client, CHECKLISTS, checklist_payload())
    first = hub_client.get(REFERRALS).json()

    second = hub_client.get(first["next"]).json()

    ids = [r["id"] for r in first["results"] + second["results"]]
    assert second["next"] is None
    assert sorted(ids) == sorted(
        str(pk) for pk in Referral.objects.values_list("pk", flat=True)
    )


def test_next_keeps_the_status_filter(hub_client, settings):
    settings.FIRSTCONTACT_PAGE_SIZE = 1
    post_json(hub_client, CHECKLISTS, checklist_payload())

    body = hub_client.get(REFERRALS, {"status": "draft"}).json()

    assert body["next"] == "http://testserver/api/v1/referrals?status=draft&page=2"


def test_last_page_has_no_next(hub_client):
    post_json(hub_client, CHECKLISTS, checklist_payload())

    assert hub_client.get(REFERRALS).json()["next"] is None


def test_referral_summary_fields(hub_client):
    post_json(hub_client, CHECKLISTS, checklist_payload())

    result = hub_client.get(REFERRALS).json()["results"][0]

    assert {"id", "service", "agency", "status", "priority", "version"} <= set(result)


def test_page_past_the_end_is_not_found(hub_client):
    assert hub_client.get(REFERRALS, {"page": 9}).status_code == 404


def test_agency_user_sees_no_drafts(hub_client, agency_client):
    post_json(hub_client, CHECKLISTS, checklist_payload())

    body = agency_client.get(REFERRALS).json()

    assert body["count"] == 0


def test_agency_user_sees_forwarded_referral(benefits_referral, agency_client):
    body = agency_client.get(REFERRALS).json()

    assert [r["id"] for r in body["results"]] == [str(benefits_referral.pk)]


def test_other_agency_sees_nothing(
    benefits_referral, outsider_agency_user, api_client_for
):
    body = api_client_for(outsider_agency_user).get(REFERRALS).json()

    assert body["count"] == 0


# Referral detail


def test_agency_reads_own_referral(benefits_referral, agency_client):
    response = agency_client.get(referral_url(benefits_referral))

    assert response.status_code == 200
    assert response.json()["service"] == "benefits-check"
    assert response.json()["person"]["family_name"] == "Ellison"


def test_other_agency_referral_looks_missing(
    benefits_referral, outsider_agency_user, api_client_for
):
    client = api_client_for(outsider_agency_user)

    hidden = client.get(referral_url(benefits_referral))
    missing = client.get(f"{REFERRALS}/{uuid.uuid4()}")

    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert hidden.content == missing.content


def test_draft_referral_looks_missing_to_agency(hub_client, agency_client):
    post_json(hub_client, CHECKLISTS, checklist_payload())
    draft = Referral.objects.get(service__code="benefits-check")

    response = agency_client.get(referral_url(draft))

    assert response.status_code == 404


def test_viewing_referral_is_audited(benefits_referral, agency_user, agency_client):
    agency_client.get(referral_url(benefits_referral))

    viewed = AuditEvent.objects.get(action="referral.viewed")
    assert viewed.actor == agency_user
    assert viewed.target_id == benefits_referral.pk


# Referral actions


def test_agency_accepts_referral(benefits_referral, agency_client):
    response = post_json(
        agency_client, referral_url(benefits_referral, "accept"), {"version": 2}
    )

    assert response.status_code == 200
    assert response.json()["status"] == Status.ACCEPTED
    assert response.json()["version"] == 3


def test_agency_declines_referral(benefits_referral, agency_client):
    response = post_json(
        agency_client,
        referral_url(benefits_referral, "decline"),
        {"reason": "no-capacity", "note": "Full until January"},
    )

    assert response.status_code == 200
    assert response.json()["status"] == Status.REJECTED
    assert response.json()["status_reason"] == "no-capacity"


def test_agency_completes_referral(benefits_referral, agency_user, agency_client):
    operations.accept_referral(benefits_referral.pk, agency_user)

    response = post_json(
        agency_client,
        referral_url(benefits_referral, "complete"),
        {"outcome": "helped"},
    )

    assert response.status_code == 200
    assert response.json()["status"] == Status.COMPLETED
    assert response.json()["outcome"] == "helped"


def test_action_without_body_works(benefits_referral, agency_client):
    response = agency_client.generic("POST", referral_url(benefits_referral, "accept"))

    assert response.status_code == 200


def test_stale_version_is_conflict(benefits_referral, agency_client):
    response = post_json(
        agency_client, referral_url(benefits_referral, "accept"), {"version": 1}
    )

    assert response.status_code == 409
    benefits_referral.refresh_from_db()
    assert benefits_referral.status == Status.REQUESTED


def test_disallowed_transition_is_bad_request(benefits_referral, agency_client):
    response = post_json(
        agency_client,
        referral_url(benefits_referral, "complete"),
        {"outcome": "helped"},
    )

    assert response.status_code == 400


def test_missing_decline_reason_is_bad_request(benefits_referral, agency_client):
    response = post_json(agency_client, referral_url(benefits_referral, "decline"), {})

    assert response.status_code == 400


def test_hub_cannot_accept_for_agency(benefits_referral, hub_client):
    response = post_json(hub_client, referral_url(benefits_referral, "accept"), {})

    assert response.status_code == 403


def test_other_agency_action_looks_missing(
    benefits_referral, outsider_agency_user, api_client_for
):
    client = api_client_for(outsider_agency_user)

    response = post_json(client, referral_url(benefits_referral, "accept"), {})

    assert response.status_code == 404


def test_unknown_action_is_not_found(benefits_referral, agency_client):
    response = post_json(agency_client, referral_url(benefits_referral, "approve"), {})

    assert response.status_code == 404


def test_get_on_action_is_not_allowed(benefits_referral, agency_client):
    response = agency_client.get(referral_url(benefits_referral, "accept"))

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_post_on_list_is_not_allowed(agency_client):
    assert post_json(agency_client, REFERRALS, {}).status_code == 405


def test_invalid_json_action_is_bad_request(benefits_referral, agency_client):
    response = agency_client.post(
        referral_url(benefits_referral, "accept"),
        "{version: 2",
        content_type="application/json",
    )

    assert response.status_code == 400
    benefits_referral.refresh_from_db()
    assert benefits_referral.status == Status.REQUESTED


def test_non_object_action_body_is_bad_request(benefits_referral, agency_client):
    response = post_json(agency_client, referral_url(benefits_referral, "accept"), [2])

    assert response.status_code == 400


def test_hub_forwards_through_api(hub_client, agency_client):
    post_json(hub_client, CHECKLISTS, checklist_payload())
    draft = Referral.objects.get(service__code="benefits-check")

    response = post_json(hub_client, referral_url(draft, "forward"), {"version": 1})

    assert response.status_code == 200
    assert agency_client.get(referral_url(draft)).status_code == 200


def test_oversized_body_is_rejected(hub_client):
    payload = checklist_payload(safeguarding_concern="x" * 1_200_000)

    response = post_json(hub_client, CHECKLISTS, payload)

    assert response.status_code == 413
    assert Referral.objects.count() == 0


def test_referrer_lists_own_submissions_only(
    referrer, colleague_referrer, api_client_for
):
    post_json(api_client_for(referrer), CHECKLISTS, checklist_payload())

    own = api_client_for(referrer).get(REFERRALS).json()
    colleague = api_client_for(colleague_referrer).get(REFERRALS).json()

    assert own["count"] == 3
    assert colleague["count"] == 0


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "", "123"])
def test_malformed_referral_id_is_not_found(hub_user, bad_id):
    with pytest.raises(Http404):
        get_referral_for(hub_user, bad_id)


def test_equality_answers_never_reach_agency(hub_client, hub_user, agency_client):
    payload = checklist_payload(equality={"ethnic_group": "asian-bangladeshi"})
    post_json(hub_client, CHECKLISTS, payload)
    referral = Referral.objects.get(service__code="benefits-check")
    operations.forward_referral(referral.pk, hub_user)

    detail = agency_client.get(referral_url(referral))
    listing = agency_client.get(REFERRALS)

    assert b"asian-bangladeshi" not in detail.content
    assert b"asian-bangladeshi" not in listing.content
