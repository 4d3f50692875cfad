"""Deliver one outbox message: claim it, send it, record the attempt.

A worker claims a message by setting `locked_until` in one conditional UPDATE,
so two workers never send the same message at once. A worker killed while it
holds a message leaves the lease to expire; the sweeper then queues the message
again, and it is sent again. Delivery is therefore at least once: receivers
drop duplicates by message id.
"""

import datetime
import logging
import time

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from firstcontact.audit.services import record_event
from firstcontact.delivery.channels import SendResult, send
from firstcontact.delivery.conf import delivery_settings
from firstcontact.delivery.models import DeliveryAttempt, MessageStatus, OutboxMessage
from firstcontact.delivery.outbox import queue_delivery

logger = logging.getLogger(__name__)


def deliver(message_id) -> str:
    """Make one delivery attempt; return "delivered", "retry", "failed" or "skipped"."""
    message = claim(message_id)
    if message is None:
        return "skipped"
    started = time.monotonic()
    try:
        result = send(message)
    except Exception as error:
        logger.exception("Delivery of message %s raised an error", message.pk)
        result = SendResult("retry", error=f"Unexpected error: {type(error).__name__}")
    duration_ms = int((time.monotonic() - started) * 1000)
    return record_result(message, result, duration_ms)


def claim(message_id) -> OutboxMessage | None:
    """Take the lease on a message that is due; None if it is not due or taken."""
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=delivery_settings().lease_seconds)
    claimed = (
        OutboxMessage.objects.filter(
            pk=message_id, status=MessageStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(locked_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return OutboxMessage.objects.select_related("agency", "referral").get(pk=message_id)


def retry_delay(attempts: int, retry_after: float | None) -> float:
    """Seconds before the next attempt: Retry-After if given, else doubling."""
    config = delivery_settings()
    if retry_after is not None:
        delay = retry_after
    else:
        delay = config.backoff_seconds * 2 ** max(0, attempts - 1)
    return min(delay, config.max_backoff_seconds)


@transaction.atomic
def record_result(message: OutboxMessage, result: SendResult, duration_ms=0) -> str:
    now = timezone.now()
    config = delivery_settings()
    outcome = result.outcome
    if outcome == "retry" and message.attempts >= config.max_attempts:
        outcome = "failed"
    changes = {"locked_until": None, "last_error": result.error}
    if outcome == "delivered":
        changes.update(status=MessageStatus.DELIVERED, delivered_at=now)
    elif outcome == "failed":
        changes.update(status=MessageStatus.FAILED, failed_at=now)
    else:
        delay = retry_delay(message.attempts, result.retry_after)
        next_attempt_at = now + datetime.timedelta(seconds=delay)
        changes.update(next_attempt_at=next_attempt_at, queued_at=now)
    # Only the worker that still holds the lease records the attempt; one whose
    # lease ran out and was taken over leaves the record to the new holder.
    updated = OutboxMessage.objects.filter(
        pk=message.pk, locked_until=message.locked_until
    ).update(**changes)
    if not updated:
        logger.warning(
            "Message %s: lease lost during attempt %d; result %s not recorded",
            message.pk,
            message.attempts,
            outcome,
        )
        return "skipped"
    DeliveryAttempt.objects.create(
        message=message,
        number=message.attempts,
        outcome=outcome,
        status_code=result.status_code,
        error=result.error,
        duration_ms=duration_ms,
    )
    _log_result(message, outcome, result)
    if outcome == "retry":
        transaction.on_commit(
            lambda: queue_delivery([message.pk], run_after=next_attempt_at),
            robust=True,
        )
    elif outcome == "failed":
        for name, value in changes.items():
            setattr(message, name, value)
        alert_hub_of_failure(message)
    return outcome


def _log_result(message, outcome, result) -> None:
    if outcome == "delivered":
        logger.info(
            "Message %s (%s by %s) delivered on attempt %d",
            message.pk,
            message.event,
            message.channel,
            message.attempts,
        )
    elif outcome == "retry":
        logger.warning(
            "Message %s (%s by %s) attempt %d failed, will retry: %s",
            message.pk,
            message.event,
            message.channel,
            message.attempts,
            result.error,
        )
    else:
        logger.error(
            "Message %s (%s by %s) failed after %d attempts: %s",
            message.pk,
            message.event,
            message.channel,
            message.attempts,
            result.error,
        )


def alert_hub_of_failure(message: OutboxMessage) -> None:
    """Write an audit event and email the hub agencies about a failed message."""
    from firstcontact.delivery.events import notify_hub_of_failed_delivery

    referral = message.referral
    record_event(
        "delivery.failed",
        message,
        person_id=referral.person_id if referral else None,
        data={
            "event": message.event,
            "channel": message.channel,
            "agency": message.agency.code if message.agency_id else None,
            "referral": str(referral.pk) if referral else None,
            "attempts": message.attempts,
            "error": message.last_error,
        },
    )
    # A failed alert is not alerted again, which would loop.
    if not message.event.startswith("hub."):
        notify_hub_of_failed_delivery(message)
