"""Who hears of each referral change, and by which channel.

- created (draft): the hub agencies' webhooks.
- forwarded or re-routed: the receiving agency by email and webhook
  (`referral.requested`); the referrer.
- re-routed away, held or cancelled after forwarding: the agency that had it,
  by email and webhook (`referral.withdrawn`); the referrer.
- accepted, started, completed: the agency's webhook; the referrer.
- declined: the agency's webhook; the referrer; the hub agencies by email and
  webhook, so the hub can re-route it.

"Notification" is a record shown to the referrer in the product. The
referrer's email goes only to a user with an address. Every function here
writes inside the caller's transaction (firstcontact.delivery.outbox).
"""

from django.utils import timezone

from firstcontact.delivery import messages
from firstcontact.delivery.models import (
    AgencyChannels,
    Channel,
    MessageStatus,
    Notification,
    OutboxMessage,
)
from firstcontact.delivery.outbox import write_message
from firstcontact.directory.models import Agency
from firstcontact.referrals.models import AGENCY_VISIBLE_STATUSES, Status

# The referral event a partner system receives for each operation's action.
WEBHOOK_EVENTS = {
    "referral.forwarded": "referral.requested",
    "referral.rerouted": "referral.requested",
    "referral.accepted": "referral.accepted",
    "referral.started": "referral.started",
    "referral.completed": "referral.completed",
    "referral.declined": "referral.declined",
}
WITHDRAWING_ACTIONS = {"referral.rerouted", "referral.held", "referral.cancelled"}
# Actions after which the hub has dealt with the referral's failed deliveries.
RESOLVING_ACTIONS = {"referral.rerouted", "referral.cancelled"}


def enqueue_referrals_created(referrals) -> None:
    """Tell the hub agencies' systems of new referrals waiting for the hub."""
    if not referrals:
        return
    hubs = [a for a in hub_agencies(referrals[0].scheme) if has_webhook(a)]
    for referral in referrals:
        for hub in hubs:
            send_webhook(hub, referral, "referral.created")


def enqueue_referral_change(referral, action, *, previous_status, previous_agency_id):
    """Write the messages and notifications that one referral change causes."""
    agency = referral.agency
    if action in {"referral.forwarded", "referral.rerouted"}:
        send_email(agency, referral, "referral.requested", messages.new_referral_email)
    if action in WEBHOOK_EVENTS:
        send_webhook(agency, referral, WEBHOOK_EVENTS[action])
    if action in WITHDRAWING_ACTIONS:
        _withdraw_from_previous_agency(
            referral, action, previous_status, previous_agency_id
        )
    if action in RESOLVING_ACTIONS:
        resolve_failed_deliveries(referral)
    if action == "referral.declined":
        for hub in hub_agencies(referral.scheme):
            send_email(
                hub, referral, "hub.referral-declined", messages.hub_declined_email
            )
            send_webhook(hub, referral, "referral.declined")
    notify_referrer(referral, action)


def _withdraw_from_previous_agency(referral, action, previous_status, previous_id):
    if previous_status not in AGENCY_VISIBLE_STATUSES - {Status.REJECTED}:
        return
    if action == "referral.rerouted" and previous_id == referral.agency_id:
        return
    previous = Agency.objects.get(pk=previous_id)
    send_email(previous, referral, "referral.withdrawn", messages.withdrawn_email)
    send_webhook(previous, referral, "referral.withdrawn")


def resolve_failed_deliveries(referral) -> int:
    return OutboxMessage.objects.filter(
        referral=referral, status=MessageStatus.FAILED, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())


def notify_referrer(referral, action) -> Notification | None:
    """Record the change for the user who submitted the checklist, and email them."""
    user = referral.checklist.submitted_by
    if user is None or not user.is_active:
        return None
    text = messages.referrer_update_text(referral)
    notification = Notification.objects.create(
        user=user, referral=referral, event=action, text=text
    )
    if user.email:
        write_message(
            scheme=referral.scheme,
            event=action,
            channel=Channel.EMAIL,
            user=user,
            referral=referral,
            payload=messages.referrer_email(user, referral, text),
        )
    return notification


def notify_hub_of_failed_delivery(message) -> None:
    for hub in hub_agencies(message.scheme):
        if hub.email and email_enabled(hub):
            write_message(
                scheme=message.scheme,
                event="hub.delivery-failed",
                channel=Channel.EMAIL,
                agency=hub,
                referral=message.referral,
                payload=messages.hub_failed_delivery_email(hub, message),
            )


def send_email(agency, referral, event, compose, *, dedupe_key=None):
    if not agency.email or not email_enabled(agency):
        return None
    return write_message(
        scheme=referral.scheme,
        event=event,
        channel=Channel.EMAIL,
        agency=agency,
        referral=referral,
        payload=compose(agency, referral),
        dedupe_key=f"{dedupe_key}:email:{agency.pk}" if dedupe_key else None,
    )


def send_webhook(agency, referral, event, *, dedupe_key=None):
    if not has_webhook(agency):
        return None
    return write_message(
        scheme=referral.scheme,
        event=event,
        channel=Channel.WEBHOOK,
        agency=agency,
        referral=referral,
        payload=lambda message: messages.webhook_body(message, referral),
        dedupe_key=f"{dedupe_key}:webhook:{agency.pk}" if dedupe_key else None,
    )


def hub_agencies(scheme) -> list[Agency]:
    return [a for a in Agency.objects.filter(scheme=scheme) if a.has_role("hub")]


def _channels(agency) -> AgencyChannels | None:
    # Cached on the agency object, so one change looks each agency up once.
    if not hasattr(agency, "_delivery_channels"):
        agency._delivery_channels = AgencyChannels.objects.filter(agency=agency).first()
    return agency._delivery_channels


def email_enabled(agency) -> bool:
    channels = _channels(agency)
    return channels is None or channels.email_enabled


def has_webhook(agency) -> bool:
    channels = _channels(agency)
    return channels is not None and channels.has_webhook
