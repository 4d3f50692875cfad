"""The access review: every user by agency, as a command and a page."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from firstcontact.accounts.services import create_token, deactivate_user
from firstcontact.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

REVIEW = reverse("accounts:access-review")


@pytest.fixture
def users(referrer, hub_user, agency_user, admin_user, signed_in_client):
    signed_in_client(referrer)
    create_token(hub_user)
    deactivate_user(agency_user)
    return {"referrer": referrer, "hub": hub_user, "agency": agency_user}


def review(*args) -> str:
    output = io.StringIO()
    call_command("access_review", *args, stdout=output)
    return output.getvalue()


def csv_rows(text: str) -> dict[str, dict]:
    return {row["username"]: row for row in csv.DictReader(io.StringIO(text))}


def test_csv_lists_every_user(users, admin_user):
    rows = csv_rows(review("--format", "csv"))

    assert set(rows) == {
        "fire.referrer",
        "hub.coordinator",
        "pension.worker",
        "scheme.admin",
    }


def test_csv_gives_agency_role_and_status(users):
    row = csv_rows(review("--format", "csv"))["pension.worker"]

    assert row["agency"] == "The Pension Service (local)"
    assert row["role"] == "Agency user"
    assert row["status"] == "deactivated"


def test_csv_gives_two_factor_and_last_login(users):
    rows = csv_rows(review("--format", "csv"))

    assert rows["fire.referrer"]["two_factor"] == "yes"
    assert rows["fire.referrer"]["last_login"] != ""
    assert rows["hub.coordinator"]["two_factor"] == "no"
    assert rows["hub.coordinator"]["last_login"] == ""


def test_csv_counts_live_tokens(users):
    rows = csv_rows(review("--format", "csv"))

    assert rows["hub.coordinator"]["live_tokens"] == "1"
    assert rows["pension.worker"]["live_tokens"] == "0"


def test_text_groups_users_under_their_agency(users):
    text = review()

    lines = text.splitlines()
    heading = lines.index("The Pension Service (local)")
    assert lines[heading + 1].split()[0] == "pension.worker"
    assert "deactivated" in lines[heading + 1]


def test_text_puts_users_without_agency_last(users):
    lines = review().splitlines()

    assert lines[-2] == "No agency"
    assert lines[-1].split()[0] == "scheme.admin"


def test_page_lists_users_for_an_admin(users, admin_user, signed_in_client):
    response = signed_in_client(admin_user).get(REVIEW)

    html = response.content.decode()
    assert response.status_code == 200
    assert "pension.worker" in html
    assert "Deactivated" in html
    assert "Not set up" in html


def test_page_downloads_csv(users, admin_user, signed_in_client):
    response = signed_in_client(admin_user).get(REVIEW, {"format": "csv"})

    assert response["Content-Type"] == "text/csv"
    assert "fire.referrer" in csv_rows(response.content.decode())


def test_page_views_are_audited(users, admin_user, signed_in_client):
    signed_in_client(admin_user).get(REVIEW)

    event = AuditEvent.objects.get(action="user.access_review_viewed")
    assert event.actor == admin_user
    assert event.data == {"format": "html", "users": 4}


@pytest.mark.parametrize("user_fixture", ["referrer", "hub_user"])
def test_page_is_for_admins_only(request, signed_in_client, user_fixture):
    user = request.getfixturevalue(user_fixture)

    response = signed_in_client(user).get(REVIEW)

    assert response.status_code == 403


def test_home_page_links_admins_to_the_review(admin_user, signed_in_client):
    html = signed_in_client(admin_user).get(reverse("home")).content.decode()

    assert f'href="{REVIEW}"' in html
