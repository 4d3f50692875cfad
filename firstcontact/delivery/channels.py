"""Send one message by email or signed webhook, and classify what happened.

Retried: network errors, timeouts, HTTP 5xx and 429 (after Retry-After when
the receiver sends it), SMTP 4xx replies. Not retried: other HTTP 4xx, any
redirect (the configured URL must be the final one), SMTP 5xx replies.
"""

import email.utils
import hashlib
import hmac
import http.client
import json
import logging
import re
import smtplib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from firstcontact.delivery.conf import delivery_settings
from firstcontact.delivery.encryption import SecretUnreadable, decrypt_secret
from firstcontact.delivery.models import AgencyChannels, Channel, OutboxMessage

logger = logging.getLogger(__name__)

MESSAGE_ID_HEADER = "X-FirstContact-Message-Id"
TIMESTAMP_HEADER = "X-FirstContact-Timestamp"
SIGNATURE_HEADER = "X-FirstContact-Signature"
EVENT_HEADER = "X-FirstContact-Event"
EMAIL_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")
MAX_ERROR_LENGTH = 300


@dataclass(frozen=True)
class SendResult:
    outcome: str  # "delivered", "retry" or "failed"
    status_code: int | None = None
    error: str = ""
    # Seconds the receiver asked us to wait (HTTP Retry-After).
    retry_after: float | None = None


def send(message: OutboxMessage) -> SendResult:
    if message.channel == Channel.EMAIL:
        return send_email(message)
    return send_webhook(message)


def clean_error(text: str) -> str:
    """Shorten an error for storage, with email addresses removed."""
    return EMAIL_ADDRESS.sub("[address]", text)[:MAX_ERROR_LENGTH]


def email_message_id(message: OutboxMessage) -> str:
    return f"<{message.pk}@firstcontact>"


def send_email(message: OutboxMessage) -> SendResult:
    payload = message.payload
    if not payload.get("to"):
        return SendResult("failed", error="The message has no recipient address.")
    email_message = EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=payload["to"],
        headers={
            "Message-ID": email_message_id(message),
            MESSAGE_ID_HEADER: str(message.pk),
            EVENT_HEADER: message.event,
        },
    )
    try:
        email_message.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _ in error.recipients.values()})
        outcome = "failed" if all(code >= 500 for code in codes) else "retry"
        return SendResult(
            outcome,
            status_code=codes[0] if codes else None,
            error=f"The mail server refused the recipient ({codes}).",
        )
    except smtplib.SMTPResponseException as error:
        reply = error.smtp_error
        if isinstance(reply, bytes):
            reply = reply.decode("utf-8", "replace")
        return SendResult(
            "failed" if error.smtp_code >= 500 else "retry",
            status_code=error.smtp_code,
            error=clean_error(f"The mail server replied {error.smtp_code}: {reply}"),
        )
    except (smtplib.SMTPException, OSError) as error:
        return SendResult("retry", error=clean_error(f"Sending mail failed: {error!r}"))
    return SendResult("delivered")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature header value: HMAC-SHA256 over "TIMESTAMP." + body."""
    signed = timestamp.encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def send_webhook(message: OutboxMessage) -> SendResult:
    channels = AgencyChannels.objects.filter(agency_id=message.agency_id).first()
    if channels is None or not channels.has_webhook:
        return SendResult("failed", error="The agency no longer has a webhook.")
    try:
        secret = decrypt_secret(channels.webhook_secret_encrypted)
    except SecretUnreadable as error:
        return SendResult("failed", error=str(error))
    body = json.dumps(message.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        channels.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "FirstContact-Webhook/1",
            MESSAGE_ID_HEADER: str(message.pk),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
            EVENT_HEADER: message.event,
        },
    )
    timeout = delivery_settings().timeout_seconds
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(65536)
            return SendResult("delivered", status_code=response.status)
    except urllib.error.HTTPError as error:
        with error:
            return _result_for_status(error.code, error.headers)
    except TimeoutError:
        return SendResult("retry", error=f"The request timed out after {timeout} s.")
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return SendResult("retry", error=f"Connecting timed out after {timeout} s.")
        return SendResult(
            "retry", error=clean_error(f"Connection failed: {error.reason}")
        )
    except (http.client.HTTPException, OSError) as error:
        return SendResult("retry", error=clean_error(f"Connection failed: {error!r}"))


def _result_for_status(status: int, headers) -> SendResult:
    if status == 429 or status >= 500:
        return SendResult(
            "retry",
            status_code=status,
            error=f"The receiver answered HTTP {status}.",
            retry_after=parse_retry_after(headers.get("Retry-After")),
        )
    if 300 <= status < 400:
        return SendResult(
            "failed",
            status_code=status,
            error=f"The receiver redirected (HTTP {status}); set the final URL.",
        )
    return SendResult(
        "failed", status_code=status, error=f"The receiver rejected it (HTTP {status})."
    )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())
