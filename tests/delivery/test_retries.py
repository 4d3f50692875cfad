"""Delivery attempts against real receivers on 127.0.0.1: retry or not, and why."""

import datetime
import hashlib
import hmac
import time

import pytest
from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.delivery.dispatch import deliver, retry_delay
from firstcontact.delivery.models import (
    Channel,
    DeliveryAttempt,
    MessageStatus,
    OutboxMessage,
)
from firstcontact.delivery.services import failed_deliveries, retry_delivery
from firstcontact.referrals.operations import PermissionDenied
from tests.delivery.conftest import WEBHOOK_SECRET
from tests.delivery.receivers import free_port

pytestmark = pytest.mark.usefixtures("fast_retries")


@pytest.fixture
def webhook_message(pension_webhook, forwarded_referral):
    return OutboxMessage.objects.get(channel=Channel.WEBHOOK)


@pytest.fixture
def email_message(forwarded_referral):
    return OutboxMessage.objects.get(channel=Channel.EMAIL, event="referral.requested")


def reload(message):
    message.refresh_from_db()
    return message


def deliver_when_due(message, timeout=5.0) -> str:
    """Wait out the backoff, then make the next attempt."""
    deadline = time.monotonic() + timeout
    while timezone.now() < reload(message).next_attempt_at:
        assert time.monotonic() < deadline, "backoff longer than the test allows"
        time.sleep(0.01)
    return deliver(message.pk)


def test_webhook_delivered_with_valid_signature(webhook_message, webhook_receiver):
    assert deliver(webhook_message.pk) == "delivered"

    (request,) = webhook_receiver.requests
    headers = request["headers"]
    signed = headers["X-FirstContact-Timestamp"].encode() + b"." + request["body"]
    expected = hmac.new(WEBHOOK_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-FirstContact-Signature"] == f"sha256={expected}"
    assert headers["X-FirstContact-Message-Id"] == str(webhook_message.pk)
    assert abs(int(headers["X-FirstContact-Timestamp"]) - time.time()) < 60


def test_webhook_body_has_no_personal_details(
    webhook_message, webhook_receiver, forwarded_referral
):
    deliver(webhook_message.pk)

    body = webhook_receiver.requests[0]["body"].decode()
    assert forwarded_referral.person.family_name not in body
    assert forwarded_referral.person.postcode not in body


def test_delivered_message_is_marked_delivered(webhook_message):
    deliver(webhook_message.pk)

    message = reload(webhook_message)
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None
    assert message.locked_until is None


def test_server_error_is_retried_then_delivered(webhook_message, webhook_receiver):
    webhook_receiver.script(500, 503)

    outcomes = [deliver(webhook_message.pk)]
    outcomes += [deliver_when_due(webhook_message) for _ in range(2)]

    assert outcomes == ["retry", "retry", "delivered"]
    assert len(webhook_receiver.unique_message_ids()) == 1
    assert len(webhook_receiver.requests) == 3


def test_retry_waits_for_backoff(webhook_message, webhook_receiver, fast_retries):
    webhook_receiver.script(500)
    before = timezone.now()

    deliver(webhook_message.pk)

    wait = (reload(webhook_message).next_attempt_at - before).total_seconds()
    assert fast_retries["backoff_seconds"] <= wait < 1.0


def test_retry_delay_doubles_up_to_maximum(settings):
    settings.FIRSTCONTACT_DELIVERY = {
        **settings.FIRSTCONTACT_DELIVERY,
        "backoff_seconds": 30,
        "max_backoff_seconds": 3600,
    }

    delays = [retry_delay(attempt, None) for attempt in range(1, 10)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_too_many_requests_honours_retry_after(webhook_message, webhook_receiver):
    webhook_receiver.script((429, {"Retry-After": "7"}, 0.0))
    before = timezone.now()

    assert deliver(webhook_message.pk) == "retry"

    wait = (reload(webhook_message).next_attempt_at - before).total_seconds()
    assert 7 <= wait < 8


def test_retry_after_as_http_date_is_honoured(webhook_message, webhook_receiver):
    when = timezone.now() + datetime.timedelta(seconds=20)
    http_date = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    webhook_receiver.script((429, {"Retry-After": http_date}, 0.0))

    deliver(webhook_message.pk)

    wait = (reload(webhook_message).next_attempt_at - timezone.now()).total_seconds()
    assert 15 < wait <= 21


def test_retry_after_is_capped(webhook_message, webhook_receiver, fast_retries):
    webhook_receiver.script((503, {"Retry-After": "86400"}, 0.0))

    deliver(webhook_message.pk)

    wait = (reload(webhook_message).next_attempt_at - timezone.now()).total_seconds()
    assert wait <= fast_retries["max_backoff_seconds"]


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_client_error_fails_without_retry(webhook_message, webhook_receiver, status):
    webhook_receiver.script(status)

    assert deliver(webhook_message.pk) == "failed"
    assert len(webhook_receiver.requests) == 1
    assert reload(webhook_message).status == MessageStatus.FAILED


def test_redirect_fails_without_following(webhook_message, webhook_receiver):
    webhook_receiver.script((302, {"Location": "http://127.0.0.1:9/"}, 0.0))

    assert deliver(webhook_message.pk) == "failed"
    assert "redirected" in reload(webhook_message).last_error


def test_timeout_is_retried(webhook_message, webhook_receiver, fast_retries):
    webhook_receiver.script((200, {}, fast_retries["timeout_seconds"] + 0.5))

    assert deliver(webhook_message.pk) == "retry"
    assert "timed out" in reload(webhook_message).last_error


def test_refused_connection_is_retried(webhook_message, webhook_receiver):
    webhook_receiver.stop()

    assert deliver(webhook_message.pk) == "retry"
    assert "Connection failed" in reload(webhook_message).last_error


def test_permanent_failure_ends_failed_after_max_attempts(
    webhook_message, webhook_receiver, fast_retries
):
    webhook_receiver.default = (500, {}, 0.0)

    outcomes = [deliver(webhook_message.pk)]
    while outcomes[-1] == "retry":
        outcomes.append(deliver_when_due(webhook_message))

    assert outcomes == ["retry"] * (fast_retries["max_attempts"] - 1) + ["failed"]
    assert DeliveryAttempt.objects.filter(message=webhook_message).count() == 4


def test_failed_delivery_is_visible_to_hub(webhook_message, webhook_receiver, scheme):
    webhook_receiver.script(400)

    deliver(webhook_message.pk)

    assert list(failed_deliveries(scheme)) == [webhook_message]


def test_failed_delivery_writes_audit_event(webhook_message, webhook_receiver):
    webhook_receiver.script(400)

    deliver(webhook_message.pk)

    event = AuditEvent.objects.get(action="delivery.failed")
    assert event.target_id == webhook_message.pk
    assert event.data["error"] == "The receiver rejected it (HTTP 400)."


def test_failed_delivery_emails_hub_agencies(webhook_message, webhook_receiver):
    webhook_receiver.script(400)

    deliver(webhook_message.pk)

    alerts = OutboxMessage.objects.filter(event="hub.delivery-failed")
    assert {a.payload["to"][0] for a in alerts} == {
        "customer-first@example.org",
        "victim-support@example.org",
        "nwl-cab@example.org",
    }


def test_failed_hub_alert_is_not_alerted_again(webhook_message, webhook_receiver):
    webhook_receiver.script(400)
    deliver(webhook_message.pk)
    alert = OutboxMessage.objects.filter(event="hub.delivery-failed").first()
    alert.payload = {**alert.payload, "to": []}
    alert.save()

    assert deliver(alert.pk) == "failed"
    assert OutboxMessage.objects.filter(event="hub.delivery-failed").count() == 3


def test_hub_can_retry_failed_delivery(
    webhook_message, webhook_receiver, hub_user, scheme
):
    webhook_receiver.script(400)
    deliver(webhook_message.pk)

    retry_delivery(webhook_message.pk, hub_user)

    assert deliver(webhook_message.pk) == "delivered"
    assert list(failed_deliveries(scheme)) == []


def test_only_hub_can_retry(webhook_message, webhook_receiver, agency_user):
    webhook_receiver.script(400)
    deliver(webhook_message.pk)

    with pytest.raises(PermissionDenied):
        retry_delivery(webhook_message.pk, agency_user)


def test_message_held_by_another_worker_is_skipped(webhook_message, webhook_receiver):
    OutboxMessage.objects.filter(pk=webhook_message.pk).update(
        locked_until=timezone.now() + datetime.timedelta(minutes=1)
    )

    assert deliver(webhook_message.pk) == "skipped"
    assert webhook_receiver.requests == []


def test_expired_lease_is_taken_over(webhook_message, webhook_receiver):
    OutboxMessage.objects.filter(pk=webhook_message.pk).update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1), attempts=1
    )

    assert deliver(webhook_message.pk) == "delivered"
    assert reload(webhook_message).attempts == 2


