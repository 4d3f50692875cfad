"""Referrals: one need, sent to the agency that serves it in the person's district."""

import uuid

from django.db import models

from firstcontact.references import new_reference


def new_referral_reference() -> str:
    return new_reference("RF")


class Status(models.TextChoices):
    """FHIR R4 Task status codes.

    A new referral waits for the hub as "draft"; forwarding it makes it
    "requested", and from then on the receiving agency sees it.
    """

    DRAFT = "draft", "Awaiting the hub"
    REQUESTED = "requested", "Sent to agency"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Declined"
    IN_PROGRESS = "in-progress", "In progress"
    ON_HOLD = "on-hold", "On hold"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


# A person has at most one referral in these statuses for each service.
OPEN_STATUSES = {
    Status.DRAFT,
    Status.REQUESTED,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.ON_HOLD,
    Status.REJECTED,
}
# Statuses in which the receiving agency sees the referral.
AGENCY_VISIBLE_STATUSES = {
    Status.REQUESTED,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.REJECTED,
}


class Priority(models.TextChoices):
    ROUTINE = "routine"
    URGENT = "urgent"


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not-eligible", "The person is not eligible for this service"
    OUT_OF_AREA = "out-of-area", "We do not serve the person's area"
    NO_CAPACITY = "no-capacity", "We have no capacity at present"
    ALREADY_SUPPORTED = "already-supported", "We already support this person"
    WRONG_SERVICE = "wrong-service", "Another service would meet this need better"


class Outcome(models.TextChoices):
    HELPED = "helped", "The person was helped"
    ADVICE_GIVEN = "advice-given", "Advice or information was given"
    DECLINED_BY_PERSON = "declined-by-person", "The person declined the service"
    NO_CONTACT = "no-contact", "We could not contact the person"
    NOT_NEEDED = "not-needed", "The service was not needed after all"


class HoldReason(models.TextChoices):
    NO_CONSENT = "no_consent", "The person did not consent to this agency"
    AWAITING_INFORMATION = "awaiting-information", "Waiting for more information"
    PERSON_UNAVAILABLE = "person-unavailable", "The person is unavailable for now"


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        max_length=16, unique=True, default=new_referral_reference, editable=False
    )
    scheme = models.ForeignKey(
        "directory.Scheme", on_delete=models.PROTECT, related_name="referrals"
    )
    checklist = models.ForeignKey(
        "checklists.Checklist", on_delete=models.PROTECT, related_name="referrals"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="referrals"
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="referrals"
    )
    district = models.ForeignKey(
        "directory.District", on_delete=models.PROTECT, related_name="referrals"
    )
    priority = models.CharField(max_length=8, choices=Priority.choices)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.CharField(max_length=32, blank=True)
    status_note = models.TextField(blank=True)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    # The answers and the rule that caused the referral:
    # [{"question": "fire-risk", "answer": "yes", "rule": "..."}].
    reasons = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    # When the agency should have responded: the service's response time in
    # working days after forwarding (firstcontact.delivery.workdays).
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Raised on every change, so an edit made from a stale page is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["person", "service", "status"], name="referral_open_idx"
            ),
            models.Index(fields=["agency", "status"], name="referral_agency_idx"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
