"""Idle and absolute session timeouts."""

import time

import pytest
from django.urls import reverse

from firstcontact.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from firstcontact.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

MINE = reverse("checklists:mine")
LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def timeouts(settings):
    settings.FIRSTCONTACT_SESSION_IDLE_TIMEOUT = 30 * 60
    settings.FIRSTCONTACT_SESSION_ABSOLUTE_TIMEOUT = 10 * 60 * 60


def shift_clock(client, key: str, seconds_ago: float) -> None:
    session = client.session
    session[key] = time.time() - seconds_ago
    session.save()


@pytest.fixture
def referrer_client(client, referrer):
    client.force_login(referrer)
    return client


def test_active_session_reaches_pages(referrer_client):
    shift_clock(referrer_client, LAST_SEEN_AT, 29 * 60)

    response = referrer_client.get(MINE)

    assert response.status_code == 200


def test_idle_session_is_signed_out(referrer_client):
    shift_clock(referrer_client, LAST_SEEN_AT, 31 * 60)

    response = referrer_client.get(MINE)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fchecklists%2F"
    assert "_auth_user_id" not in referrer_client.session


def test_idle_sign_out_says_why(referrer_client):
    shift_clock(referrer_client, LAST_SEEN_AT, 31 * 60)

    response = referrer_client.get(MINE, follow=True)

    html = response.content.decode()
    assert "no activity for 30 minutes" in html
    assert "Sign in to First Contact" in html


def test_each_request_restarts_the_idle_clock(referrer_client):
    shift_clock(referrer_client, LAST_SEEN_AT, 20 * 60)
    referrer_client.get(MINE)
    shift_clock(referrer_client, SIGNED_IN_AT, 60 * 60)

    last_seen = referrer_client.session[LAST_SEEN_AT]

    assert time.time() - last_seen < 60


def test_absolute_timeout_signs_out_an_active_session(referrer_client):
    shift_clock(referrer_client, SIGNED_IN_AT, 10 * 60 * 60 + 1)

    response = referrer_client.get(MINE, follow=True)

    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "after being signed in for 10 hours" in response.content.decode()


def test_expired_post_says_it_was_not_saved(referrer_client):
    shift_clock(referrer_client, LAST_SEEN_AT, 31 * 60)

    response = referrer_client.post(
        reverse("checklists:new"), {"visit_date": "2026-11-02"}, follow=True
    )

    html = response.content.decode()
    assert "What you last sent was not saved" in html
    assert response.redirect_chain[0][0] == f"{LOGIN}?next=%2Fchecklists%2Fnew%2F"


def test_expiry_is_audited(referrer_client, referrer):
    shift_clock(referrer_client, LAST_SEEN_AT, 31 * 60)

    referrer_client.get(MINE)

    event = AuditEvent.objects.get(action="user.session_expired")
    assert event.target_id == referrer.pk
    assert event.data == {"reason": "idle"}


def test_session_cookie_ends_with_the_browser(client, referrer):
    response = client.post(LOGIN, {"username": referrer.username, "password": PASSWORD})

    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
