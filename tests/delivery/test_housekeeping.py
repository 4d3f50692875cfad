"""Periodic jobs: the sweeper, overdue reminders, escalation and daily digests."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from firstcontact.audit.models import AuditEvent
from firstcontact.delivery.housekeeping import (
    escalate_overdue,
    remind_overdue,
    run_housekeeping,
    send_daily_digests,
    sweep_outbox,
)
from firstcontact.delivery.models import Channel, MessageStatus, OutboxMessage
from firstcontact.delivery.services import (
    failed_deliveries,
    order_by_attention,
    overdue_referrals,
)
from firstcontact.delivery.workdays import LONDON
from firstcontact.referrals import operations
from firstcontact.referrals.models import Referral


def london(*args):
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def overdue_referral(forwarded_referral):
    """Forwarded on Friday 22 August 2025, so due by the end of 1 September."""
    Referral.objects.filter(pk=forwarded_referral.pk).update(
        forwarded_at=london(2025, 8, 22, 10), due_at=london(2025, 9, 2)
    )
    forwarded_referral.refresh_from_db()
    return forwarded_referral


def emails(event):
    return OutboxMessage.objects.filter(event=event, channel=Channel.EMAIL)


# The sweeper


def stale_message(**changes):
    message = OutboxMessage.objects.filter(event="referral.requested").first()
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    fields = {"next_attempt_at": long_ago, "queued_at": long_ago, **changes}
    OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    return message


def test_sweeper_queues_message_whose_task_was_lost(forwarded_referral):
    message = stale_message()

    assert sweep_outbox() == 1
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(message.pk)]).exists()


def test_sweeper_queues_message_never_queued(forwarded_referral):
    stale_message(queued_at=None)

    assert sweep_outbox() == 1


def test_sweeper_leaves_message_held_by_worker(forwarded_referral):
    stale_message(locked_until=timezone.now() + datetime.timedelta(minutes=1))

    assert sweep_outbox() == 0


def test_sweeper_leaves_recently_queued_message(forwarded_referral):
    stale_message(queued_at=timezone.now())

    assert sweep_outbox() == 0


def test_sweeper_leaves_delivered_message(forwarded_referral):
    stale_message(status=MessageStatus.DELIVERED)

    assert sweep_outbox() == 0


# Overdue referrals


def test_referral_is_not_overdue_before_due_date(overdue_referral, scheme):
    assert list(overdue_referrals(scheme, now=london(2025, 9, 1, 23, 59))) == []


def test_referral_is_overdue_after_due_date(overdue_referral, scheme):
    assert list(overdue_referrals(scheme, now=london(2025, 9, 2, 0, 1))) == [
        overdue_referral
    ]


def test_accepted_referral_is_not_overdue(overdue_referral, agency_user, scheme):
    operations.accept_referral(overdue_referral.pk, agency_user)

    assert list(overdue_referrals(scheme, now=london(2025, 9, 3))) == []


def test_overdue_referral_reminds_agency_once(overdue_referral):
    now = london(2025, 9, 2, 9)

    first = remind_overdue(now)
    second = remind_overdue(now)

    assert (first, second) == (1, 0)
    (reminder,) = emails("referral.overdue")
    assert reminder.payload["to"] == ["pension-service@example.org"]
    assert "Monday 1 September 2025" in reminder.payload["body"]


def test_reminder_is_audited(overdue_referral):
    remind_overdue(london(2025, 9, 2, 9))

    assert AuditEvent.objects.filter(
        action="referral.reminded", target_id=overdue_referral.pk
    ).exists()


def test_escalation_waits_working_days_after_due(overdue_referral):
    # Due by the end of Monday 1 September; two working days later is the
    # end of Wednesday 3 September.
    assert escalate_overdue(london(2025, 9, 3, 23, 0)) == 0
    assert escalate_overdue(london(2025, 9, 4, 0, 1)) == 1


def test_escalation_emails_every_hub_agency_once(overdue_referral):
    now = london(2025, 9, 4, 9)

    escalate_overdue(now)
    escalate_overdue(now)

    recipients = [m.payload["to"][0] for m in emails("hub.referral-escalated")]
    assert sorted(recipients) == [
        "customer-first@example.org",
        "nwl-cab@example.org",
        "victim-support@example.org",
    ]


def test_escalation_is_audited(overdue_referral):
    escalate_overdue(london(2025, 9, 4, 9))

    assert AuditEvent.objects.filter(action="referral.escalated").count() == 1


def test_reroute_restarts_reminders(overdue_referral, hub_user):
    remind_overdue(london(2025, 9, 2, 9))
    rerouted = operations.reroute_referral(
        overdue_referral.pk, hub_user, agency_code="citizens-advice"
    )

    remind_overdue(rerouted.due_at + datetime.timedelta(minutes=1))

    agencies = {m.agency.code for m in emails("referral.overdue")}
    assert agencies == {"pension-service", "citizens-advice"}


# Ordering of the hub queue


def test_hub_order_puts_failed_then_overdue_first(scheme, submit, hub_user):
    submit(external_id="T-A", answers={"benefits": "yes"})
    submit(
        external_id="T-B",
        person={
            "given_name": "Arthur",
            "family_name": "Pendleton",
            "date_of_birth": "1938-06-01",
            "address_line_1": "2 Example Street",
            "postcode": "LE10 0JU",
        },
        answers={"lonely": "yes"},
    )
    benefits = Referral.objects.get(service__code="benefits-check")
    befriending = Referral.objects.get(service__code="befriending")
    operations.forward_referral(benefits.pk, hub_user)
    operations.forward_referral(befriending.pk, hub_user)
    Referral.objects.filter(pk=benefits.pk).update(due_at=london(2025, 1, 1))
    OutboxMessage.objects.filter(
        referral=befriending, event="referral.requested"
    ).update(status=MessageStatus.FAILED, failed_at=timezone.now())

    ordered = list(order_by_attention(Referral.objects.filter(scheme=scheme)))

    assert [r.service.code for r in ordered[:2]] == ["befriending", "benefits-check"]
    assert ordered[0].has_failed_delivery == 1
    assert ordered[1].is_overdue == 1


def test_reroute_clears_failed_deliveries(forwarded_referral, hub_user, scheme):
    OutboxMessage.objects.filter(referral=forwarded_referral).update(
        status=MessageStatus.FAILED, failed_at=timezone.now()
    )

    operations.reroute_referral(
        forwarded_referral.pk, hub_user, agency_code="citizens-advice"
    )

    assert list(failed_deliveries(scheme)) == []


# Daily digests


@pytest.fixture
def yesterdays_activity(forwarded_referral, agency_user, referrer):
    referrer.email = "fire.referrer@example.org"
    referrer.save()
    operations.accept_referral(forwarded_referral.pk, agency_user)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Referral.objects.filter(pk=forwarded_referral.pk).update(forwarded_at=yesterday)
    referrer.notifications.update(created_at=yesterday)
    return forwarded_referral


def morning():
    today = timezone.now().astimezone(LONDON).date()
    return datetime.datetime.combine(today, datetime.time(8, 0), tzinfo=LONDON)


def test_digest_job_twice_sends_once(yesterdays_activity):
    first = send_daily_digests(morning())
    second = send_daily_digests(morning() + datetime.timedelta(hours=3))

    assert first == 2
    assert second == 0


def test_agency_digest_counts_yesterdays_referrals(yesterdays_activity):
    send_daily_digests(morning())

    (digest,) = emails("digest.agency")
    assert digest.agency.code == "pension-service"
    assert ": 1\nWaiting for you" in digest.payload["body"]
    assert "In progress with you: 1" in digest.payload["body"]


def test_referrer_digest_lists_their_updates(yesterdays_activity):
    send_daily_digests(morning())

    (digest,) = emails("digest.referrer")
    assert digest.payload["to"] == ["fire.referrer@example.org"]
    assert "accepted by The Pension Service" in digest.payload["body"]


def test_digest_has_no_personal_details(yesterdays_activity):
    send_daily_digests(morning())
    person = yesterdays_activity.person

    for digest in OutboxMessage.objects.filter(event__startswith="digest."):
        assert person.family_name not in digest.payload["body"]


def test_no_digest_before_digest_hour(yesterdays_activity):
    early = morning().replace(hour=5)

    assert send_daily_digests(early) == 0


def test_housekeeping_runs_every_job(overdue_referral):
    done = run_housekeeping(london(2025, 9, 4, 9))

    assert done["reminded"] == 1
    assert done["escalated"] == 1
