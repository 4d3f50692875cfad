"""The outbox, its delivery attempts, agency channels and in-product notifications.

An `OutboxMessage` is written in the same transaction as the change it reports,
so a change that rolls back leaves no message, and a committed change always
has one. Messages carry no personal details: they name referrals by id and
reference, and the recipient signs in (or calls the API) to see the person.
"""

import uuid

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be delivered"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class OutboxMessage(models.Model):
    """One message to one recipient over one channel, delivered at least once.

    The primary key is the message id that receivers use to drop duplicates:
    the `X-FirstContact-Message-Id` webhook header and the email Message-ID.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(
        "directory.Scheme", on_delete=models.PROTECT, related_name="+"
    )
    # What happened, as a dotted name such as "referral.requested".
    event = models.CharField(max_length=64)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # The agency the message goes to, or null for a message to a user.
    agency = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbox_messages",
    )
    # Email: {"to": [...], "subject": ..., "body": ...}; webhook: the JSON body.
    payload = models.JSONField(default=dict)
    # Set for messages that must be written at most once, such as a digest for
    # one day; a second write with the same key is skipped.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    status = models.CharField(
        max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker sending the message holds it until this time.
    locked_until = models.DateTimeField(null=True, blank=True)
    # When a task to deliver the message was last queued.
    queued_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # Set when the hub has dealt with a failed message (re-routed or retried).
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["scheme", "status"], name="outbox_scheme_idx"),
        ]

    def __str__(self):
        return f"{self.event} by {self.channel} ({self.status})"

    @property
    def recipient_label(self) -> str:
        if self.agency_id:
            return self.agency.name
        if self.user_id:
            return self.user.username
        return ", ".join(self.payload.get("to", []))


class DeliveryAttempt(models.Model):
    """One try at sending a message, kept so the hub can see what went wrong."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered"
        RETRY = "retry"
        FAILED = "failed"

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["message", "number"]

    def __str__(self):
        return f"attempt {self.number}: {self.outcome}"


class AgencyChannels(models.Model):
    """How an agency hears of referrals, besides its inbox in the product.

    An agency without a row gets email at its address and no webhook. The
    webhook secret is stored encrypted (firstcontact.delivery.encryption),
    because signing needs the secret itself and so it cannot be hashed.
    """

    agency = models.OneToOneField(
        "directory.Agency", on_delete=models.CASCADE, related_name="channels"
    )
    email_enabled = models.BooleanField(default=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret_encrypted = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "agency channels"

    def __str__(self):
        return f"channels of {self.agency}"

    @property
    def has_webhook(self) -> bool:
        return bool(self.webhook_url and self.webhook_secret_encrypted)


class Notification(models.Model):
    """A message to one user inside the product, such as a referral's outcome."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(max_length=64)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_idx")]

    def __str__(self):
        return self.text


class IdempotencyRecord(models.Model):
    """The stored response to an API request sent with an Idempotency-Key."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and body, to spot a key reused for another
    # request.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Null while the first request with the key is still being processed.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="idempotency_key_unique"
            )
        ]

    def __str__(self):
        return self.key
