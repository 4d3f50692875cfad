"""Two-factor authentication: enforced on every page, set up, verified, recovered."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from firstcontact.accounts.middleware import TWO_FACTOR_EXEMPT_VIEWS
from firstcontact.accounts.two_factor import enrol_authenticator, readable_secret
from firstcontact.audit.models import AuditEvent
from tests.accounts.conftest import every_page, sign_in_with_password, totp_code
from tests.conftest import TEST_TOTP_KEY

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]

SETUP = reverse("accounts:two-factor-setup")
VERIFY = reverse("accounts:two-factor-verify")
RECOVERY_CODES = reverse("accounts:recovery-codes")
MINE = reverse("checklists:mine")
PAGES = [
    (name, path)
    for name, path in every_page()
    if name not in TWO_FACTOR_EXEMPT_VIEWS and not name.startswith("api:")
]


def set_up_authenticator(client, user) -> TOTPDevice:
    """Sign in with the password and confirm a new authenticator."""
    sign_in_with_password(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(SETUP, {"code": totp_code(device)})
    device.refresh_from_db()
    return device


def new_recovery_codes(client) -> list[str]:
    html = client.get(RECOVERY_CODES).content.decode()
    codes = [
        token
        for token in StaticToken.objects.values_list("token", flat=True)
        if f"<code>{token}</code>" in html
    ]
    return codes


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_unverified_user_is_sent_to_verification(client, referrer, name, path):
    enrol_authenticator(referrer, TEST_TOTP_KEY)
    client.force_login(referrer)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")


def test_unverified_posts_are_sent_to_verification(client, referrer):
    enrol_authenticator(referrer, TEST_TOTP_KEY)
    client.force_login(referrer)

    response = client.post(reverse("checklists:new"), {"anything": "at all"})

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_pages_list_covers_the_work_pages():
    names = {name for name, _ in PAGES}
    assert {"home", "checklists:new", "accounts:access-review"} <= names


def test_new_user_is_sent_to_setup(client, referrer):
    sign_in_with_password(client, referrer)

    response = client.get(reverse("checklists:mine"))

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fchecklists%2F"


def test_password_alone_reaches_no_page(client, referrer):
    enrol_authenticator(referrer, TEST_TOTP_KEY)

    response = sign_in_with_password(client, referrer)
    home = client.get(response["Location"])

    assert home.status_code == 302
    assert home["Location"].startswith(VERIFY)


def test_api_tokens_skip_the_two_factor_page(hub_user, api_client_for):
    response = api_client_for(hub_user).get("/api/v1/referrals")

    assert response.status_code == 200


def test_executive_may_skip_two_factor(client, executive):
    sign_in_with_password(client, executive)

    response = client.get(reverse("home"))

    assert response.status_code == 200


def test_enrolled_executive_must_verify(client, executive):
    enrol_authenticator(executive, TEST_TOTP_KEY)
    sign_in_with_password(client, executive)

    response = client.get(reverse("home"))

    assert response["Location"].startswith(VERIFY)


def test_setup_shows_key_and_link(client, referrer):
    sign_in_with_password(client, referrer)

    html = client.get(SETUP).content.decode()

    device = TOTPDevice.objects.get(user=referrer, confirmed=False)
    assert readable_secret(device) in html
    assert "otpauth://totp/First%20Contact%3Afire.referrer?secret=" in html
    assert "<svg" in html


def test_setup_reload_keeps_key(client, referrer):
    sign_in_with_password(client, referrer)

    client.get(SETUP)
    client.get(SETUP)

    assert TOTPDevice.objects.filter(user=referrer).count() == 1


def test_setup_rejects_a_wrong_code(client, referrer):
    sign_in_with_password(client, referrer)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=referrer, confirmed=True).exists()


def test_setup_right_code_passes(client, referrer):
    set_up_authenticator(client, referrer)

    response = client.get(reverse("checklists:mine"))

    assert response.status_code == 200


def test_setup_is_audited(client, referrer):
    set_up_authenticator(client, referrer)

    assert AuditEvent.objects.filter(
        action="user.two_factor_enrolled", target_id=referrer.pk
    ).exists()


def test_recovery_codes_are_shown_once(client, referrer):
    set_up_authenticator(client, referrer)

    first = new_recovery_codes(client)
    second = new_recovery_codes(client)

    assert len(first) == 10
    assert second == []


def test_setup_keeps_next_page(client, referrer):
    sign_in_with_password(client, referrer)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=referrer, confirmed=False)

    response = client.post(
        SETUP, {"code": totp_code(device), "next": reverse("checklists:mine")}
    )

    assert response["Location"] == f"{RECOVERY_CODES}?next=%2Fchecklists%2F"


def test_verify_right_code_passes(client, referrer, authenticator):
    sign_in_with_password(client, referrer)

    response = client.post(VERIFY, {"code": totp_code(authenticator), "next": MINE})

    assert response["Location"] == MINE
    assert client.get(MINE).status_code == 200


def test_verify_rejects_wrong_code(client, referrer, authenticator):
    sign_in_with_password(client, referrer)

    response = client.post(VERIFY, {"code": "123456"})

    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()


def test_verify_rejects_reused_code(client, referrer, authenticator):
    code = totp_code(authenticator)
    sign_in_with_password(client, referrer)
    client.post(VERIFY, {"code": code})
    other = Client()
    sign_in_with_password(other, referrer)

    response = other.post(VERIFY, {"code": code})

    assert response.status_code == 200


def test_verify_ignores_offsite_next(client, referrer, authenticator):
    sign_in_with_password(client, referrer)

    response = client.post(
        VERIFY, {"code": totp_code(authenticator), "next": "https://example.com/"}
    )

    assert response["Location"] == reverse("home")


def test_verify_cycles_session_key(client, referrer, authenticator):
    sign_in_with_password(client, referrer)
    before = client.session.session_key

    client.post(VERIFY, {"code": totp_code(authenticator)})

    assert client.session.session_key != before


def test_recovery_code_works_once(client, referrer):
    set_up_authenticator(client, referrer)
    code = new_recovery_codes(client)[0]
    client.post(reverse("accounts:logout"))

    sign_in_with_password(client, referrer)
    first = client.post(VERIFY, {"code": code})
    client.post(reverse("accounts:logout"))
    sign_in_with_password(client, referrer)
    second = client.post(VERIFY, {"code": code})

    assert first.status_code == 302
    assert second.status_code == 200


def test_recovery_code_use_is_announced(client, referrer):
    set_up_authenticator(client, referrer)
    code = new_recovery_codes(client)[0]
    client.post(reverse("accounts:logout"))
    sign_in_with_password(client, referrer)

    response = client.post(VERIFY, {"code": code.upper()}, follow=True)

    assert "You used a recovery code" in response.content.decode()
    assert "9 left" in response.content.decode()


def test_new_recovery_codes_replace_the_old(client, referrer):
    set_up_authenticator(client, referrer)
    old = new_recovery_codes(client)

    client.post(RECOVERY_CODES)
    new = new_recovery_codes(client)

    assert len(new) == 10
    assert not set(old) & set(StaticToken.objects.values_list("token", flat=True))


def test_replacing_authenticator_needs_current_one(client, referrer, authenticator):
    sign_in_with_password(client, referrer)

    response = client.get(SETUP)

    assert response["Location"].startswith(VERIFY)


def test_verified_user_replaces_app(client, referrer):
    old = set_up_authenticator(client, referrer)
    client.get(SETUP)
    new = TOTPDevice.objects.get(user=referrer, confirmed=False)

    client.post(SETUP, {"code": totp_code(new)})

    assert list(TOTPDevice.objects.filter(user=referrer)) == [new]
    assert new.pk != old.pk


def test_sign_out_ends_the_verified_session(client, referrer, authenticator):
    sign_in_with_password(client, referrer)
    client.post(VERIFY, {"code": totp_code(authenticator)})

    client.post(reverse("accounts:logout"))
    response = client.get(reverse("checklists:mine"))

    assert response["Location"].startswith(reverse("accounts:login"))


def test_reset_sends_user_to_setup(client, referrer, authenticator):
    sign_in_with_password(client, referrer)
    client.post(VERIFY, {"code": totp_code(authenticator)})

    call_command("reset_two_factor", referrer.username, stdout=StringIO())
    sign_in_with_password(client, referrer)
    response = client.get(reverse("checklists:mine"))

    assert response["Location"].startswith(SETUP)
