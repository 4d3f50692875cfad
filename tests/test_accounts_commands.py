"""create_user and create_token: accounts and API tokens from the command line."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from firstcontact.accounts.models import ApiToken, User

ROLES_WITH_AGENCY = ["referrer", "agency"]
ROLES_WITHOUT_AGENCY = ["hub", "manager", "executive", "admin"]


def create_user_command(*arguments) -> str:
    out = StringIO()
    call_command("create_user", *arguments, stdout=out)
    return out.getvalue()


def create_token_command(username) -> str:
    out = StringIO()
    call_command("create_token", username, stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize("role", ROLES_WITH_AGENCY)
def test_agency_role_user_is_created(scheme, role):
    output = create_user_command("sam.worker", "--role", role, "--agency", "police")

    user = User.objects.get(username="sam.worker")
    assert user.role == role
    assert user.agency.code == "police"
    assert user.scheme == scheme
    assert output.strip() == f"Created {role} sam.worker at police."


@pytest.mark.parametrize("role", ROLES_WITHOUT_AGENCY)
def test_scheme_role_user_is_created(scheme, role):
    output = create_user_command("sam.worker", "--role", role)

    user = User.objects.get(username="sam.worker")
    assert user.role == role
    assert user.agency is None
    assert output.strip() == f"Created {role} sam.worker."


def test_hub_user_may_name_agency(scheme):
    create_user_command("sam.hub", "--role", "hub", "--agency", "customer-first")

    assert User.objects.get(username="sam.hub").agency.code == "customer-first"


def test_only_admin_is_staff(scheme):
    create_user_command("sam.admin", "--role", "admin")
    create_user_command("sam.manager", "--role", "manager")

    assert User.objects.get(username="sam.admin").is_staff is True
    assert User.objects.get(username="sam.manager").is_staff is False


def test_user_without_password_cannot_sign_in(scheme):
    create_user_command("sam.hub", "--role", "hub")

    assert User.objects.get(username="sam.hub").has_usable_password() is False


def test_password_option_sets_password(scheme):
    create_user_command(
        "sam.hub", "--role", "hub", "--password", "plum-orchard-lantern-42"
    )

    assert User.objects.get(username="sam.hub").check_password(
        "plum-orchard-lantern-42"
    )


def test_weak_password_is_rejected(scheme):
    with pytest.raises(CommandError) as raised:
        create_user_command("sam.hub", "--role", "hub", "--password", "short")

    assert "too short" in str(raised.value)
    assert not User.objects.filter(username="sam.hub").exists()


def test_unknown_agency_is_rejected(scheme):
    with pytest.raises(CommandError) as raised:
        create_user_command("sam.worker", "--role", "referrer", "--agency", "nobody")

    assert str(raised.value) == "agency 'nobody' is not an agency of leicestershire."
    assert not User.objects.filter(username="sam.worker").exists()


@pytest.mark.parametrize("role", ROLES_WITH_AGENCY)
def test_agency_role_needs_agency(scheme, role):
    with pytest.raises(CommandError) as raised:
        create_user_command("sam.worker", "--role", role)

    assert str(raised.value) == f"a {role} user needs --agency CODE."


def test_duplicate_username_is_rejected(scheme):
    create_user_command("sam.hub", "--role", "hub")

    with pytest.raises(CommandError) as raised:
        create_user_command("sam.hub", "--role", "manager")

    assert str(raised.value) == "user 'sam.hub' already exists."
    assert User.objects.get(username="sam.hub").role == "hub"


def test_unknown_role_is_rejected(scheme):
    with pytest.raises(CommandError) as raised:
        create_user_command("sam.hub", "--role", "superuser")

    assert "invalid choice: 'superuser'" in str(raised.value)


@pytest.mark.django_db
def test_create_user_needs_loaded_scheme():
    with pytest.raises(CommandError) as raised:
        create_user_command("sam.hub", "--role", "hub")

    assert "run `firstcontact load_scheme` first" in str(raised.value)


def test_token_authenticates_on_api(scheme):
    create_user_command("sam.hub", "--role", "hub")

    token = create_token_command("sam.hub")

    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/referrals")
    assert response.status_code == 200


def test_token_is_stored_as_digest(scheme):
    create_user_command("sam.hub", "--role", "hub")

    token = create_token_command("sam.hub")

    record = ApiToken.objects.get()
    assert record.digest == ApiToken.digest_of(token)
    assert token not in {record.digest, record.prefix}


def test_each_token_is_new(scheme):
    create_user_command("sam.hub", "--role", "hub")

    first = create_token_command("sam.hub")
    second = create_token_command("sam.hub")

    assert first != second
    assert ApiToken.objects.count() == 2


def test_token_for_unknown_user_is_rejected(scheme):
    with pytest.raises(CommandError) as raised:
        create_token_command("nobody")

    assert str(raised.value).startswith("user 'nobody' not found")


def test_token_for_deactivated_user_is_rejected(scheme):
    create_user_command("sam.hub", "--role", "hub")
    User.objects.filter(username="sam.hub").update(is_active=False)

    with pytest.raises(CommandError) as raised:
        create_token_command("sam.hub")

    assert str(raised.value) == "user 'sam.hub' is deactivated."
    assert ApiToken.objects.count() == 0
