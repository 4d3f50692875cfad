"""Middleware for signed-in users: timeouts, two-factor checks and headers."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from firstcontact.accounts.lockout import client_address
from firstcontact.accounts.two_factor import has_authenticator, two_factor_required
from firstcontact.audit.services import record_event

# Session keys holding Unix times, for the absolute and idle timeouts.
SIGNED_IN_AT = "firstcontact_signed_in_at"
LAST_SEEN_AT = "firstcontact_last_seen_at"
# The idle clock is written at most this often, which saves a session write on
# most requests. The idle timeout is exact to this many seconds.
LAST_SEEN_RESOLUTION = 60

# Pages a signed-in user reaches before passing two-factor authentication.
TWO_FACTOR_EXEMPT_VIEWS = {
    "accounts:login",
    "accounts:logout",
    "accounts:two-factor-setup",
    "accounts:two-factor-verify",
}


def _is_api(request) -> bool:
    """Tell whether the request is for the API, which uses bearer tokens."""
    return request.path_info.startswith("/api/")


def _sign_in_url(next_path: str, view="accounts:login") -> str:
    return f"{reverse(view)}?{urlencode({'next': next_path})}"


class NoStoreMiddleware:
    """Keep pages for signed-in users and API answers out of every cache.

    Such pages may show personal details, which must not linger in a shared
    computer's browser cache or in a proxy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if _is_api(request) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private, max-age=0"
        return response


class SecurityHeadersMiddleware:
    """Add the security headers that Django's own middleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", settings.FIRSTCONTACT_PERMISSIONS_POLICY
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def start_session_clock(session) -> None:
    now = time.time()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now


def session_expiry_reason(session, now: float) -> str | None:
    """Return "absolute" or "idle" if the session has timed out, else None."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        return None
    if now - signed_in_at > settings.FIRSTCONTACT_SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - last_seen_at > settings.FIRSTCONTACT_SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def _expiry_message(reason: str, lost_post: bool) -> str:
    if reason == "absolute":
        hours = settings.FIRSTCONTACT_SESSION_ABSOLUTE_TIMEOUT // 3600
        message = f"You were signed out after being signed in for {hours} hours."
    else:
        minutes = settings.FIRSTCONTACT_SESSION_IDLE_TIMEOUT // 60
        message = (
            f"You were signed out because there was no activity for {minutes} minutes."
        )
    if lost_post:
        message += " What you last sent was not saved: sign in and enter it again."
    return message


class SessionTimeoutMiddleware:
    """Sign users out after an idle timeout and an absolute timeout.

    Settings: FIRSTCONTACT_SESSION_IDLE_TIMEOUT and
    FIRSTCONTACT_SESSION_ABSOLUTE_TIMEOUT, in seconds.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _is_api(request) or not request.user.is_authenticated:
            return None
        session = request.session
        now = time.time()
        if SIGNED_IN_AT not in session or LAST_SEEN_AT not in session:
            start_session_clock(session)
            return None
        reason = session_expiry_reason(session, now)
        if reason is not None:
            return self._sign_out(request, reason)
        if now - session[LAST_SEEN_AT] >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN_AT] = now
        return None

    def _sign_out(self, request, reason):
        user = request.user
        lost_post = request.method == "POST"
        next_path = request.get_full_path() if not lost_post else request.path
        logout(request)
        record_event(
            "user.session_expired",
            user,
            actor=user,
            remote_addr=client_address(request),
            data={"reason": reason},
        )
        messages.warning(request, _expiry_message(reason, lost_post))
        return redirect(_sign_in_url(next_path))


class TwoFactorRequiredMiddleware:
    """Send a signed-in user who has not passed two-factor authentication to it.

    Until they pass, every page but sign-in, sign-out, and two-factor setup and
    verification redirects there. The API is exempt: it takes bearer tokens,
    not sessions. Needs django_otp's OTPMiddleware before it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if _is_api(request) or (match and match.view_name in TWO_FACTOR_EXEMPT_VIEWS):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if not two_factor_required(user):
            return None
        step = (
            "accounts:two-factor-verify"
            if has_authenticator(user)
            else "accounts:two-factor-setup"
        )
        return redirect(_sign_in_url(request.get_full_path(), step))
