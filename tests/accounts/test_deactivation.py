"""Deactivation ends a user's sessions and API tokens at once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from firstcontact.accounts.models import ApiToken, User, UserSession
from firstcontact.accounts.services import create_token
from firstcontact.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

MINE = reverse("checklists:mine")


def deactivate(username) -> str:
    output = StringIO()
    call_command("deactivate_user", username, stdout=output)
    return output.getvalue()


@pytest.fixture
def signed_in(referrer, signed_in_client):
    return signed_in_client(referrer)


def test_sessions_are_stored_with_their_user(signed_in, referrer):
    assert UserSession.objects.filter(user=referrer).count() == 1


def test_command_ends_open_sessions(signed_in, referrer):
    deactivate(referrer.username)

    response = signed_in.get(MINE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not UserSession.objects.filter(user=referrer).exists()


def test_command_revokes_tokens(referrer):
    token = create_token(referrer)

    deactivate(referrer.username)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/referrals")

    assert response.status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_command_leaves_other_users_signed_in(referrer, colleague_referrer):
    colleague = Client()
    colleague.force_login(colleague_referrer)

    deactivate(referrer.username)

    assert colleague.get(MINE).status_code == 200


def test_command_says_what_it_did(referrer):
    output = deactivate(referrer.username)

    assert output == (
        "Deactivated fire.referrer: sessions ended and API tokens revoked.\n"
    )


def test_command_rejects_unknown_user(db):
    with pytest.raises(CommandError, match="user 'nobody' not found"):
        deactivate("nobody")


def test_command_rejects_a_second_deactivation(referrer):
    deactivate(referrer.username)

    with pytest.raises(CommandError, match="already deactivated"):
        deactivate(referrer.username)


def test_deactivation_is_audited(signed_in, referrer):
    create_token(referrer)

    deactivate(referrer.username)

    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.target_id == referrer.pk
    assert event.data == {"sessions_ended": 1, "tokens_revoked": 1}


def test_deactivated_user_cannot_sign_in(referrer):
    deactivate(referrer.username)

    response = Client().post(
        reverse("accounts:login"),
        {"username": referrer.username, "password": "correct-horse-battery-staple"},
    )

    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_admin_page_asks_before_deactivating(admin_user, referrer, signed_in_client):
    admin = signed_in_client(admin_user)

    response = admin.get(reverse("accounts:deactivate-user", args=[referrer.pk]))

    assert response.status_code == 200
    assert "Deactivate fire.referrer?" in response.content.decode()
    assert User.objects.get(pk=referrer.pk).is_active


def test_admin_deactivates_from_the_page(
    admin_user, referrer, signed_in, signed_in_client
):
    admin = signed_in_client(admin_user)

    response = admin.post(
        reverse("accounts:deactivate-user", args=[referrer.pk]), follow=True
    )

    assert "fire.referrer is deactivated" in response.content.decode()
    assert signed_in.get(MINE).status_code == 302
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.actor == admin_user


def test_admin_cannot_deactivate_themself(admin_user, signed_in_client):
    admin = signed_in_client(admin_user)

    response = admin.post(
        reverse("accounts:deactivate-user", args=[admin_user.pk]), follow=True
    )

    assert "You cannot deactivate your own account." in response.content.decode()
    assert User.objects.get(pk=admin_user.pk).is_active


@pytest.mark.parametrize("role", ["hub", "manager", "executive"])
def test_only_admins_may_deactivate(make_user, referrer, signed_in_client, role):
    other = signed_in_client(make_user(f"someone.{role}", role))

    response = other.post(reverse("accounts:deactivate-user", args=[referrer.pk]))

    assert response.status_code == 403
    assert User.objects.get(pk=referrer.pk).is_active


def test_reset_two_factor_ends_sessions(signed_in, referrer):
    call_command("reset_two_factor", referrer.username, stdout=StringIO())

    assert not UserSession.objects.filter(user=referrer).exists()
