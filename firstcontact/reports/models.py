"""Official population figures, to compare with the people the scheme reaches."""

import uuid

from django.db import models


class PopulationTable(models.Model):
    """One loaded table of figures, such as ONS mid-2020 estimates by age."""

    class Kind(models.TextChoices):
        AGE_60_PLUS = "age-60-plus", "People aged 60 and over by age band"
        ETHNIC_GROUP = "ethnic-group", "Usual residents of all ages by ethnic group"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, unique=True)
    source = models.CharField(max_length=300)
    file_name = models.CharField(max_length=200)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.get_kind_display()} ({self.source})"


class PopulationFigure(models.Model):
    """People in one category (an age band or ethnic group) of one district."""

    table = models.ForeignKey(
        PopulationTable, on_delete=models.CASCADE, related_name="figures"
    )
    # The ONS local authority district code, as District.ons_code stores it.
    ons_code = models.CharField(max_length=9)
    area_name = models.CharField(max_length=200)
    category = models.CharField(max_length=100)
    people = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["table", "ons_code", "category"],
                name="population_figure_unique",
            ),
        ]

    def __str__(self):
        return f"{self.area_name} {self.category}: {self.people}"
