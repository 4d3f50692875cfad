"""Delivery settings: retries, leases and schedules, read from the environment.

settings.FIRSTCONTACT_DELIVERY contains them, and tests override single keys with
`override_settings`. Times are in seconds unless the name says otherwise.
"""

import os
from dataclasses import dataclass, fields

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class DeliverySettings:
    # Attempts per message, the first included; then the message fails.
    max_attempts: int = 10
    # Wait before the second attempt; it doubles for each attempt after that.
    backoff_seconds: float = 30.0
    # Maximum wait between two attempts, Retry-After included.
    max_backoff_seconds: float = 3600.0
    # Connect and read timeout of one webhook request (SMTP uses EMAIL_TIMEOUT).
    timeout_seconds: float = 10.0
    # Lease a worker takes on a message it is sending. After it expires
    # another worker may take the message over, as when the first was killed.
    lease_seconds: float = 120.0
    # A message due this long ago with no worker on it is queued again.
    stuck_seconds: float = 300.0
    # How often a worker sweeps the outbox and checks for overdue referrals.
    housekeeping_seconds: float = 60.0
    # Local hour (Europe/London) from which the daily digests go out.
    digest_hour: int = 7
    # Working days after the due date before an overdue referral goes to the hub.
    escalate_after_working_days: int = 2


ENVIRONMENT_NAMES = {
    "max_attempts": "DELIVERY_MAX_ATTEMPTS",
    "backoff_seconds": "DELIVERY_BACKOFF_SECONDS",
    "max_backoff_seconds": "DELIVERY_MAX_BACKOFF_SECONDS",
    "timeout_seconds": "DELIVERY_TIMEOUT_SECONDS",
    "lease_seconds": "DELIVERY_LEASE_SECONDS",
    "stuck_seconds": "DELIVERY_STUCK_SECONDS",
    "housekeeping_seconds": "DELIVERY_HOUSEKEEPING_SECONDS",
    "digest_hour": "DELIVERY_DIGEST_HOUR",
    "escalate_after_working_days": "DELIVERY_ESCALATE_AFTER_DAYS",
}


def read_delivery_settings() -> dict:
    """Read each DELIVERY_* environment variable, falling back to the default."""
    values = {}
    for field in fields(DeliverySettings):
        name = ENVIRONMENT_NAMES[field.name]
        raw = os.environ.get(name, "").strip()
        if not raw:
            values[field.name] = field.default
            continue
        try:
            value = field.type(raw)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}={raw!r} is not a number; see firstcontact/delivery/conf.py."
            ) from None
        if value < 0:
            raise ImproperlyConfigured(f"{name}={raw!r} must not be negative.")
        values[field.name] = value
    return values


def delivery_settings() -> DeliverySettings:
    from django.conf import settings

    return DeliverySettings(**getattr(settings, "FIRSTCONTACT_DELIVERY", {}))
