"""The account commands for operators and the demo's way through two-factor."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from firstcontact.accounts.two_factor import enrol_authenticator, readable_key
from firstcontact.demo.accounts import DEMO_TOTP_KEY
from tests.accounts.conftest import totp_code
from tests.conftest import TEST_TOTP_KEY

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    output = StringIO()
    call_command(*args, stdout=output)
    return output.getvalue()


def test_totp_code_prints_the_current_code(referrer):
    device = enrol_authenticator(referrer, TEST_TOTP_KEY)

    printed = run("totp_code", referrer.username).strip()

    assert printed in {totp_code(device), totp_code(device, steps_ahead=1)}


def test_totp_code_refuses_production(settings, referrer):
    settings.PRODUCTION = True
    enrol_authenticator(referrer, TEST_TOTP_KEY)

    with pytest.raises(CommandError, match="does not run with FIRSTCONTACT_ENV"):
        run("totp_code", referrer.username)


def test_totp_code_needs_an_authenticator(referrer):
    with pytest.raises(CommandError, match="has no authenticator app set up"):
        run("totp_code", referrer.username)


def test_reset_two_factor_removes_the_authenticator(referrer):
    enrol_authenticator(referrer, TEST_TOTP_KEY)

    output = run("reset_two_factor", referrer.username)

    assert not TOTPDevice.objects.filter(user=referrer).exists()
    assert "set it up again at their next sign-in" in output


def test_demo_accounts_share_the_printed_key(scheme):
    output = run("load_demo", "--checklists", "0", "--no-progress")

    hub_device = TOTPDevice.objects.get(user__username="hub")
    assert hub_device.key == DEMO_TOTP_KEY
    assert hub_device.confirmed
    assert readable_key(DEMO_TOTP_KEY) in output
    assert "totp_code USERNAME" in output
