"""The hub's deliveries page, notifications, channel settings and response days."""

import copy

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from firstcontact.delivery.encryption import decrypt_secret
from firstcontact.delivery.models import AgencyChannels, MessageStatus, OutboxMessage
from firstcontact.delivery.services import configure_channels, notifications_for
from firstcontact.directory.loading import (
    BUNDLED_SCHEME,
    SchemeFileError,
    load_scheme,
    read_scheme_file,
)
from firstcontact.directory.models import Agency, Service
from firstcontact.referrals.operations import OperationError, PermissionDenied
from tests.conftest import PASSWORD


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def failed_message(forwarded_referral):
    message = OutboxMessage.objects.filter(event="referral.requested").first()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED,
        failed_at=timezone.now(),
        attempts=10,
        last_error="The receiver answered HTTP 503.",
    )
    return message


def test_hub_page_lists_failed_delivery(failed_message, hub_user, forwarded_referral):
    response = signed_in(hub_user).get(reverse("delivery:failed"))

    assert response.status_code == 200
    assert forwarded_referral.reference in response.text
    assert "The receiver answered HTTP 503." in response.text


def test_hub_page_is_at_hub_deliveries():
    assert reverse("delivery:failed") == "/hub/deliveries/"


def test_agency_user_cannot_see_hub_page(agency_user):
    response = signed_in(agency_user).get(reverse("delivery:failed"))

    assert response.status_code == 403


def test_hub_retry_button_requeues_delivery(failed_message, hub_user):
    url = reverse("delivery:retry", args=[failed_message.pk])

    response = signed_in(hub_user).post(url)

    assert response.status_code == 302
    failed_message.refresh_from_db()
    assert failed_message.status == MessageStatus.PENDING
    assert failed_message.attempts == 0


def test_referrer_sees_own_notifications(forwarded_referral, referrer):
    response = signed_in(referrer).get(reverse("delivery:notifications"))

    assert "was sent to The Pension Service" in response.text


def test_notifications_are_only_the_users_own(forwarded_referral, colleague_referrer):
    assert list(notifications_for(colleague_referrer)) == []


def test_marking_notifications_read(forwarded_referral, referrer):
    signed_in(referrer).post(reverse("delivery:mark-read"))

    assert not notifications_for(referrer).filter(read_at__isnull=True).exists()


# Channel settings


@pytest.fixture
def pension(scheme):
    return Agency.objects.get(scheme=scheme, code="pension-service")


def test_webhook_secret_is_stored_encrypted(pension, manager):
    secret = "a-partner-secret-of-enough-length"

    channels, _ = configure_channels(
        pension, manager, webhook_url="https://example.org/hook", webhook_secret=secret
    )

    stored = AgencyChannels.objects.get(pk=channels.pk).webhook_secret_encrypted
    assert secret not in stored
    assert decrypt_secret(stored) == secret


def test_webhook_secret_survives_key_rotation(pension, manager, settings):
    secret = "a-partner-secret-of-enough-length"
    configure_channels(
        pension, manager, webhook_url="https://example.org/hook", webhook_secret=secret
    )
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only"

    stored = AgencyChannels.objects.get(agency=pension).webhook_secret_encrypted
    assert decrypt_secret(stored) == secret


def test_secret_is_generated_once_when_missing(pension, manager):
    _, generated = configure_channels(
        pension, manager, webhook_url="https://example.org/hook"
    )
    _, again = configure_channels(
        pension, manager, webhook_url="https://example.org/other"
    )

    assert len(generated) >= 32
    assert again is None


def test_only_scheme_manager_configures_channels(pension, hub_user):
    with pytest.raises(PermissionDenied):
        configure_channels(pension, hub_user, webhook_url="https://example.org/hook")


@pytest.mark.parametrize("url", ["ftp://example.org/hook", "not a url"])
def test_invalid_webhook_url_is_rejected(pension, manager, url):
    with pytest.raises(OperationError, match="not a valid webhook URL"):
        configure_channels(pension, manager, webhook_url=url)


def test_short_secret_is_rejected(pension, manager):
    with pytest.raises(OperationError, match="at least 24 characters"):
        configure_channels(
            pension,
            manager,
            webhook_url="https://example.org/hook",
            webhook_secret="short",
        )


def test_removing_webhook_url_forgets_secret(pension, manager):
    configure_channels(pension, manager, webhook_url="https://example.org/hook")

    channels, _ = configure_channels(pension, manager, webhook_url="")

    assert channels.webhook_secret_encrypted == ""
    assert not channels.has_webhook


# Response days in the scheme file


def test_services_default_to_five_response_days(scheme):
    assert set(Service.objects.values_list("response_days", flat=True)) == {5}


def test_scheme_file_sets_response_days(scheme):
    data = read_scheme_file(BUNDLED_SCHEME)
    data["services"][0]["response_days"] = 2

    load_scheme(data)

    service = Service.objects.get(code=data["services"][0]["code"])
    assert service.response_days == 2


@pytest.mark.parametrize("value", [0, -1, "five", 1.5, True, 61])
def test_invalid_response_days_are_rejected(db, value):
    data = copy.deepcopy(read_scheme_file(BUNDLED_SCHEME))
    data["services"][0]["response_days"] = value

    with pytest.raises(SchemeFileError, match=r"services\[0\]\.response_days"):
        load_scheme(data)
