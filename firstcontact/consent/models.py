"""Consent to share a person's details, per receiving agency, append-only.

A person's consent about one agency is the latest record that names that
agency or names no agency ("every agency"). Within one statement, a record
naming the agency wins over the all-agencies record made with it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Decision(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"


class Source(models.TextChoices):
    CHECKLIST = "checklist", "A checklist from a home visit"
    HUB = "hub", "Told to the hub"


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset whose rows cannot be deleted or changed in bulk.

    Erasure blanks free text through `redact_text`, the one write
    allowed after a row is made.
    """

    def delete(self):
        raise ValueError(f"{self.model.__name__} rows cannot be deleted.")

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} rows cannot be changed.")

    def redact_text(self, **fields) -> int:
        return super().update(**fields)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows cannot be deleted.")


class ConsentRecord(AppendOnlyModel):
    """One statement of a person's consent about one agency or every agency."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(
        "directory.Scheme", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="consent_records"
    )
    # Null: the record is about every agency of the scheme.
    agency = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    source_checklist = models.ForeignKey(
        "checklists.Checklist",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consent_records",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The exact words shown or read out, and their version (consent.wording).
    wording_version = models.PositiveSmallIntegerField()
    wording = models.TextField()
    # How the person told the hub, for records the hub makes.
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at"]
        indexes = [
            models.Index(
                fields=["person", "agency", "recorded_at"], name="consent_latest_idx"
            ),
            models.Index(
                fields=["scheme", "decision", "recorded_at"], name="consent_recent_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} ({self.recorded_at:%Y-%m-%d})"


class ConsentOverride(AppendOnlyModel):
    """The hub sending a referral to an agency without the person's consent.

    The reason is kept here, not in the audit trail, because it is free text
    that may name the person. The audit event points at this row.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(
        "directory.Scheme", on_delete=models.PROTECT, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="consent_overrides"
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at"]

    def __str__(self):
        return f"consent override for {self.referral_id}"
