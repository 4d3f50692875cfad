"""Marks of people whose personal details have been erased."""

import uuid

from django.conf import settings
from django.db import models


class Erasure(models.Model):
    """The erasure of one person's details, on request or by the retention policy.

    Its existence is what makes pages, exports and the subject access export
    treat the person as erased; it holds no free text.
    """

    class Kind(models.TextChoices):
        REQUEST = "request", "At the person's request"
        RETENTION = "retention", "By the retention policy"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="erasure"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    erased_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"erasure of {self.person_id} ({self.kind})"
