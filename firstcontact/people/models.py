"""The people the scheme helps."""

import uuid

from django.db import models


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(
        "directory.Scheme", on_delete=models.PROTECT, related_name="people"
    )
    # Names exactly as typed; the keys are the forms used to match people.
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    given_key = models.CharField(max_length=100)
    family_key = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    address_line_1 = models.CharField(max_length=200)
    postcode = models.CharField(max_length=8)
    district = models.ForeignKey(
        "directory.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(max_length=32, blank=True)
    lives_alone = models.BooleanField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(
                fields=["scheme", "family_key", "date_of_birth"],
                name="person_match_idx",
            ),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class PossibleMatch(models.Model):
    """Two records that may be the same person, for the hub to link or dismiss."""

    class Status(models.TextChoices):
        OPEN = "open"
        LINKED = "linked"
        DISMISSED = "dismissed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default="open")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "candidate"], name="possible_match_unique"
            ),
        ]

    def __str__(self):
        return f"possible match {self.person_id} ~ {self.candidate_id}"
