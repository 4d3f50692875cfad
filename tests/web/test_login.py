"""Signing in and out of the web pages."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_styled_and_has_no_crown(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in to First Contact" in html
    assert "govuk-header" in html
    assert "firstcontact/app.css" in html
    assert "GOV.UK" not in html
    assert "govuk-logo" not in html


def test_sign_in_with_the_right_password(client, referrer):
    response = client.post(
        reverse("accounts:login"), {"username": referrer.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(referrer.pk)


def test_sign_in_follows_next(client, referrer):
    mine = reverse("checklists:mine")
    response = client.post(
        f"{reverse('accounts:login')}?next={mine}",
        {"username": referrer.username, "password": PASSWORD, "next": mine},
    )
    assert response["Location"] == mine


def test_wrong_password_is_rejected(client, referrer):
    response = client.post(
        reverse("accounts:login"),
        {"username": referrer.username, "password": "not-the-password"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password" in html
    assert "<title>Error: Sign in - First Contact</title>" in html
    # The username is kept; the password is never sent back.
    assert f'value="{referrer.username}"' in html
    assert "not-the-password" not in html
    assert "_auth_user_id" not in client.session


def test_empty_fields_are_named_and_linked(client):
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})
    html = response.content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert 'id="id_username"' in html


def test_deactivated_user_cannot_sign_in(client, referrer):
    referrer.is_active = False
    referrer.save()
    response = client.post(
        reverse("accounts:login"), {"username": referrer.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_says_so(client, referrer):
    client.force_login(referrer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert "You have signed out." in response.content.decode()


def test_signed_in_pages_offer_a_sign_out_button(client, referrer):
    client.force_login(referrer)
    html = client.get(reverse("checklists:mine")).content.decode()
    assert f'action="{reverse("accounts:logout")}"' in html
    assert ">Sign out</button>" in html


def test_signed_in_user_visiting_sign_in_goes_home(client, referrer):
    client.force_login(referrer)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
