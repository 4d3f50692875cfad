"""Back-date demo records so that they spread over the year they describe.

Demo data only. The demo load writes every record now, through the product's
own intake and referral operations, so every timestamp shows the time of the
load. Before each step the loader records the real time and the time the step
is meant to have happened. Afterwards `Timeline.apply` replaces every
timestamp written during a step with that step's planned time, in checklists,
people, referrals, audit events and outbox messages alike.
"""

import bisect
import datetime
import random

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.delivery.models import Notification, OutboxMessage
from firstcontact.people.models import Person, PossibleMatch
from firstcontact.referrals.models import Referral


def working_time_after(
    rng: random.Random, start: datetime.datetime, days: int
) -> datetime.datetime:
    """Return a time between 09:00 and 17:00 on a weekday `days` days after start.

    The result is always later than `start`.
    """
    day = timezone.localdate(start) + datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    opening = datetime.datetime.combine(day, datetime.time(9))
    moment = timezone.make_aware(
        opening + datetime.timedelta(minutes=rng.randint(0, 8 * 60))
    )
    if moment <= start:
        moment = start + datetime.timedelta(minutes=rng.randint(5, 90))
    return moment


class Timeline:
    """Planned times of the steps of one demo load, and the real times they ran."""

    def __init__(self):
        self.started = timezone.now()
        self._real_times: list[datetime.datetime] = []
        self._planned_times: list[datetime.datetime] = []

    def begin_step(self, planned_at: datetime.datetime) -> None:
        self._real_times.append(timezone.now())
        self._planned_times.append(planned_at)

    def planned_time_of(self, written_at):
        """Return the planned time of the step that wrote `written_at`."""
        if written_at is None or written_at < self.started:
            return written_at
        index = bisect.bisect_right(self._real_times, written_at) - 1
        return self._planned_times[index] if index >= 0 else written_at

    def apply(self, checklists) -> None:
        """Back-date the checklists and the records written with them.

        `checklists` is a queryset of the demo checklists. Their people,
        referrals, audit events, outbox messages and notifications are
        back-dated with them.
        """
        people = Person.objects.filter(checklists__in=checklists).distinct()
        referrals = Referral.objects.filter(checklist__in=checklists)
        events = AuditEvent.objects.filter(at__gte=self.started).filter(
            Q(target_id__in=checklists.values("pk"))
            | Q(target_id__in=referrals.values("pk"))
        )
        self._rewrite(checklists, ["received_at"])
        self._rewrite(people, ["created_at", "updated_at"])
        self._rewrite(PossibleMatch.objects.filter(person__in=people), ["created_at"])
        self._rewrite(
            referrals, ["created_at", "updated_at", "forwarded_at", "closed_at"]
        )
        self._rewrite(events, ["at"])
        self._rewrite(
            OutboxMessage.objects.filter(referral__in=referrals),
            ["created_at", "next_attempt_at"],
        )
        self._rewrite(
            Notification.objects.filter(referral__in=referrals), ["created_at"]
        )

    def _rewrite(self, queryset, fields: list[str]) -> None:
        """Replace the timestamps in `fields` of every row with planned times."""
        rows = [
            (pk, [self.planned_time_of(value) for value in values])
            for pk, *values in queryset.values_list("pk", *fields)
        ]
        write_columns(queryset.model, fields, rows)


def write_columns(model, fields: list[str], rows: list[tuple]) -> None:
    """Write new values of `fields` to rows given as (primary key, values).

    Sends one UPDATE per row through executemany, because bulk_update's CASE
    expressions took longer to build than the rest of the demo load. The
    UPDATE bypasses AuditEvent.save, which refuses changes, and auto_now.
    """
    columns = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    # Only quoted table and column names are formatted in; values are parameters.
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # nosec B608
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [
            *(
                field.get_db_prep_value(value, connection)
                for field, value in zip(columns, values, strict=True)
            ),
            model._meta.pk.get_db_prep_value(pk, connection),
        ]
        for pk, values in rows
    ]
    if not params:
        return
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
