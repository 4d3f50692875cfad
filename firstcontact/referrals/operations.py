"""Named operations that change a referral's status.

Each operation checks that the user may act, locks the referral row, refuses a
change made from a stale page (the `version` the user saw is no longer
current), writes the change and an audit event in one transaction.
"""

from django.db import transaction
from django.utils import timezone

from firstcontact.accounts.models import Role
from firstcontact.audit.services import record_event
from firstcontact.consent.services import current_consent, record_consent_override
from firstcontact.delivery.events import enqueue_referral_change
from firstcontact.delivery.workdays import due_at
from firstcontact.directory.models import Agency
from firstcontact.referrals.models import (
    OPEN_STATUSES,
    DeclineReason,
    HoldReason,
    Outcome,
    Referral,
    Status,
)


class OperationError(Exception):
    """An operation that may not happen; the message says why and what to do."""


class PermissionDenied(OperationError):
    pass


class StaleReferral(OperationError):
    pass


class ConsentRequired(OperationError):
    """The person has not consented to the agency, and no override was given."""


HUB_ONLY = {Role.HUB}
AGENCY_ONLY = {Role.AGENCY}
CLOSED_STATUSES = {
    Status.COMPLETED,
    Status.CANCELLED,
    Status.FAILED,
    Status.ENTERED_IN_ERROR,
}
# The fields whose changes each audit event lists by name (never by value).
TRACKED_FIELDS = (
    "status",
    "status_reason",
    "status_note",
    "outcome",
    "agency_id",
    "forwarded_at",
    "due_at",
    "closed_at",
)


def _change(referral_id, user, *, roles, allowed_from, version, action):
    """Lock and return the referral after checking role, status and version."""
    if not user.is_authenticated or user.role not in roles:
        raise PermissionDenied("You do not have permission to do this.")
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if referral.scheme_id != user.scheme_id:
        raise PermissionDenied("You do not have permission to do this.")
    if user.role == Role.AGENCY and referral.agency_id != user.agency_id:
        raise PermissionDenied("You do not have permission to do this.")
    if version not in (None, "") and str(version) != str(referral.version):
        raise StaleReferral(
            f"Referral {referral.reference} was changed by someone else since you "
            "loaded it, so your change was not saved. Check its current state and "
            "try again."
        )
    if referral.status not in allowed_from:
        status = referral.get_status_display().lower()
        raise OperationError(
            f"Referral {referral.reference} is {status}, so it cannot be {action}."
        )
    return referral


def _save(referral, user, action, *, remote_addr=None, **data):
    now = timezone.now()
    previous = Referral.objects.values(*TRACKED_FIELDS).get(pk=referral.pk)
    if referral.status == Status.REQUESTED:
        referral.due_at = due_at(referral.forwarded_at, referral.service.response_days)
    referral.version += 1
    if referral.status in CLOSED_STATUSES and referral.closed_at is None:
        referral.closed_at = now
    referral.save()
    changed = [
        name.removesuffix("_id")
        for name in TRACKED_FIELDS
        if getattr(referral, name) != previous[name]
    ]
    record_event(
        action,
        referral,
        actor=user,
        person_id=referral.person_id,
        remote_addr=remote_addr,
        data={"status": referral.status, "fields": changed, **data},
    )
    # The messages and notifications commit or roll back with the change.
    enqueue_referral_change(
        referral,
        action,
        previous_status=previous["status"],
        previous_agency_id=previous["agency_id"],
    )
    return referral


@transaction.atomic
def forward_referral(
    referral_id,
    user,
    *,
    version=None,
    remote_addr=None,
    consent_override_reason="",
):
    """Send a referral that waits for the hub to its receiving agency.

    The person must consent to the agency now, unless the hub overrides that
    with a reason, which is kept (consent.ConsentOverride) and audited.
    """
    referral = _change(
        referral_id,
        user,
        roles=HUB_ONLY,
        version=version,
        action="forwarded",
        allowed_from={Status.DRAFT, Status.ON_HOLD},
    )
    held_for_consent = referral.status_reason == HoldReason.NO_CONSENT
    if held_for_consent or not current_consent(referral.person, referral.agency).given:
        if not consent_override_reason.strip():
            raise ConsentRequired(
                f"The person did not consent to their details going to "
                f"{referral.agency.name}, so referral {referral.reference} was not "
                "sent. Record their consent first, or give the reason for sending "
                "it without consent."
            )
        record_consent_override(
            referral, user, reason=consent_override_reason, remote_addr=remote_addr
        )
    referral.status = Status.REQUESTED
    referral.status_reason = ""
    referral.forwarded_at = timezone.now()
    return _save(referral, user, "referral.forwarded", remote_addr=remote_addr)


@transaction.atomic
def hold_referral(
    referral_id, user, *, reason, note="", version=None, remote_addr=None
):
    if reason not in HoldReason.values or reason == HoldReason.NO_CONSENT:
        raise OperationError("Choose why the referral is on hold.")
    referral = _change(
        referral_id,
        user,
        roles=HUB_ONLY,
        version=version,
        action="put on hold",
        allowed_from={Status.DRAFT, Status.REQUESTED, Status.REJECTED},
    )
    referral.status = Status.ON_HOLD
    referral.status_reason = reason
    referral.status_note = note
    return _save(
        referral, user, "referral.held", remote_addr=remote_addr, reason=reason
    )


