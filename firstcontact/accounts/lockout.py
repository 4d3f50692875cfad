"""Lock out repeated failed sign-ins, counting attempts in the database.

The database makes the counts the same for every web server process. A
username is locked after FIRSTCONTACT_LOCKOUT_ATTEMPTS failed passwords or
two-factor codes within FIRSTCONTACT_LOCKOUT_WINDOW seconds, until a completed
sign-in. A client address is locked after FIRSTCONTACT_LOCKOUT_ADDRESS_ATTEMPTS
failures within the window, whatever the usernames, and after
FIRSTCONTACT_API_FAILURE_LIMIT failed API tokens.

NOTE: Attempts racing in parallel are counted after the fact, so a burst of
simultaneous requests can try a few more than the limit.
"""

import datetime
import ipaddress

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from firstcontact.accounts.models import AttemptKind, SignInAttempt

SIGN_IN_KINDS = [AttemptKind.PASSWORD, AttemptKind.TWO_FACTOR]
# Attempts older than this are deleted; the audit trail keeps the history.
KEEP_ATTEMPTS_FOR = datetime.timedelta(days=1)


def client_address(request) -> str | None:
    """Return the client's IP address, behind FIRSTCONTACT_TRUSTED_PROXIES proxies.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the entry that many places from the end.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.FIRSTCONTACT_TRUSTED_PROXIES
    if proxies:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")
        forwarded = [entry.strip() for entry in forwarded if entry.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def username_digest(username: str) -> str:
    return salted_hmac(
        "firstcontact.accounts.lockout", username.casefold(), algorithm="sha256"
    ).hexdigest()


def _window() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.FIRSTCONTACT_LOCKOUT_WINDOW)


def _locked_until(failures, limit: int) -> datetime.datetime | None:
    """Return when the failures drop below the limit, or None if they are below."""
    recent = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(recent) < limit:
        return None
    return recent[-1] + _window()


def _last_sign_in(digest: str):
    return (
        SignInAttempt.objects.filter(
            username_digest=digest, kind__in=SIGN_IN_KINDS, succeeded=True
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def username_locked_until(username: str) -> datetime.datetime | None:
    digest = username_digest(username)
    since = timezone.now() - _window()
    last_sign_in = _last_sign_in(digest)
    if last_sign_in and last_sign_in > since:
        since = last_sign_in
    failures = SignInAttempt.objects.filter(
        username_digest=digest, kind__in=SIGN_IN_KINDS, succeeded=False, at__gt=since
    )
    return _locked_until(failures, settings.FIRSTCONTACT_LOCKOUT_ATTEMPTS)


def address_locked_until(address, kinds, limit: int) -> datetime.datetime | None:
    if address is None:
        return None
    failures = SignInAttempt.objects.filter(
        remote_addr=address,
        kind__in=kinds,
        succeeded=False,
        at__gt=timezone.now() - _window(),
    )
    return _locked_until(failures, limit)


def sign_in_locked_until(username: str, address) -> datetime.datetime | None:
    """Return when a web sign-in for the username from the address may try again.

    None means it may try now.
    """
    times = [
        username_locked_until(username) if username else None,
        address_locked_until(
            address, SIGN_IN_KINDS, settings.FIRSTCONTACT_LOCKOUT_ADDRESS_ATTEMPTS
        ),
    ]
    times = [moment for moment in times if moment is not None]
    return max(times) if times else None


def api_locked_until(address) -> datetime.datetime | None:
    return address_locked_until(
        address, [AttemptKind.API_TOKEN], settings.FIRSTCONTACT_API_FAILURE_LIMIT
    )


def record_attempt(kind, *, succeeded: bool, username: str = "", address=None):
    """Store one attempt; a failure also deletes attempts older than a day."""
    attempt = SignInAttempt.objects.create(
        kind=kind,
        username_digest=username_digest(username) if username else "",
        remote_addr=address,
        succeeded=succeeded,
    )
    if not succeeded:
        SignInAttempt.objects.filter(at__lt=timezone.now() - KEEP_ATTEMPTS_FOR).delete()
    return attempt


def retry_after_seconds(until: datetime.datetime) -> int:
    return max(1, int((until - timezone.now()).total_seconds()) + 1)


def describe_wait(until: datetime.datetime) -> str:
    """Return the message that gives a locked-out person the time to try again."""
    local = timezone.localtime(until)
    return (
        "There have been too many failed attempts to sign in. "
        f"Try again after {local:%H:%M} (UK time), in about "
        f"{_minutes_from_now(until)}. If you have forgotten your password, ask "
        "the First Contact hub or your scheme manager."
    )


def _minutes_from_now(until: datetime.datetime) -> str:
    minutes = max(1, -(-retry_after_seconds(until) // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
