"""Users, their role and agency, API tokens, sign-in attempts and sessions."""

import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    HUB = "hub", "Hub coordinator"
    AGENCY = "agency", "Agency user"
    MANAGER = "manager", "Scheme manager"
    EXECUTIVE = "executive", "Executive"
    ADMIN = "admin", "Administrator"


# Roles whose users belong to one agency and act for it.
AGENCY_ROLES = {Role.REFERRER, Role.AGENCY}

# Executives see aggregate figures only, so two-factor authentication is their
# choice; every other role sees personal records and must use it.
TWO_FACTOR_OPTIONAL_ROLES = {Role.EXECUTIVE}


class Scope(models.TextChoices):
    """What an API token may do; each API endpoint needs one scope."""

    CHECKLISTS_WRITE = "checklists:write", "Submit checklists"
    REFERRALS_READ = "referrals:read", "Read referrals"
    REFERRALS_WRITE = "referrals:write", "Act on referrals"


# The scopes each role's work needs; a token never gets more than its role's.
ROLE_SCOPES = {
    Role.REFERRER: {Scope.CHECKLISTS_WRITE, Scope.REFERRALS_READ},
    Role.HUB: {Scope.CHECKLISTS_WRITE, Scope.REFERRALS_READ, Scope.REFERRALS_WRITE},
    Role.AGENCY: {Scope.REFERRALS_READ, Scope.REFERRALS_WRITE},
    Role.MANAGER: {Scope.REFERRALS_READ},
    Role.EXECUTIVE: set(),
    Role.ADMIN: {Scope.REFERRALS_READ},
}


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=16, choices=Role.choices)
    scheme = models.ForeignKey(
        "directory.Scheme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    agency = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    def __str__(self):
        return self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 digest of the token is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    # Scope values, such as ["referrals:read"].
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, scopes) -> tuple["ApiToken", str]:
        """Create a token for the user; return the record and the secret once."""
        secret = "fc_" + secrets.token_urlsafe(32)
        record = cls.objects.create(
            user=user,
            prefix=secret[3:11],
            digest=cls.digest_of(secret),
            scopes=sorted(scopes),
        )
        return record, secret

    def allows(self, scope: str) -> bool:
        """Tell whether the token has the scope and its user's role still allows it."""
        return scope in self.scopes and scope in ROLE_SCOPES.get(self.user.role, ())


class AttemptKind(models.TextChoices):
    PASSWORD = "password", "Password"
    TWO_FACTOR = "two-factor", "Two-factor code"
    API_TOKEN = "api-token", "API token"


class SignInAttempt(models.Model):
    """One try at a password, a two-factor code or an API token, for lockouts.

    The username is stored as a keyed digest, because people sometimes type
    their password into the username box.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=16, choices=AttemptKind.choices)
    username_digest = models.CharField(max_length=64, blank=True, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["at"]

    def __str__(self):
        outcome = "succeeded" if self.succeeded else "failed"
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {outcome}"


class UserSession(AbstractBaseSession):
    """A web session with the user it belongs to, so it can be ended at once.

    Django's database session engine stores only the session's encoded data;
    the user column lets deactivation delete every session of a user.
    """

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    @classmethod
    def get_session_store_class(cls):
        from firstcontact.accounts.sessions import SessionStore

        return SessionStore
