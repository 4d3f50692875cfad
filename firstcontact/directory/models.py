"""The scheme as data: districts, agencies, services and checklist versions.

A scheme manager edits these records; checklists keep the version they were
answered on, so old checklists keep their meaning when the questions change.
"""

import uuid

from django.db import models


class Scheme(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    lead_agency = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    minimum_age = models.PositiveSmallIntegerField(default=60)
    # "march-1" or "february-28": the birthday of someone born on 29 February
    # in a common year.
    leap_day_birthday = models.CharField(max_length=16, default="march-1")
    accept_self_referrals = models.BooleanField(default=False)

    def __str__(self):
        return self.name


class District(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="districts"
    )
    code = models.SlugField(max_length=64)
    ons_code = models.CharField(max_length=9)
    name = models.CharField(max_length=200)
    pilot_from = models.DateField(null=True, blank=True)
    live_from = models.DateField(null=True, blank=True)
    council = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="council_of",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="district_code_unique"
            ),
            models.UniqueConstraint(
                fields=["scheme", "ons_code"], name="district_ons_code_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def accepts_checklists_on(self, day) -> bool:
        """Whether the district was live, or in its pilot, on the given day."""
        starts = [d for d in (self.pilot_from, self.live_from) if d is not None]
        return bool(starts) and day >= min(starts)


class Agency(models.Model):
    class Kind(models.TextChoices):
        STATUTORY = "statutory"
        VOLUNTARY = "voluntary"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="agencies"
    )
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Any of: lead, hub, provider, referrer.
    roles = models.JSONField(default=list)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="agency_code_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def has_role(self, role: str) -> bool:
        return role in self.roles


class Service(models.Model):
    DISTRICT_COUNCIL = "district-council"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="services"
    )
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    # Null when the district council of the person's district provides it.
    provider = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Working days (England and Wales) the agency has to respond to a referral.
    response_days = models.PositiveSmallIntegerField(default=5)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="service_code_unique"
            ),
        ]

    def __str__(self):
        return self.name


class ServiceOverride(models.Model):
    """A different provider for one service in one district."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="overrides"
    )
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "district"], name="service_override_unique"
            ),
        ]

    def __str__(self):
        return f"{self.service} in {self.district}"


class ChecklistVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="checklist_versions"
    )
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "version"], name="checklist_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.scheme.code} checklist v{self.version}"


class Question(models.Model):
    class Priority(models.TextChoices):
        ROUTINE = "routine"
        URGENT = "urgent"

    checklist_version = models.ForeignKey(
        ChecklistVersion, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=64)
    text = models.CharField(max_length=500)
    refer_on = models.CharField(max_length=3, choices=[("yes", "yes"), ("no", "no")])
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(
        max_length=8, choices=Priority.choices, default=Priority.ROUTINE
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist_version", "code"], name="question_code_unique"
            ),
        ]

    def __str__(self):
        return self.code
