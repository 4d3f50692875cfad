"""Users, their role and agency, and API tokens."""

import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractUser
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
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        """Create a token for the user; return the record and the secret once."""
        secret = "fc_" + secrets.token_urlsafe(32)
        record = cls.objects.create(
            user=user, prefix=secret[3:11], digest=cls.digest_of(secret)
        )
        return record, secret