@transaction.atomic
def reroute_referral(
    referral_id, user, *, agency_code, note="", version=None, remote_addr=None
):
    """Send the referral to another agency, as when the first one declined it."""
    referral = _change(
        referral_id,
        user,
        roles=HUB_ONLY,
        version=version,
        action="re-routed",
        allowed_from={Status.DRAFT, Status.REQUESTED, Status.REJECTED, Status.ON_HOLD},
    )
    agency = Agency.objects.filter(
        scheme_id=referral.scheme_id, code=agency_code
    ).first()
    if agency is None or not agency.has_role("provider"):
        raise OperationError("Choose an agency that provides services in this scheme.")
    if agency.pk == referral.agency_id and referral.status != Status.REJECTED:
        raise OperationError(f"The referral is already with {agency.name}.")
    if not current_consent(referral.person, agency).given:
        raise ConsentRequired(
            f"The person did not consent to their details going to {agency.name}; "
            "choose another agency."
        )
    if referral.status_reason == HoldReason.NO_CONSENT:
        raise OperationError(
            "The person has not consented to this referral being shared; record "
            "their consent first."
        )
    previous = referral.agency.code
    referral.agency = agency
    referral.status = Status.REQUESTED
    referral.status_reason = ""
    referral.status_note = note
    referral.forwarded_at = timezone.now()
    return _save(
        referral,
        user,
        "referral.rerouted",
        remote_addr=remote_addr,
        from_agency=previous,
        to_agency=agency.code,
    )


@transaction.atomic
def cancel_referral(referral_id, user, *, note, version=None, remote_addr=None):
    if not note.strip():
        raise OperationError("Say why the referral is cancelled.")
    referral = _change(
        referral_id,
        user,
        roles=HUB_ONLY,
        version=version,
        action="cancelled",
        allowed_from={Status.DRAFT, Status.REQUESTED, Status.REJECTED, Status.ON_HOLD},
    )
    referral.status = Status.CANCELLED
    referral.status_note = note
    return _save(referral, user, "referral.cancelled", remote_addr=remote_addr)


@transaction.atomic
def accept_referral(referral_id, user, *, version=None, remote_addr=None):
    referral = _change(
        referral_id,
        user,
        roles=AGENCY_ONLY,
        version=version,
        action="accepted",
        allowed_from={Status.REQUESTED},
    )
    referral.status = Status.ACCEPTED
    return _save(referral, user, "referral.accepted", remote_addr=remote_addr)


@transaction.atomic
def decline_referral(
    referral_id, user, *, reason, note="", version=None, remote_addr=None
):
    """Decline with a coded reason; the referral returns to the hub to re-route."""
    if reason not in DeclineReason.values:
        raise OperationError("Choose why you are declining the referral.")
    referral = _change(
        referral_id,
        user,
        roles=AGENCY_ONLY,
        version=version,
        action="declined",
        allowed_from={Status.REQUESTED, Status.ACCEPTED},
    )
    referral.status = Status.REJECTED
    referral.status_reason = reason
    referral.status_note = note
    return _save(
        referral, user, "referral.declined", remote_addr=remote_addr, reason=reason
    )


@transaction.atomic
def start_referral(referral_id, user, *, version=None, remote_addr=None):
    referral = _change(
        referral_id,
        user,
        roles=AGENCY_ONLY,
        version=version,
        action="started",
        allowed_from={Status.ACCEPTED},
    )
    referral.status = Status.IN_PROGRESS
    return _save(referral, user, "referral.started", remote_addr=remote_addr)


@transaction.atomic
def complete_referral(
    referral_id, user, *, outcome, note="", version=None, remote_addr=None
):
    if outcome not in Outcome.values:
        raise OperationError("Choose the outcome of the referral.")
    referral = _change(
        referral_id,
        user,
        roles=AGENCY_ONLY,
        version=version,
        action="completed",
        allowed_from={Status.ACCEPTED, Status.IN_PROGRESS},
    )
    referral.status = Status.COMPLETED
    referral.outcome = outcome
    referral.status_note = note
    return _save(
        referral, user, "referral.completed", remote_addr=remote_addr, outcome=outcome
    )


# Holds for consent. Withdrawal and new consent change many referrals at once,
# so these take the referral's id without a version: the person's statement
# applies whatever the page showed.


@transaction.atomic
def hold_for_withdrawn_consent(referral_id, user, *, remote_addr=None):
    """Hold an open referral because the person withdrew consent to its agency.

    The agency that had it is told the referral is withdrawn (firstcontact.delivery).
    """
    referral = _change(
        referral_id,
        user,
        roles=HUB_ONLY,
        version=None,
        action="held for want of consent",
        allowed_from=OPEN_STATUSES,
    )
    if referral.status == Status.ON_HOLD and (
        referral.status_reason == HoldReason.NO_CONSENT
    ):
        return referral
    referral.status = Status.ON_HOLD
    referral.status_reason = HoldReason.NO_CONSENT
    return _save(
        referral,
        user,
        "referral.held",
        remote_addr=remote_addr,
        reason=HoldReason.NO_CONSENT,
    )


@transaction.atomic
def release_consent_hold(referral_id, user, *, remote_addr=None):
    """Return a referral held for want of consent to the hub, now consent is given."""
    referral = _change(
        referral_id,
        user,
        roles=HUB_ONLY,
        version=None,
        action="released",
        allowed_from={Status.ON_HOLD},
    )
    if referral.status_reason != HoldReason.NO_CONSENT:
        return referral
    referral.status = Status.DRAFT
    referral.status_reason = ""
    return _save(referral, user, "referral.released", remote_addr=remote_addr)
