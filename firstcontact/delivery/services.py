"""Queries the hub and users need, and the named delivery operations.

`overdue_referrals`, `failed_deliveries` and `order_by_attention` serve the hub
queue: overdue and failed work first.
"""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.db.models.fields import IntegerField
from django.utils import timezone

from firstcontact.accounts.models import Role
from firstcontact.audit.services import record_event
from firstcontact.delivery.encryption import encrypt_secret
from firstcontact.delivery.models import (
    AgencyChannels,
    MessageStatus,
    Notification,
    OutboxMessage,
)
from firstcontact.delivery.outbox import queue_delivery
from firstcontact.referrals.models import Referral, Status
from firstcontact.referrals.operations import OperationError, PermissionDenied

CHANNEL_MANAGERS = {Role.MANAGER, Role.ADMIN}
MIN_SECRET_LENGTH = 24


def overdue_referrals(scheme, now=None):
    """Referrals the agency has not accepted or declined by their due date."""
    now = now or timezone.now()
    return Referral.objects.filter(
        scheme=scheme, status=Status.REQUESTED, due_at__lte=now
    ).order_by("due_at")


def failed_deliveries(scheme):
    """Failed messages the hub has not yet dealt with, newest first."""
    return (
        OutboxMessage.objects.filter(
            scheme=scheme, status=MessageStatus.FAILED, resolved_at__isnull=True
        )
        .select_related("agency", "user", "referral", "referral__service")
        .order_by("-failed_at")
    )


def with_failed_delivery(referrals):
    """Filter referrals to those with a failed message the hub has not resolved."""
    failed = OutboxMessage.objects.filter(
        referral=OuterRef("pk"),
        status=MessageStatus.FAILED,
        resolved_at__isnull=True,
    )
    return referrals.filter(Exists(failed))


def order_by_attention(referrals, now=None):
    """Order a referral queryset with overdue and failed-delivery work first.

    Annotates `is_overdue` and `has_failed_delivery` (1 or 0) for the page to
    show why a referral is at the top.
    """
    now = now or timezone.now()
    failed = OutboxMessage.objects.filter(
        referral=OuterRef("pk"),
        status=MessageStatus.FAILED,
        resolved_at__isnull=True,
    )
    return referrals.annotate(
        is_overdue=Case(
            When(Q(status=Status.REQUESTED, due_at__lte=now), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        has_failed_delivery=Case(
            When(Exists(failed), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("-has_failed_delivery", "-is_overdue", *referrals.query.order_by)


def notifications_for(user):
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("referral")


def unread_notification_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


@transaction.atomic
def mark_notifications_read(user) -> int:
    return (
        notifications_for(user)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def retry_delivery(message_id, user, *, remote_addr=None) -> OutboxMessage:
    """Send a failed message again, with a fresh set of attempts (hub only)."""
    if not user.is_authenticated or user.role != Role.HUB:
        raise PermissionDenied("Only the hub can retry a delivery.")
    message = (
        OutboxMessage.objects.select_for_update()
        .filter(pk=message_id, scheme_id=user.scheme_id)
        .first()
    )
    if message is None:
        raise OperationError("That delivery does not exist.")
    if message.status != MessageStatus.FAILED:
        raise OperationError("Only a failed delivery can be retried.")
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.failed_at = None
    message.save()
    record_event(
        "delivery.retried",
        message,
        actor=user,
        remote_addr=remote_addr,
        data={"event": message.event, "channel": message.channel},
    )
    transaction.on_commit(lambda: queue_delivery([message.pk]), robust=True)
    return message


@transaction.atomic
def configure_channels(
    agency, user, *, webhook_url=None, webhook_secret=None, email_enabled=None
) -> tuple[AgencyChannels, str | None]:
    """Set an agency's webhook and email switch (scheme managers only).

    Returns the channels and, when a webhook URL is set without a secret, a
    newly generated secret: the only time it is shown.
    """
    if not user.is_authenticated or user.role not in CHANNEL_MANAGERS:
        raise PermissionDenied("Only a scheme manager can change delivery channels.")
    if agency.scheme_id != user.scheme_id and user.role != Role.ADMIN:
        raise PermissionDenied("That agency is not in your scheme.")
    channels, _ = AgencyChannels.objects.select_for_update().get_or_create(
        agency=agency
    )
    generated = None
    if email_enabled is not None:
        channels.email_enabled = email_enabled
    if webhook_url is not None:
        channels.webhook_url = _checked_webhook_url(webhook_url)
        if webhook_url and not webhook_secret and not channels.webhook_secret_encrypted:
            generated = webhook_secret = secrets.token_urlsafe(32)
        if not webhook_url:
            channels.webhook_secret_encrypted = ""
    if webhook_secret:
        if len(webhook_secret) < MIN_SECRET_LENGTH:
            raise OperationError(
                f"The webhook secret must be at least {MIN_SECRET_LENGTH} characters."
            )
        channels.webhook_secret_encrypted = encrypt_secret(webhook_secret)
    channels.save()
    record_event(
        "agency.channels_changed",
        agency,
        actor=user,
        data={
            "email_enabled": channels.email_enabled,
            "webhook_url": channels.webhook_url,
            "secret_changed": bool(webhook_secret),
        },
    )
    return channels, generated


def _checked_webhook_url(url: str) -> str:
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise OperationError(
            f"{url!r} is not a valid webhook URL; use https://host/path."
        ) from None
    return url
