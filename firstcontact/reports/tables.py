"""Report tables: the one shape that pages, charts and exports all read.

A page shows a table's `display_rows`, a chart draws one of its columns, and
an export writes its typed `rows`; all three come from the same numbers.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

# Counts below this are shown as "fewer than 5" on equality and reach tables.
SMALL_NUMBER = 5
SUPPRESSED_TEXT = "fewer than 5"

NUMERIC_KINDS = {"count", "number", "percent", "money", "days", "rate"}


class Suppressed:
    """A hidden count: 1 to 4 people, or one that would reveal such a count."""

    def __str__(self):
        return SUPPRESSED_TEXT

    def __eq__(self, other):
        return isinstance(other, Suppressed)

    def __hash__(self):
        return hash(SUPPRESSED_TEXT)


SUPPRESSED = Suppressed()


@dataclass
class Column:
    key: str
    label: str
    # text, count, number, percent, rate, money, days, date, datetime or phone.
    kind: str = "text"

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    # A last row of totals, shown apart from the others.
    total: dict | None = None
    notes: list[str] = field(default_factory=list)
    # The column a chart beside the table draws, if any.
    chart_column: str | None = None
    # A second column drawn beside the first, as with checklists and referrals.
    chart_second_column: str | None = None

    def all_rows(self) -> list[dict]:
        return self.rows + ([self.total] if self.total else [])

    def display_rows(self) -> list[list[dict]]:
        return [self._display(row) for row in self.rows]

    def display_total(self) -> list[dict] | None:
        return self._display(self.total) if self.total else None

    def _display(self, row: dict) -> list[dict]:
        return [
            {"text": format_value(row.get(c.key), c.kind), "numeric": c.is_numeric}
            for c in self.columns
        ]

    def is_empty(self) -> bool:
        return not self.rows


def format_value(value, kind: str) -> str:
    """Format one cell for a page, in the GOV.UK style (25 November 2009, £55,000)."""
    if value is None:
        return "–" if kind in NUMERIC_KINDS else ""
    if isinstance(value, Suppressed):
        return SUPPRESSED_TEXT
    if kind == "count":
        return f"{value:,}"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "rate":
        return f"{value:,.1f}"
    if kind == "days":
        return f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
    if kind == "money":
        return format_money(value)
    if kind == "date":
        return f"{value.day} {value:%B %Y}"
    if kind == "datetime":
        local = timezone.localtime(value)
        return f"{local.day} {local:%B %Y %H:%M}"
    if kind == "number":
        return f"{value:,}"
    return str(value)


def format_money(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"£{value:,.0f}"
    return f"£{value:,.2f}"


def percent(part: int, whole: int) -> float | None:
    return None if not whole else 100.0 * part / whole


def suppress_small_counts(counts: list[int]) -> list[int | Suppressed]:
    """Hide counts of 1 to 4, and one more count where a total would reveal one.

    When exactly one count in a group is hidden, the group's shown total gives it
    away by subtraction, so the next smallest count is hidden too.
    """
    hidden = [0 < n < SMALL_NUMBER for n in counts]
    if sum(hidden) == 1:
        others = [(n, i) for i, n in enumerate(counts) if not hidden[i] and n > 0]
        if others:
            hidden[min(others)[1]] = True
    return [SUPPRESSED if h else n for n, h in zip(counts, hidden, strict=True)]


def suppress_total(total: int) -> int | Suppressed:
    return SUPPRESSED if 0 < total < SMALL_NUMBER else total


def local_date(value: datetime.datetime | None) -> datetime.date | None:
    return None if value is None else timezone.localtime(value).date()
