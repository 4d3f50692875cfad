"""API tokens: scopes by role, the --scope option and scope checks."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from firstcontact.accounts.models import ApiToken
from firstcontact.accounts.services import AccountError, create_token
from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.intake import submit_checklist
from firstcontact.referrals.models import Referral
from tests.conftest import checklist_payload

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals"
CHECKLISTS = "/api/v1/checklists"


def token_command(username, *args) -> str:
    output = StringIO()
    call_command("create_token", username, *args, stdout=output)
    return output.getvalue().strip()


def bearer(token) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def benefits_referral(context, hub_user):
    """A draft benefits-check referral, waiting for the hub to forward it."""
    submit_checklist(checklist_payload(), context, channel="api", user=hub_user)
    return Referral.objects.get(service__code="benefits-check")


@pytest.mark.parametrize(
    ("user_fixture", "scopes"),
    [
        ("referrer", ["checklists:write", "referrals:read"]),
        ("hub_user", ["checklists:write", "referrals:read", "referrals:write"]),
        ("agency_user", ["referrals:read", "referrals:write"]),
    ],
)
def test_default_scopes_follow_the_role(request, user_fixture, scopes):
    user = request.getfixturevalue(user_fixture)

    token_command(user.username)

    assert ApiToken.objects.get().scopes == scopes


def test_scope_option_limits_the_token(hub_user):
    token_command(hub_user.username, "--scope", "referrals:read")

    assert ApiToken.objects.get().scopes == ["referrals:read"]


def test_scope_option_takes_commas_and_repeats(hub_user):
    token_command(
        hub_user.username,
        "--scope",
        "referrals:read,referrals:write",
        "--scope",
        "checklists:write",
    )

    assert ApiToken.objects.get().scopes == [
        "checklists:write",
        "referrals:read",
        "referrals:write",
    ]


def test_unknown_scope_is_rejected(hub_user):
    with pytest.raises(CommandError, match="scope 'referrals:delete' is not known"):
        token_command(hub_user.username, "--scope", "referrals:delete")


def test_scope_beyond_the_role_is_rejected(agency_user):
    with pytest.raises(
        CommandError, match="scope checklists:write is not allowed for a agency user"
    ):
        token_command(agency_user.username, "--scope", "checklists:write")


def test_executive_gets_no_token(make_user):
    executive = make_user("scheme.executive", "executive")

    with pytest.raises(AccountError, match="has no API access"):
        create_token(executive)


def test_read_only_token_cannot_act(hub_user, benefits_referral):
    token = token_command(hub_user.username, "--scope", "referrals:read")

    response = bearer(token).post(f"{REFERRALS}/{benefits_referral.pk}/forward")

    assert response.status_code == 403
    assert response.json() == {
        "error": "This token does not have the referrals:write scope; ask an "
        "administrator for a token with it.",
        "required_scope": "referrals:write",
    }


def test_missing_scope_is_named_in_the_header(hub_user):
    token = token_command(hub_user.username, "--scope", "checklists:write")

    response = bearer(token).get(REFERRALS)

    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]
    assert 'scope="referrals:read"' in response["WWW-Authenticate"]


def test_read_only_token_reads(hub_user):
    token = token_command(hub_user.username, "--scope", "referrals:read")

    assert bearer(token).get(REFERRALS).status_code == 200


def test_checklist_scope_is_needed_to_submit(referrer):
    token = token_command(referrer.username, "--scope", "referrals:read")

    response = bearer(token).post(
        CHECKLISTS, checklist_payload(), content_type="application/json"
    )

    assert response.status_code == 403


def test_checklist_scope_submits(referrer):
    token = token_command(referrer.username, "--scope", "checklists:write")

    response = bearer(token).post(
        CHECKLISTS, checklist_payload(), content_type="application/json"
    )

    assert response.status_code == 201


def test_role_change_narrows_an_existing_token(hub_user):
    token = token_command(hub_user.username)
    hub_user.role = "manager"
    hub_user.save()

    response = bearer(token).post(
        CHECKLISTS, checklist_payload(), content_type="application/json"
    )

    assert response.status_code == 403


def test_token_use_is_recorded(hub_user):
    token = token_command(hub_user.username)

    bearer(token).get(REFERRALS)

    assert ApiToken.objects.get().last_used_at is not None


def test_token_creation_is_audited(hub_user):
    token_command(hub_user.username, "--scope", "referrals:read")

    event = AuditEvent.objects.get(action="token.created")
    assert event.target_id == ApiToken.objects.get().pk
    assert event.data == {"scopes": ["referrals:read"]}
