"""The scheme's funding: each financial year's budget, spending and partners' shares.

Amounts are Decimal pounds. A financial year runs from 1 April to 31 March and
is named like "2009/10".
"""

import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

PENNY = Decimal("0.01")


class FundingYear(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(
        "directory.Scheme", on_delete=models.CASCADE, related_name="funding_years"
    )
    year = models.CharField(max_length=7)
    budget = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    spent_to_date = models.DateField(null=True, blank=True)
    spent_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    forecast_to_date = models.DateField(null=True, blank=True)
    forecast_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    estimated_annual_cost = models.DecimalField(
        max_digits=12, decimal_places=2, null=True
    )
    # The number of partners expected to share the estimated annual cost.
    expected_contributors = models.PositiveSmallIntegerField(null=True)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "year"], name="funding_year_unique"
            ),
        ]

    def __str__(self):
        return f"{self.scheme.code} {self.year}"

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(int(self.year[:4]), 4, 1)

    @property
    def ends_on(self) -> datetime.date:
        return datetime.date(int(self.year[:4]) + 1, 3, 31)

    @property
    def share_per_contributor(self) -> Decimal | None:
        """The estimated annual cost divided equally among the expected partners."""
        if self.estimated_annual_cost is None or not self.expected_contributors:
            return None
        share = self.estimated_annual_cost / self.expected_contributors
        return share.quantize(PENNY, rounding=ROUND_HALF_UP)

    def contributions_total(self) -> Decimal:
        return sum((c.amount for c in self.contributions.all()), Decimal("0.00"))

    def funding_gap(self) -> Decimal | None:
        """The part of the estimated annual cost that no partner has committed yet."""
        if self.estimated_annual_cost is None:
            return None
        gap = self.estimated_annual_cost - self.contributions_total()
        return max(gap, Decimal("0.00"))

    @property
    def forecast_variance(self) -> Decimal | None:
        """Budget less forecast: positive is an underspend, negative an overspend."""
        if self.budget is None or self.forecast_amount is None:
            return None
        return self.budget - self.forecast_amount


class Contribution(models.Model):
    """Money a partner has committed to, or already paid for, one year."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    funding_year = models.ForeignKey(
        FundingYear, on_delete=models.CASCADE, related_name="contributions"
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="contributions"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["funding_year", "agency"], name="contribution_agency_unique"
            ),
        ]

    def __str__(self):
        return f"{self.agency} {self.funding_year.year}: £{self.amount}"