def test_delivered_message_is_not_sent_again(webhook_message, webhook_receiver):
    deliver(webhook_message.pk)

    assert deliver(webhook_message.pk) == "skipped"
    assert len(webhook_receiver.requests) == 1


def test_email_reaches_real_smtp_server(email_message, smtp_server, settings):
    settings.MAILERS = smtp_server.mailers_setting()

    assert deliver(email_message.pk) == "delivered"

    (received,) = smtp_server.messages
    assert received["to"] == ["pension-service@example.org"]
    assert received["message"]["Message-ID"] == f"<{email_message.pk}@firstcontact>"
    assert received["message"]["X-FirstContact-Message-Id"] == str(email_message.pk)


def test_email_body_has_no_personal_details(
    email_message, smtp_server, settings, forwarded_referral
):
    settings.MAILERS = smtp_server.mailers_setting()

    deliver(email_message.pk)

    text = smtp_server.messages[0]["message"].as_string()
    person = forwarded_referral.person
    for detail in (person.given_name, person.family_name, person.postcode):
        assert detail not in text


def test_smtp_temporary_failure_is_retried(email_message, smtp_server, settings):
    settings.MAILERS = smtp_server.mailers_setting()
    smtp_server.script("451 Try again later")

    assert deliver(email_message.pk) == "retry"
    assert deliver_when_due(email_message) == "delivered"


def test_smtp_permanent_failure_is_not_retried(email_message, smtp_server, settings):
    settings.MAILERS = smtp_server.mailers_setting()
    smtp_server.script("550 Mailbox unavailable")

    assert deliver(email_message.pk) == "failed"
    assert reload(email_message).last_error.startswith("The mail server replied 550")


def test_unreachable_smtp_server_is_retried(email_message, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }

    assert deliver(email_message.pk) == "retry"
