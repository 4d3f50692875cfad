"""Security headers, no-store caching and CSRF protection on every form."""

import re

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from firstcontact.accounts.middleware import TWO_FACTOR_EXEMPT_VIEWS
from tests.accounts.conftest import every_page
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
MINE = reverse("checklists:mine")


@pytest.fixture
def login_page(client):
    return client.get(LOGIN)


def test_csp_allows_only_own_scripts(login_page):
    policy = login_page["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy


def test_pages_have_no_inline_scripts(login_page):
    scripts = re.findall(r"<script[^>]*>", login_page.content.decode())

    assert scripts
    assert all(" src=" in tag for tag in scripts)


def test_frames_are_denied(login_page):
    assert login_page["X-Frame-Options"] == "DENY"


def test_content_types_are_not_sniffed(login_page):
    assert login_page["X-Content-Type-Options"] == "nosniff"


def test_referrer_stays_on_site(login_page):
    assert login_page["Referrer-Policy"] == "same-origin"


def test_cross_origin_isolation_headers(login_page):
    assert login_page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert login_page["Cross-Origin-Resource-Policy"] == "same-origin"


def test_browser_features_are_turned_off(login_page):
    policy = login_page["Permissions-Policy"]

    assert "camera=()" in policy
    assert "geolocation=()" in policy
    assert "microphone=()" in policy


def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get(LOGIN, secure=True)

    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )


def test_signed_in_pages_are_not_stored(client, referrer):
    client.force_login(referrer)

    response = client.get(MINE)

    assert response["Cache-Control"] == "no-store, private, max-age=0"


def test_two_factor_redirects_are_not_stored(client, referrer):
    client.post(LOGIN, {"username": referrer.username, "password": PASSWORD})

    response = client.get(MINE)

    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


def test_api_answers_are_not_stored(hub_user, api_client_for):
    response = api_client_for(hub_user).get("/api/v1/referrals")

    assert response["Cache-Control"] == "no-store, private, max-age=0"


def test_api_errors_are_not_stored(client):
    response = client.get("/api/v1/referrals")

    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store, private, max-age=0"


def test_api_under_path_prefix_not_stored(client):
    response = client.get("/api/v1/referrals", SCRIPT_NAME="/firstcontact")

    assert response["Cache-Control"] == "no-store, private, max-age=0"


def test_sign_in_page_is_not_stored(login_page):
    assert "no-store" in login_page["Cache-Control"]


def test_sign_in_needs_a_csrf_token(referrer):
    client = Client(enforce_csrf_checks=True)

    response = client.post(LOGIN, {"username": referrer.username, "password": PASSWORD})

    assert response.status_code == 403


def test_sign_in_works_with_the_csrf_token(referrer):
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN)
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()
    )[1]

    response = client.post(
        LOGIN,
        {
            "username": referrer.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    "name", ["accounts:logout", "accounts:two-factor-verify", "checklists:new"]
)
def test_signed_in_forms_need_a_csrf_token(referrer, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(referrer)

    response = client.post(reverse(name), {})

    assert response.status_code == 403


def test_deactivation_needs_a_csrf_token(admin_user, referrer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(reverse("accounts:deactivate-user", args=[referrer.pk]))

    assert response.status_code == 403


def _views_by_name():
    resolver = get_resolver()
    for name, path in every_page():
        yield name, resolver.resolve(path).func


def test_only_the_api_skips_csrf_checks():
    exempt = {
        name for name, view in _views_by_name() if getattr(view, "csrf_exempt", False)
    }

    assert all(name.startswith("api:") for name in exempt)
    assert not exempt & TWO_FACTOR_EXEMPT_VIEWS
