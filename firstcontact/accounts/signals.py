"""Start the session clocks and audit each accepted password."""

from django.contrib.auth.signals import user_logged_in

from firstcontact.accounts.lockout import client_address
from firstcontact.accounts.middleware import start_session_clock
from firstcontact.audit.services import record_event


def on_password_accepted(sender, request, user, **kwargs):
    start_session_clock(request.session)
    record_event(
        "user.password_verified",
        user,
        actor=user,
        remote_addr=client_address(request),
    )


def connect() -> None:
    user_logged_in.connect(on_password_accepted, dispatch_uid="firstcontact-sign-in")
