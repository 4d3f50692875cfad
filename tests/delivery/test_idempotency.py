"""Idempotency-Key on the API, and two users acting on one referral at once."""

import json
import threading

import pytest
from django.db import connection

from firstcontact.checklists.models import Checklist
from firstcontact.delivery.idempotency import IdempotencyRecord
from firstcontact.delivery.models import Notification
from firstcontact.referrals import operations
from firstcontact.referrals.models import Referral, Status
from tests.conftest import checklist_payload

CHECKLISTS = "/api/v1/checklists"


def post(client, url, payload=None, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        url,
        data=json.dumps(payload if payload is not None else {}),
        content_type="application/json",
        **headers,
    )


def action_url(referral, action):
    return f"/api/v1/referrals/{referral.pk}/{action}"


@pytest.fixture
def referrer_client(referrer, api_client_for):
    return api_client_for(referrer)


@pytest.fixture
def agency_client(agency_user, api_client_for):
    return api_client_for(agency_user)


def test_same_key_replays_stored_response(referrer_client):
    first = post(referrer_client, CHECKLISTS, checklist_payload(), key="k-1")
    second = post(referrer_client, CHECKLISTS, checklist_payload(), key="k-1")

    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"


def test_replay_creates_nothing_new(referrer_client):
    post(referrer_client, CHECKLISTS, checklist_payload(), key="k-1")
    post(referrer_client, CHECKLISTS, checklist_payload(), key="k-1")

    assert Checklist.objects.count() == 1


def test_same_key_different_body_is_422(referrer_client):
    post(referrer_client, CHECKLISTS, checklist_payload(), key="k-1")

    response = post(
        referrer_client, CHECKLISTS, checklist_payload(external_id="T-9"), key="k-1"
    )

    assert response.status_code == 422
    assert "different request" in response.json()["error"]


def test_keys_belong_to_one_user(referrer_client, colleague_referrer, api_client_for):
    post(referrer_client, CHECKLISTS, checklist_payload(), key="shared")

    colleague = api_client_for(colleague_referrer)
    response = post(
        colleague, CHECKLISTS, checklist_payload(external_id="T-2"), key="shared"
    )

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_key_still_processing_is_409(referrer_client, referrer):
    from firstcontact.delivery.idempotency import _fingerprint

    class Request:
        method = "POST"
        path = CHECKLISTS
        body = json.dumps(checklist_payload()).encode()

    IdempotencyRecord.objects.create(
        user=referrer, key="busy", fingerprint=_fingerprint(Request)
    )

    response = post(referrer_client, CHECKLISTS, checklist_payload(), key="busy")

    assert response.status_code == 409


def test_overlong_key_is_400(referrer_client):
    response = post(referrer_client, CHECKLISTS, checklist_payload(), key="k" * 256)

    assert response.status_code == 400


def test_request_without_key_is_not_recorded(referrer_client):
    post(referrer_client, CHECKLISTS, checklist_payload())

    assert IdempotencyRecord.objects.count() == 0


def test_referral_action_replay_changes_once(
    forwarded_referral, agency_client, referrer
):
    url = action_url(forwarded_referral, "accept")

    first = post(agency_client, url, {"version": forwarded_referral.version}, "a-1")
    second = post(agency_client, url, {"version": forwarded_referral.version}, "a-1")

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["version"] == first.json()["version"]
    accepted = Notification.objects.filter(user=referrer, event="referral.accepted")
    assert accepted.count() == 1


def test_action_without_key_repeated_is_refused(forwarded_referral, agency_client):
    url = action_url(forwarded_referral, "accept")
    version = {"version": forwarded_referral.version}

    post(agency_client, url, version)
    again = post(agency_client, url, version)

    assert again.status_code == 409
    assert "changed by someone else" in again.json()["error"]


# Two users at once


@pytest.mark.django_db(transaction=True)
def test_two_users_accepting_at_once_make_one_change(
    forwarded_referral, agency_user, make_user, referrer
):
    colleague = make_user("pension.colleague", "agency", "pension-service")
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(user):
        barrier.wait()
        try:
            operations.accept_referral(
                forwarded_referral.pk, user, version=forwarded_referral.version
            )
            outcomes.append("accepted")
        except operations.OperationError as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(u,)) for u in (agency_user, colleague)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["StaleReferral", "accepted"]
    referral = Referral.objects.get(pk=forwarded_referral.pk)
    assert referral.status == Status.ACCEPTED
    assert referral.version == forwarded_referral.version + 1
    notified = Notification.objects.filter(user=referrer, event="referral.accepted")
    assert notified.count() == 1


def test_stale_edit_is_refused_with_clear_message(forwarded_referral, agency_user):
    operations.accept_referral(forwarded_referral.pk, agency_user)

    with pytest.raises(operations.StaleReferral, match="changed by someone else"):
        operations.start_referral(
            forwarded_referral.pk, agency_user, version=forwarded_referral.version
        )
