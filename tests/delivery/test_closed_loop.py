"""Every status change writes the messages and notifications it should."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from firstcontact.delivery.models import Channel, Notification, OutboxMessage
from firstcontact.delivery.services import configure_channels
from firstcontact.directory.models import Agency
from firstcontact.referrals import operations
from firstcontact.referrals.models import Referral, Status


def messages_for(event, channel=None):
    found = OutboxMessage.objects.filter(event=event)
    if channel:
        found = found.filter(channel=channel)
    return list(found)


def test_forwarding_emails_the_agency(forwarded_referral):
    (message,) = messages_for("referral.requested", Channel.EMAIL)

    assert message.agency.code == "pension-service"
    assert message.payload["to"] == ["pension-service@example.org"]


def test_agency_email_has_no_personal_details(forwarded_referral):
    (message,) = messages_for("referral.requested", Channel.EMAIL)
    person = forwarded_referral.person
    text = message.payload["subject"] + message.payload["body"]

    for detail in (person.given_name, person.family_name, person.postcode):
        assert detail not in text
    assert forwarded_referral.reference in text
    assert "/referrals/" in text


def test_forwarding_posts_webhook_when_configured(pension_webhook, forwarded_referral):
    (message,) = messages_for("referral.requested", Channel.WEBHOOK)

    assert message.payload["referral"]["id"] == str(forwarded_referral.pk)
    assert message.payload["id"] == str(message.pk)


def test_no_webhook_without_configuration(forwarded_referral):
    assert messages_for("referral.requested", Channel.WEBHOOK) == []


def test_forwarding_sets_due_date(forwarded_referral):
    assert forwarded_referral.due_at is not None
    assert forwarded_referral.due_at > forwarded_referral.forwarded_at


def test_forwarding_queues_delivery_after_commit(
    benefits_referral, hub_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        operations.forward_referral(benefits_referral.pk, hub_user)

    (message,) = messages_for("referral.requested", Channel.EMAIL)
    queued = DBTaskResult.objects.filter(args_kwargs__args=[str(message.pk)])
    assert queued.count() == 1


def test_rolled_back_change_writes_and_queues_nothing(
    benefits_referral, hub_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            operations.forward_referral(benefits_referral.pk, hub_user)
            raise RuntimeError("simulated failure after the change")

    assert OutboxMessage.objects.count() == 0
    assert callbacks == []
    assert DBTaskResult.objects.count() == 0


def test_referrer_is_notified_of_forwarding(forwarded_referral, referrer):
    (notification,) = Notification.objects.filter(user=referrer)

    assert "sent to The Pension Service" in notification.text


def test_referrer_sees_outcome(forwarded_referral, agency_user, referrer):
    operations.accept_referral(forwarded_referral.pk, agency_user)
    operations.complete_referral(
        forwarded_referral.pk, agency_user, outcome="helped", note=""
    )

    latest = Notification.objects.filter(user=referrer).first()
    assert latest.event == "referral.completed"
    assert "Outcome: The person was helped" in latest.text


def test_referrer_with_email_gets_email(forwarded_referral, agency_user, referrer):
    referrer.email = "fire.referrer@example.org"
    referrer.save()

    operations.accept_referral(forwarded_referral.pk, agency_user)

    (message,) = messages_for("referral.accepted", Channel.EMAIL)
    assert message.payload["to"] == ["fire.referrer@example.org"]
    assert message.user == referrer


def test_referrer_without_email_gets_no_email(forwarded_referral, agency_user):
    operations.accept_referral(forwarded_referral.pk, agency_user)

    assert messages_for("referral.accepted", Channel.EMAIL) == []


def test_decline_returns_to_hub_with_reason(forwarded_referral, agency_user):
    operations.decline_referral(
        forwarded_referral.pk, agency_user, reason="no-capacity", note=""
    )

    hub_emails = messages_for("hub.referral-declined", Channel.EMAIL)
    hub_codes = {m.agency.code for m in hub_emails}
    assert hub_codes == {"customer-first", "victim-support", "nwl-cab"}
    assert "we have no capacity at present" in hub_emails[0].payload["body"]


def test_decline_tells_referrer_it_will_be_rerouted(
    forwarded_referral, agency_user, referrer
):
    operations.decline_referral(
        forwarded_referral.pk, agency_user, reason="out-of-area", note=""
    )

    latest = Notification.objects.filter(user=referrer).first()
    assert "declined by The Pension Service" in latest.text
    assert "another agency" in latest.text


def test_reroute_withdraws_from_previous_agency(forwarded_referral, hub_user):
    operations.reroute_referral(
        forwarded_referral.pk, hub_user, agency_code="citizens-advice"
    )

    (withdrawn,) = messages_for("referral.withdrawn", Channel.EMAIL)
    (requested,) = [
        m
        for m in messages_for("referral.requested", Channel.EMAIL)
        if m.agency.code == "citizens-advice"
    ]
    assert withdrawn.agency.code == "pension-service"
    assert requested.payload["to"] == ["citizens-advice@example.org"]


def test_reroute_after_decline_does_not_withdraw(
    forwarded_referral, agency_user, hub_user
):
    operations.decline_referral(
        forwarded_referral.pk, agency_user, reason="no-capacity", note=""
    )
    operations.reroute_referral(
        forwarded_referral.pk, hub_user, agency_code="citizens-advice"
    )

    assert messages_for("referral.withdrawn") == []


def test_cancel_after_forward_withdraws(forwarded_referral, hub_user):
    operations.cancel_referral(forwarded_referral.pk, hub_user, note="Moved away")

    (withdrawn,) = messages_for("referral.withdrawn", Channel.EMAIL)
    assert withdrawn.agency.code == "pension-service"


def test_cancel_of_draft_does_not_email_agency(benefits_referral, hub_user):
    operations.cancel_referral(benefits_referral.pk, hub_user, note="Duplicate")

    assert messages_for("referral.withdrawn") == []


def test_agency_actions_reach_its_webhook(
    pension_webhook, forwarded_referral, agency_user
):
    operations.accept_referral(forwarded_referral.pk, agency_user)
    operations.start_referral(forwarded_referral.pk, agency_user)

    events = [m.event for m in OutboxMessage.objects.filter(channel=Channel.WEBHOOK)]
    assert events == ["referral.requested", "referral.accepted", "referral.started"]


def test_new_referrals_reach_hub_webhook(scheme, manager, submit, webhook_receiver):
    hub = Agency.objects.get(scheme=scheme, code="customer-first")
    configure_channels(hub, manager, webhook_url=webhook_receiver.url)

    submit()

    created = messages_for("referral.created", Channel.WEBHOOK)
    drafts = Referral.objects.filter(status=Status.DRAFT)
    assert {m.referral_id for m in created} == {r.pk for r in drafts}


def test_email_switched_off_sends_no_agency_email(
    scheme, manager, benefits_referral, hub_user
):
    agency = Agency.objects.get(scheme=scheme, code="pension-service")
    configure_channels(agency, manager, email_enabled=False)

    operations.forward_referral(benefits_referral.pk, hub_user)

    assert messages_for("referral.requested", Channel.EMAIL) == []
