"""Checklists: one home visit's answers, as received from a partner worker."""

import uuid

from django.conf import settings
from django.db import models

from firstcontact.references import new_reference


def new_checklist_reference() -> str:
    return new_reference("FC")


class Checklist(models.Model):
    class Channel(models.TextChoices):
        WEB = "web"
        API = "api"
        BATCH = "batch"

    class HubStatus(models.TextChoices):
        NEW = "new", "New"
        REVIEWED = "reviewed", "Reviewed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        max_length=16, unique=True, default=new_checklist_reference, editable=False
    )
    scheme = models.ForeignKey(
        "directory.Scheme", on_delete=models.PROTECT, related_name="checklists"
    )
    checklist_version = models.ForeignKey(
        "directory.ChecklistVersion",
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="checklists_sent"
    )
    external_id = models.CharField(max_length=64)
    worker_name = models.CharField(max_length=200)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    source = models.CharField(max_length=8)
    visit_date = models.DateField()
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="checklists"
    )
    district = models.ForeignKey(
        "directory.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    answers = models.JSONField(default=dict)
    consent_share = models.BooleanField()
    consent_except = models.JSONField(default=list, blank=True)
    safeguarding_concern = models.TextField(blank=True)
    equality = models.JSONField(default=dict, blank=True)

    eligible = models.BooleanField()
    ineligibility_reasons = models.JSONField(default=list, blank=True)
    # Set when the hub overrides the eligibility decision.
    eligibility_override_reason = models.TextField(blank=True)
    # Services the answers asked for that were not referred, with the reason.
    not_referred = models.JSONField(default=list, blank=True)

    hub_status = models.CharField(
        max_length=16, choices=HubStatus.choices, default=HubStatus.NEW
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"], name="checklist_external_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["scheme", "hub_status"], name="checklist_hub_idx")
        ]

    def __str__(self):
        return self.reference
