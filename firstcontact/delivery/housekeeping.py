"""Periodic jobs that `firstcontact worker` runs beside its tasks.

They include the retention policy (firstcontact.rights.retention), which
erases people at most once a day.

Each job is safe to run twice, and in two workers at once: the sweeper only
queues messages that no worker holds, and reminders, escalations and digests
carry a dedupe key, so each is written once.
"""

import datetime
import logging
from collections import Counter

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from firstcontact.audit.services import record_event
from firstcontact.consent.services import shareable_referrals
from firstcontact.delivery import messages
from firstcontact.delivery.conf import delivery_settings
from firstcontact.delivery.events import hub_agencies, send_email, send_webhook
from firstcontact.delivery.models import (
    Channel,
    IdempotencyRecord,
    MessageStatus,
    Notification,
    OutboxMessage,
)
from firstcontact.delivery.outbox import queue_delivery, write_message
from firstcontact.delivery.workdays import LONDON, escalation_at
from firstcontact.directory.models import Agency, Scheme
from firstcontact.referrals.models import Referral, Status
from firstcontact.rights.retention import run_daily_retention

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
IDEMPOTENCY_KEY_LIFETIME = datetime.timedelta(hours=24)


def run_housekeeping(now=None) -> dict:
    """Run every periodic job once; return how much each one did."""
    now = now or timezone.now()
    return {
        "requeued": sweep_outbox(now),
        "reminded": remind_overdue(now),
        "escalated": escalate_overdue(now),
        "digests": send_daily_digests(now),
        "pruned": prune_idempotency_records(now),
        "erased": run_daily_retention(now),
    }


def sweep_outbox(now=None) -> int:
    """Queue again each pending message that is due, unheld and not recently queued.

    This recovers messages whose task was lost: a worker killed mid-send, or
    a process that died between committing a message and queuing its task.
    """
    now = now or timezone.now()
    stuck_before = now - datetime.timedelta(seconds=delivery_settings().stuck_seconds)
    stuck = list(
        OutboxMessage.objects.filter(
            status=MessageStatus.PENDING, next_attempt_at__lte=stuck_before
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=stuck_before))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if stuck:
        queue_delivery(stuck)
        logger.warning("Sweeper queued %d stuck outbox messages again", len(stuck))
    return len(stuck)


def _unanswered(now):
    return Referral.objects.filter(
        status=Status.REQUESTED, due_at__lte=now
    ).select_related("agency", "service", "scheme")


def remind_overdue(now=None) -> int:
    """Remind the agency, once per due date, of each referral past its due date."""
    now = now or timezone.now()
    reminded = 0
    for referral in _unanswered(now):
        key = f"overdue:{referral.pk}:{referral.due_at.isoformat()}"
        with transaction.atomic():
            sent = [
                send_email(
                    referral.agency,
                    referral,
                    "referral.overdue",
                    messages.overdue_email,
                    dedupe_key=key,
                ),
                send_webhook(
                    referral.agency, referral, "referral.overdue", dedupe_key=key
                ),
            ]
            if any(sent):
                record_event(
                    "referral.reminded",
                    referral,
                    person_id=referral.person_id,
                    data={
                        "agency": referral.agency.code,
                        "due_at": str(referral.due_at),
                    },
                )
                reminded += 1
    return reminded


def escalate_overdue(now=None) -> int:
    """Tell the hub of each referral still unanswered some working days after due."""
    now = now or timezone.now()
    working_days = delivery_settings().escalate_after_working_days
    escalated = 0
    for referral in _unanswered(now):
        if escalation_at(referral.due_at, working_days) > now:
            continue
        key = f"escalated:{referral.pk}:{referral.due_at.isoformat()}"
        with transaction.atomic():
            sent = [
                send_email(
                    hub,
                    referral,
                    "hub.referral-escalated",
                    messages.hub_escalation_email,
                    dedupe_key=key,
                )
                for hub in hub_agencies(referral.scheme)
            ]
            if any(sent):
                record_event(
                    "referral.escalated",
                    referral,
                    person_id=referral.person_id,
                    data={
                        "agency": referral.agency.code,
                        "due_at": str(referral.due_at),
                    },
                )
                escalated += 1
    return escalated


def send_daily_digests(now=None) -> int:
    """Write each agency's and referrer's digest for yesterday, once a day.

    Digests go out from `digest_hour` (Europe/London) and cover the previous
    calendar day; a run before that hour writes nothing.
    """
    now = now or timezone.now()
    local = now.astimezone(LONDON)
    if local.hour < delivery_settings().digest_hour:
        return 0
    day = local.date() - datetime.timedelta(days=1)
    written = 0
    for scheme in Scheme.objects.all():
        written += _agency_digests(scheme, local.date(), day, now)
        written += _referrer_digests(scheme, local.date(), day)
    return written


def _day_bounds(day):
    start = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LONDON)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=LONDON
    )
    return start, end


def _agency_digests(scheme, sent_on, day, now) -> int:
    start, end = _day_bounds(day)
    # A referral whose person withdrew consent to its agency is not counted in
    # that agency's digest.
    referrals = shareable_referrals(Referral.objects.filter(scheme=scheme))
    new = Counter(
        referrals.filter(forwarded_at__gte=start, forwarded_at__lt=end).values_list(
            "agency_id", flat=True
        )
    )
    waiting = Counter(
        referrals.filter(status=Status.REQUESTED).values_list("agency_id", flat=True)
    )
    overdue = Counter(
        referrals.filter(status=Status.REQUESTED, due_at__lte=now).values_list(
            "agency_id", flat=True
        )
    )
    working = Counter(
        referrals.filter(status__in=[Status.ACCEPTED, Status.IN_PROGRESS]).values_list(
            "agency_id", flat=True
        )
    )
    written = 0
    for agency in Agency.objects.filter(pk__in=set(new) | set(waiting) | set(working)):
        counts = {
            "new": new[agency.pk],
            "waiting": waiting[agency.pk],
            "overdue": overdue[agency.pk],
            "working": working[agency.pk],
        }
        with transaction.atomic():
            written += bool(
                agency.email
                and write_message(
                    scheme=scheme,
                    event="digest.agency",
                    channel=Channel.EMAIL,
                    agency=agency,
                    payload=messages.agency_digest_email(agency, day, counts),
                    dedupe_key=f"digest:agency:{agency.pk}:{sent_on.isoformat()}",
                )
            )
    return written


def _referrer_digests(scheme, sent_on, day) -> int:
    start, end = _day_bounds(day)
    notifications = (
        Notification.objects.filter(
            user__scheme=scheme, created_at__gte=start, created_at__lt=end
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at")
    )
    lines_by_user = {}
    for notification in notifications:
        user = notification.user
        lines_by_user.setdefault(user, []).append(notification.text)
    written = 0
    for user, lines in lines_by_user.items():
        with transaction.atomic():
            written += bool(
                write_message(
                    scheme=scheme,
                    event="digest.referrer",
                    channel=Channel.EMAIL,
                    user=user,
                    payload=messages.referrer_digest_email(user, day, lines),
                    dedupe_key=f"digest:user:{user.pk}:{sent_on.isoformat()}",
                )
            )
    return written


def prune_idempotency_records(now=None) -> int:
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=now - IDEMPOTENCY_KEY_LIFETIME
    ).delete()
    return deleted
