"""Two-factor authentication: authenticator apps (TOTP) and recovery codes.

django-otp stores the devices and checks codes, throttling each device after a
wrong code. A user has at most one confirmed authenticator and one set of
single-use recovery codes.
"""

import base64

from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from firstcontact.accounts.models import TWO_FACTOR_OPTIONAL_ROLES
from firstcontact.accounts.services import end_sessions
from firstcontact.audit.services import record_event

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
TOTP_CODE_LENGTH = 6


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user) -> bool:
    """Tell whether the user must pass a second factor before seeing any page.

    Every role must, except executives who have not set up an authenticator.
    """
    if not user.is_authenticated:
        return False
    if user.role not in TWO_FACTOR_OPTIONAL_ROLES:
        return True
    return has_authenticator(user)


def pending_authenticator(user) -> TOTPDevice:
    """Return the user's authenticator awaiting its first code, creating it once."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=AUTHENTICATOR_NAME, confirmed=False
        )
    return device


def readable_key(key_hex: str) -> str:
    """Return a hex key in base32, in groups of four, for typing into an app."""
    secret = base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def readable_secret(device: TOTPDevice) -> str:
    return readable_key(device.key)


def enrol_authenticator(user, key_hex: str) -> TOTPDevice:
    """Give the user a confirmed authenticator with a known key.

    For the demo and tests only: a real user's key is made by
    `pending_authenticator` and confirmed by `confirm_authenticator`.
    """
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, key=key_hex, confirmed=True
    )


@transaction.atomic
def confirm_authenticator(user, code: str, *, remote_addr=None):
    """Confirm the pending authenticator with its first code.

    Return (device, recovery codes) on success, replacing any earlier
    authenticator and recovery codes, or (None, []) when the code is wrong.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .first()
    )
    if device is None or not device.verify_token(normalise_code(code)):
        return None, []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = replace_recovery_codes(user)
    record_event("user.two_factor_enrolled", user, actor=user, remote_addr=remote_addr)
    return device, codes


def replace_recovery_codes(user) -> list[str]:
    """Delete the user's recovery codes and return a new set, to show once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def verify_second_factor(user, code: str):
    """Return the confirmed device that accepts the code, or None.

    A six-digit code is checked against the authenticator; anything else
    against the recovery codes, each of which works once.
    """
    code = normalise_code(code)
    if not code:
        return None
    if code.isdigit() and len(code) == TOTP_CODE_LENGTH:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def is_recovery_code_device(device) -> bool:
    return isinstance(device, StaticDevice)


@transaction.atomic
def reset_two_factor(user, *, actor=None, remote_addr=None) -> None:
    """Remove the user's authenticator and recovery codes and end their sessions.

    The user sets up a new authenticator at their next sign-in.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sessions = end_sessions(user)
    record_event(
        "user.two_factor_reset",
        user,
        actor=actor,
        remote_addr=remote_addr,
        data={"sessions_ended": sessions},
    )
