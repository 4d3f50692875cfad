"""The retention policy: erase people whose records closed long enough ago.

A person is due when none of their referrals is open and nothing about them
(a checklist received, a referral changed) has happened for
FIRSTCONTACT_RETENTION_YEARS years. Erasing is idempotent, so a run that is
repeated, or two runs at once, erase each person once.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.audit.services import record_event
from firstcontact.directory.models import Scheme
from firstcontact.people.models import Person
from firstcontact.referrals.models import OPEN_STATUSES
from firstcontact.referrals.operations import OperationError
from firstcontact.rights.models import Erasure
from firstcontact.rights.operations import erase_person

logger = logging.getLogger(__name__)

DAYS_PER_YEAR = 365.25


@dataclass
class RetentionResult:
    due: int = 0
    erased: int = 0
    skipped: int = 0


def retention_cutoff(now=None, years=None) -> datetime.datetime:
    """Return the moment before which a closed record is kept no longer."""
    now = now or timezone.now()
    years = settings.FIRSTCONTACT_RETENTION_YEARS if years is None else years
    return now - datetime.timedelta(days=round(years * DAYS_PER_YEAR))


def people_due(cutoff, scheme=None):
    """Return the people not yet erased whose records all closed before `cutoff`."""
    people = Person.objects.exclude(pk__in=Erasure.objects.values("person_id")).exclude(
        referrals__status__in=OPEN_STATUSES
    )
    if scheme is not None:
        people = people.filter(scheme=scheme)
    return (
        people.annotate(
            last_checklist=Max("checklists__received_at"),
            last_referral=Max("referrals__updated_at"),
        )
        .filter(created_at__lt=cutoff)
        .filter(Q(last_checklist__isnull=True) | Q(last_checklist__lt=cutoff))
        .filter(Q(last_referral__isnull=True) | Q(last_referral__lt=cutoff))
        .order_by("created_at", "pk")
    )


def apply_retention(*, now=None, years=None, scheme=None, dry_run=False, progress=None):
    """Erase every person due, in one scheme or all; return the counts.

    `progress` wraps the iterable of people, such as a tqdm bar. A person who
    gained an open referral since the query is skipped, not erased.
    """
    cutoff = retention_cutoff(now, years)
    due = list(people_due(cutoff, scheme).values_list("pk", flat=True))
    result = RetentionResult(due=len(due))
    if dry_run:
        return result
    for person_id in progress(due) if progress else due:
        try:
            erase_person(person_id, None, kind=Erasure.Kind.RETENTION)
        except OperationError:
            result.skipped += 1
        else:
            result.erased += 1
    logger.info(
        "Retention: %d due, %d erased, %d skipped",
        result.due,
        result.erased,
        result.skipped,
    )
    return result


def run_daily_retention(now=None) -> int:
    """Apply the retention policy once a day, from FIRSTCONTACT_RETENTION_HOUR.

    The delivery worker's housekeeping calls this on every round; a
    "retention.applied" audit event per scheme marks the day as done. Two
    workers that both run it erase each person once, because erasing is
    idempotent. Returns how many people were erased.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.FIRSTCONTACT_RETENTION_HOUR:
        return 0
    start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    done = set(
        AuditEvent.objects.filter(
            action="retention.applied", at__gte=start_of_day
        ).values_list("target_id", flat=True)
    )
    erased = 0
    for scheme in Scheme.objects.exclude(pk__in=done):
        result = apply_retention(now=now, scheme=scheme)
        record_event(
            "retention.applied",
            scheme,
            data={
                "due": result.due,
                "erased": result.erased,
                "skipped": result.skipped,
            },
        )
        erased += result.erased
    return erased
