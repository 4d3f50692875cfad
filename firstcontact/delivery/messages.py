"""The text of emails and the body of webhooks.

Emails carry no personal details: they name a referral by its reference and
service, and link to the product, where the recipient signs in to see more.
Webhook bodies carry the same facts as data, with the API address of the
referral for a partner system to fetch the rest with its token.
"""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from firstcontact.delivery.workdays import LONDON
from firstcontact.referrals.models import DeclineReason, Outcome, Status

FOOTER = (
    "\n\nThis email holds no personal details. Sign in to First Contact to see "
    "the referral.\n"
)


def absolute_url(view_name: str, fallback_path: str, args=None) -> str:
    """A link into the product; `fallback_path` serves while a page is missing."""
    try:
        path = reverse(view_name, args=args)
    except NoReverseMatch:
        path = fallback_path
    return settings.FIRSTCONTACT_BASE_URL.rstrip("/") + path


def inbox_url() -> str:
    return absolute_url("referrals:inbox", "/referrals/")


def hub_url() -> str:
    return absolute_url("hub:queue", "/hub/")


def failed_deliveries_url() -> str:
    return absolute_url("delivery:failed", "/hub/deliveries/")


def notifications_url() -> str:
    return absolute_url("delivery:notifications", "/notifications/")


def format_due(due_at) -> str:
    """The last day to respond, as people read it: "Tuesday 2 September 2025"."""
    if due_at is None:
        return "no due date"
    last_day = (due_at - timezone.timedelta(microseconds=1)).astimezone(LONDON)
    return f"{last_day:%A} {last_day.day} {last_day:%B %Y}"


def describe(referral) -> str:
    return f"referral {referral.reference} ({referral.service.name})"


def webhook_body(message, referral) -> dict:
    """The JSON body of a webhook about one referral."""
    return {
        "id": str(message.id),
        "event": message.event,
        "occurred_at": timezone.now().isoformat(),
        "scheme": referral.scheme.code,
        "referral": {
            "id": str(referral.pk),
            "reference": referral.reference,
            "status": referral.status,
            "status_reason": referral.status_reason or None,
            "outcome": referral.outcome or None,
            "service": referral.service.code,
            "agency": referral.agency.code,
            "priority": referral.priority,
            "due_at": referral.due_at.isoformat() if referral.due_at else None,
            "url": absolute_url(
                "api:referral-detail",
                f"/api/v1/referrals/{referral.pk}",
                args=[referral.pk],
            ),
        },
    }


def email(to, subject, body) -> dict:
    return {"to": list(to), "subject": subject, "body": body + FOOTER}


def new_referral_email(agency, referral) -> dict:
    urgent = "an URGENT" if referral.priority == "urgent" else "a"
    return email(
        [agency.email],
        f"New referral {referral.reference}: {referral.service.name}",
        f"{agency.name} has {urgent} new {describe(referral)} in its First Contact "
        f"inbox.\nPlease accept or decline it by the end of "
        f"{format_due(referral.due_at)}.\n\n{inbox_url()}",
    )


def withdrawn_email(agency, referral) -> dict:
    return email(
        [agency.email],
        f"Referral {referral.reference} withdrawn",
        f"The hub has withdrawn {describe(referral)} from {agency.name} "
        f"({referral.get_status_display().lower()}). No further action is "
        f"needed.\n\n{inbox_url()}",
    )


def overdue_email(agency, referral) -> dict:
    return email(
        [agency.email],
        f"Overdue: referral {referral.reference}",
        f"{describe(referral).capitalize()} was due for a response by the end of "
        f"{format_due(referral.due_at)}. Please accept or decline it now; the hub "
        f"will follow it up if it stays unanswered.\n\n{inbox_url()}",
    )


def referrer_update_text(referral) -> str:
    """One sentence for the referrer: where their referral stands now."""
    agency = referral.agency.name
    subject = describe(referral).capitalize()
    match referral.status:
        case Status.REQUESTED:
            return f"{subject} was sent to {agency}."
        case Status.ACCEPTED:
            return f"{subject} was accepted by {agency}."
        case Status.IN_PROGRESS:
            return f"{agency} has started work on {describe(referral)}."
        case Status.COMPLETED:
            outcome = Outcome(referral.outcome).label if referral.outcome else ""
            return f"{subject} was completed by {agency}. Outcome: {outcome}."
        case Status.REJECTED:
            reason = _decline_reason(referral)
            return (
                f"{subject} was declined by {agency} ({reason}). The hub will "
                "send it to another agency."
            )
        case Status.ON_HOLD:
            return f"{subject} is on hold with the hub."
        case Status.CANCELLED:
            return f"{subject} was cancelled by the hub."
    return f"{subject} is now {referral.get_status_display().lower()}."


def _decline_reason(referral) -> str:
    if referral.status_reason in DeclineReason.values:
        return DeclineReason(referral.status_reason).label.lower()
    return "no reason given"


def referrer_email(user, referral, text) -> dict:
    return email(
        [user.email],
        f"Referral {referral.reference}: {referral.get_status_display().lower()}",
        f"{text}\n\n{notifications_url()}",
    )


def hub_declined_email(hub_agency, referral) -> dict:
    return email(
        [hub_agency.email],
        f"Declined: referral {referral.reference} needs re-routing",
        f"{referral.agency.name} declined {describe(referral)}: "
        f"{_decline_reason(referral)}. It is back in the hub queue to send to "
        f"another agency.\n\n{hub_url()}",
    )


def hub_escalation_email(hub_agency, referral) -> dict:
    return email(
        [hub_agency.email],
        f"Escalated: referral {referral.reference} is overdue",
        f"{referral.agency.name} has not responded to {describe(referral)}, due by "
        f"the end of {format_due(referral.due_at)}, despite a reminder. Please "
        f"follow it up or re-route it.\n\n{hub_url()}",
    )


def hub_failed_delivery_email(hub_agency, message) -> dict:
    about = describe(message.referral) if message.referral_id else message.event
    recipient = message.agency.name if message.agency_id else "a user"
    return email(
        [hub_agency.email],
        f"Delivery failed: {message.get_channel_display().lower()} to {recipient}",
        f"The {message.get_channel_display().lower()} about {about} to {recipient} "
        f"failed after {message.attempts} attempts: {message.last_error}\n"
        f"The referral stays in the agency's inbox in First Contact; please "
        f"contact the agency or re-route the referral.\n\n{failed_deliveries_url()}",
    )


def agency_digest_email(agency, day, counts) -> dict:
    return email(
        [agency.email],
        f"First Contact daily summary for {agency.name}, {day:%-d %B %Y}",
        f"Referrals sent to {agency.name} on {day:%-d %B %Y}: {counts['new']}\n"
        f"Waiting for you to accept or decline: {counts['waiting']}\n"
        f"Of those, overdue: {counts['overdue']}\n"
        f"In progress with you: {counts['working']}\n\n{inbox_url()}",
    )


def referrer_digest_email(user, day, lines) -> dict:
    listed = "\n".join(f"- {line}" for line in lines)
    return email(
        [user.email],
        f"First Contact: your referrals on {day:%-d %B %Y}",
        f"What happened to the referrals you made, on {day:%-d %B %Y}:\n{listed}"
        f"\n\n{notifications_url()}",
    )
