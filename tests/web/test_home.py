"""The home page sends each user to the page their role starts from."""

import pytest
from django.urls import NoReverseMatch, include, path, reverse

from firstcontact.accounts.views import home

pytestmark = pytest.mark.django_db

# A URL configuration without the hub and agency pages, for the fallback.
urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("firstcontact.accounts.urls")),
    path("checklists/", include("firstcontact.checklists.urls")),
]


def reverse_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_referrer_starts_at_a_new_checklist(client, referrer):
    client.force_login(referrer)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("checklists:new")


@pytest.mark.parametrize(
    ("user_fixture", "page"),
    [("hub_user", "hub:queue"), ("agency_user", "referrals:inbox")],
)
def test_hub_and_agency_users_start_at_their_own_page(
    client, request, user_fixture, page
):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get("/")
    expected = reverse_or_none(page)
    if expected:
        assert response.status_code == 302
        assert response["Location"] == expected
    else:
        assert response.status_code == 200
        assert "You are signed in" in response.content.decode()


@pytest.mark.urls("tests.web.test_home")
def test_without_the_hub_pages_the_hub_gets_a_simple_page(client, hub_user):
    client.force_login(hub_user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are signed in" in html
    assert reverse("checklists:new") in html


@pytest.mark.urls("tests.web.test_home")
def test_without_the_inbox_an_agency_user_gets_a_simple_page(client, agency_user):
    client.force_login(agency_user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There are no pages for your role" in html
    assert "Reports" not in html


def test_other_roles_get_the_signed_in_page(client, make_user):
    client.force_login(make_user("scheme.manager", "manager"))
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are signed in" in html
    reports = reverse_or_none("reports:dashboard")
    if reports:
        assert f'href="{reports}"' in html


def test_referrer_sees_the_referrer_navigation(client, referrer):
    client.force_login(referrer)
    html = client.get(reverse("checklists:mine")).content.decode()
    assert f'href="{reverse("checklists:new")}"' in html
    assert "My checklists" in html
    assert "Referrals inbox" not in html
    assert "Hub queue" not in html
    assert "Signed in as fire.referrer" in html


@pytest.mark.urls("tests.web.test_home")
def test_agency_user_sees_no_referrer_navigation(client, agency_user):
    client.force_login(agency_user)
    html = client.get("/").content.decode()
    assert "New checklist" not in html
    assert "My checklists" not in html
    assert ">Sign out</button>" in html
