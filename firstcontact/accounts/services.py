"""Create, deactivate and look up users and their API tokens."""

from django.db import transaction
from django.utils import timezone

from firstcontact.accounts.models import (
    AGENCY_ROLES,
    ROLE_SCOPES,
    ApiToken,
    Role,
    Scope,
    User,
    UserSession,
)
from firstcontact.audit.services import record_event
from firstcontact.directory.models import Agency

# How often a token's last use is written: a busy client would otherwise
# update the row on every request.
LAST_USED_RESOLUTION_SECONDS = 60


class AccountError(ValueError):
    pass


@transaction.atomic
def create_user(username, *, role, scheme, agency_code=None, password=None, email=""):
    """Create a user with a role; referrers and agency users need an agency."""
    if role not in Role.values:
        raise AccountError(
            f"role {role!r} is not known; use one of: {', '.join(Role.values)}."
        )
    if User.objects.filter(username=username).exists():
        raise AccountError(f"user {username!r} already exists.")
    agency = None
    if agency_code:
        agency = Agency.objects.filter(scheme=scheme, code=agency_code).first()
        if agency is None:
            raise AccountError(
                f"agency {agency_code!r} is not an agency of {scheme.code}."
            )
    elif role in AGENCY_ROLES:
        raise AccountError(f"a {role} user needs --agency CODE.")
    user = User(
        username=username,
        role=role,
        scheme=scheme,
        agency=agency,
        email=email,
        is_staff=role == Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def scopes_for_role(role) -> set[str]:
    return {str(scope) for scope in ROLE_SCOPES.get(role, set())}


def check_scopes(user, scopes) -> set[str]:
    """Return the scopes if each is known and allowed for the user's role."""
    allowed = scopes_for_role(user.role)
    for scope in scopes:
        if scope not in Scope.values:
            raise AccountError(
                f"scope {scope!r} is not known; use one of: {', '.join(Scope.values)}."
            )
        if scope not in allowed:
            raise AccountError(
                f"scope {scope} is not allowed for a {user.role} user; "
                f"allowed: {', '.join(sorted(allowed)) or 'none'}."
            )
    return set(scopes)


def create_token(user, scopes=None, *, actor=None) -> str:
    """Issue a new API token for the user and return its secret.

    Without `scopes` the token gets every scope the user's role allows.
    """
    if not user.is_active:
        raise AccountError(f"user {user.username!r} is deactivated.")
    if scopes is None:
        scopes = scopes_for_role(user.role)
    if not scopes:
        raise AccountError(
            f"a {user.role} user has no API access, so no token was created."
        )
    token, secret = ApiToken.issue(user, check_scopes(user, scopes))
    record_event("token.created", token, actor=actor, data={"scopes": token.scopes})
    return secret


def token_for_secret(secret: str):
    """Return the unrevoked token of an active user for a bearer secret, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def user_for_token(secret: str):
    """Return the active user a bearer token belongs to, or None."""
    token = token_for_secret(secret)
    return token.user if token else None


def note_token_used(token) -> None:
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def end_sessions(user) -> int:
    """Delete every web session of the user; return how many there were."""
    deleted, _ = UserSession.objects.filter(user=user).delete()
    return deleted


def revoke_tokens(user) -> int:
    """Revoke every API token of the user; return how many were live."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def deactivate_user(user, *, actor=None, remote_addr=None) -> User:
    """Stop the user signing in, end their sessions and revoke their tokens."""
    if actor is not None and actor.pk == user.pk:
        raise AccountError("You cannot deactivate your own account.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise AccountError(f"user {user.username!r} is already deactivated.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions = end_sessions(user)
    tokens = revoke_tokens(user)
    record_event(
        "user.deactivated",
        user,
        actor=actor,
        remote_addr=remote_addr,
        data={"sessions_ended": sessions, "tokens_revoked": tokens},
    )
    return user
