"""Create users and API tokens."""

from django.db import transaction

from firstcontact.accounts.models import AGENCY_ROLES, ApiToken, Role, User
from firstcontact.directory.models import Agency


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


def create_token(user) -> str:
    """Issue a new API token for the user and return its secret."""
    if not user.is_active:
        raise AccountError(f"user {user.username!r} is deactivated.")
    _, secret = ApiToken.issue(user)
    return secret


def user_for_token(secret: str):
    """Return the active user a bearer token belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user
