"""Lockout: repeated failed sign-ins answer 429 until the window passes."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from firstcontact.accounts.models import SignInAttempt
from firstcontact.audit.models import AuditEvent
from tests.accounts.conftest import sign_in_with_password, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]

VERIFY = reverse("accounts:two-factor-verify")


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.FIRSTCONTACT_LOCKOUT_ATTEMPTS = 5
    settings.FIRSTCONTACT_LOCKOUT_ADDRESS_ATTEMPTS = 12
    settings.FIRSTCONTACT_API_FAILURE_LIMIT = 8
    settings.FIRSTCONTACT_LOCKOUT_WINDOW = 15 * 60


def fail_sign_ins(client, user, times, **extra):
    for _ in range(times):
        sign_in_with_password(client, user, "not-the-password", **extra)


def age_attempts(minutes: int) -> None:
    """Move every stored attempt that many minutes into the past."""
    for attempt in SignInAttempt.objects.all():
        SignInAttempt.objects.filter(pk=attempt.pk).update(
            at=attempt.at - datetime.timedelta(minutes=minutes)
        )


def test_five_failures_lock_the_username(client, referrer):
    fail_sign_ins(client, referrer, 5)

    response = sign_in_with_password(client, referrer)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_says_when_to_try_again(client, referrer):
    fail_sign_ins(client, referrer, 5)

    response = sign_in_with_password(client, referrer)

    html = response.content.decode()
    assert "too many failed attempts to sign in" in html
    assert "Try again after" in html
    assert 800 < int(response["Retry-After"]) <= 15 * 60 + 1


def test_four_failures_do_not_lock(client, referrer):
    fail_sign_ins(client, referrer, 4)

    response = sign_in_with_password(client, referrer)

    assert response.status_code == 302


def test_completed_sign_in_resets_the_count(client, referrer, authenticator):
    fail_sign_ins(client, referrer, 4)
    sign_in_with_password(client, referrer)
    client.post(VERIFY, {"code": totp_code(authenticator)})
    client.post(reverse("accounts:logout"))

    fail_sign_ins(client, referrer, 4)
    response = sign_in_with_password(client, referrer)

    assert response.status_code == 302


def test_password_alone_does_not_reset_the_count(client, referrer, authenticator):
    fail_sign_ins(client, referrer, 4)
    sign_in_with_password(client, referrer)
    client.post(reverse("accounts:logout"))

    fail_sign_ins(client, referrer, 1)
    response = sign_in_with_password(client, referrer)

    assert response.status_code == 429


def test_lock_ends_after_the_window(client, referrer):
    fail_sign_ins(client, referrer, 5)

    age_attempts(16)
    response = sign_in_with_password(client, referrer)

    assert response.status_code == 302


def test_username_lock_spans_addresses(referrer):
    fail_sign_ins(Client(REMOTE_ADDR="192.0.2.1"), referrer, 5)

    response = sign_in_with_password(Client(REMOTE_ADDR="192.0.2.2"), referrer)

    assert response.status_code == 429


def test_lock_leaves_other_usernames_alone(client, referrer, colleague_referrer):
    fail_sign_ins(client, referrer, 5)

    response = sign_in_with_password(client, colleague_referrer)

    assert response.status_code == 302


def test_unknown_usernames_count_too(client, make_user):
    for _ in range(5):
        client.post(
            reverse("accounts:login"), {"username": "nobody", "password": "guess"}
        )

    response = client.post(
        reverse("accounts:login"), {"username": "nobody", "password": "guess"}
    )

    assert response.status_code == 429


def test_one_address_many_usernames_locks(client, make_user):
    users = [make_user(f"worker{i}", "hub") for i in range(4)]
    for user in users[:3]:
        fail_sign_ins(client, user, 4)

    response = sign_in_with_password(client, users[3])

    assert response.status_code == 429


def test_proxy_address_is_trusted(settings, make_user):
    settings.FIRSTCONTACT_TRUSTED_PROXIES = 1
    users = [make_user(f"worker{i}", "hub") for i in range(4)]
    for user in users[:3]:
        fail_sign_ins(Client(), user, 4, HTTP_X_FORWARDED_FOR="203.0.113.9")

    other_client = Client(HTTP_X_FORWARDED_FOR="203.0.113.10")
    response = sign_in_with_password(other_client, users[3])

    assert response.status_code == 302


def test_failures_and_lockout_are_audited(client, referrer):
    fail_sign_ins(client, referrer, 5)

    failed = AuditEvent.objects.filter(
        action="user.login_failed", target_id=referrer.pk
    )
    assert failed.count() == 5
    assert AuditEvent.objects.filter(
        action="user.locked_out", target_id=referrer.pk
    ).exists()


def test_attempts_store_no_username(client, referrer):
    fail_sign_ins(client, referrer, 1)

    attempt = SignInAttempt.objects.get()

    assert referrer.username not in attempt.username_digest
    assert len(attempt.username_digest) == 64


def test_wrong_codes_count_towards_the_lock(client, referrer, authenticator):
    sign_in_with_password(client, referrer)
    for _ in range(5):
        client.post(VERIFY, {"code": "000000"})

    response = client.post(VERIFY, {"code": totp_code(authenticator)})

    assert response.status_code == 429


def test_new_session_keeps_code_failures(client, referrer, authenticator):
    sign_in_with_password(client, referrer)
    for _ in range(3):
        client.post(VERIFY, {"code": "000000"})

    sign_in_with_password(Client(), referrer)
    for _ in range(2):
        client.post(VERIFY, {"code": "000000"})
    response = sign_in_with_password(Client(), referrer)

    assert response.status_code == 429


def test_api_token_failures_lock_the_address():
    client = Client(HTTP_AUTHORIZATION="Bearer fc_wrong")
    for _ in range(8):
        client.get("/api/v1/referrals")

    response = client.get("/api/v1/referrals")

    assert response.status_code == 429
    assert "Too many requests with invalid tokens" in response.json()["error"]
    assert int(response["Retry-After"]) > 0


def test_api_failures_below_limit_get_401():
    client = Client(HTTP_AUTHORIZATION="Bearer fc_wrong")
    for _ in range(7):
        client.get("/api/v1/referrals")

    response = client.get("/api/v1/referrals")

    assert response.status_code == 401


def test_old_attempts_are_deleted(client, referrer):
    fail_sign_ins(client, referrer, 1)
    age_attempts(60 * 25)

    fail_sign_ins(client, referrer, 1)

    assert SignInAttempt.objects.count() == 1


def test_valid_token_works_from_locked_address(hub_user, api_client_for):
    wrong = Client(HTTP_AUTHORIZATION="Bearer fc_wrong")
    for _ in range(9):
        wrong.get("/api/v1/referrals")

    response = api_client_for(hub_user).get("/api/v1/referrals")

    assert response.status_code == 200
