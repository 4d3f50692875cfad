"""Helpers for the account security tests: codes, sign-in and every page."""

import time
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django_otp.oath import TOTP

from firstcontact.accounts.two_factor import enrol_authenticator
from tests.conftest import PASSWORD, TEST_TOTP_KEY


def totp_code(device, steps_ahead: int = 0) -> str:
    """Return the code the device's app shows now, or that many steps later.

    The server accepts the next step's code too, and each code only once, so a
    second sign-in within 30 seconds uses `steps_ahead=1`.
    """
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(client, user, password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password},
        **extra,
    )


@pytest.fixture
def authenticator(referrer):
    """The referrer's confirmed authenticator app."""
    return enrol_authenticator(referrer, TEST_TOTP_KEY)


@pytest.fixture
def admin_user(make_user):
    return make_user("scheme.admin", "admin")


@pytest.fixture
def executive(make_user):
    return make_user("scheme.executive", "executive")


def _sample_value(converter):
    if isinstance(converter, UUIDConverter):
        return uuid.uuid4()
    if isinstance(converter, IntConverter):
        return 1
    return "sample"


def _page_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from _page_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            converters = pattern.pattern.converters
            kwargs = {name: _sample_value(c) for name, c in converters.items()}
            yield f"{namespace}{pattern.name}", kwargs


def every_page() -> list[tuple[str, str]]:
    """Return (URL name, path) for every named URL of the project."""
    return [
        (name, reverse(name, kwargs=kwargs))
        for name, kwargs in _page_names(get_resolver().url_patterns)
    ]
