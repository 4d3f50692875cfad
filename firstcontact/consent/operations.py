"""The hub's consent operations: withdrawal and consent given after the visit.

Each writes an append-only consent record, changes the person's open
referrals to match through the named referral operations, and writes an audit
event about the person, all in one transaction.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction

from firstcontact.accounts.models import Role
from firstcontact.audit.services import record_event
from firstcontact.consent import wording
from firstcontact.consent.models import ConsentRecord, Decision, Source
from firstcontact.directory.models import Agency
from firstcontact.people.models import Person
from firstcontact.referrals import operations as referral_operations
from firstcontact.referrals.models import OPEN_STATUSES, HoldReason, Referral, Status
from firstcontact.referrals.operations import OperationError, PermissionDenied

logger = logging.getLogger(__name__)

MAX_NOTE_LENGTH = 2000


@dataclass
class ConsentChange:
    record: ConsentRecord
    # The referrals the change held or released.
    referrals: list[Referral] = field(default_factory=list)


def _lock_person_for_hub(person_id, user) -> Person:
    if not user.is_authenticated or user.role != Role.HUB:
        raise PermissionDenied("Only the hub can record a person's consent.")
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None or person.scheme_id != user.scheme_id:
        raise PermissionDenied("You do not have permission to do this.")
    return person


def _agency_or_none(scheme_id, agency_code) -> Agency | None:
    """Return the scheme's agency for the code, or None for "every agency"."""
    if not agency_code:
        return None
    agency = Agency.objects.filter(scheme_id=scheme_id, code=agency_code).first()
    if agency is None:
        raise OperationError(f"{agency_code!r} is not an agency of this scheme.")
    return agency


def _checked_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise OperationError(f"The note must be {MAX_NOTE_LENGTH} characters or fewer.")
    return note


def _record(person, user, agency, decision, version, note) -> ConsentRecord:
    return ConsentRecord.objects.create(
        scheme_id=person.scheme_id,
        person=person,
        agency=agency,
        decision=decision,
        source=Source.HUB,
        recorded_by=user,
        wording_version=version,
        wording=wording.WORDINGS[version],
        note=note,
    )


def _open_referrals(person, agency):
    referrals = Referral.objects.filter(person=person, status__in=OPEN_STATUSES)
    if agency is not None:
        referrals = referrals.filter(agency=agency)
    return referrals.order_by("created_at", "id")


@transaction.atomic
def withdraw_consent(
    person_id, user, *, agency_code=None, note="", remote_addr=None
) -> ConsentChange:
    """Record a withdrawal and hold every open referral it covers.

    Without `agency_code` the withdrawal covers every agency. Each held
    referral's agency hears that it is withdrawn; the hub queue lists the
    withdrawal. Later shares stop because every share checks current_consent.
    """
    person = _lock_person_for_hub(person_id, user)
    agency = _agency_or_none(person.scheme_id, agency_code)
    record = _record(
        person,
        user,
        agency,
        Decision.WITHDRAWN,
        wording.WITHDRAWAL_VERSION,
        _checked_note(note),
    )
    held = [
        referral_operations.hold_for_withdrawn_consent(
            referral.pk, user, remote_addr=remote_addr
        )
        for referral in _open_referrals(person, agency).exclude(
            status=Status.ON_HOLD, status_reason=HoldReason.NO_CONSENT
        )
    ]
    record_event(
        "consent.withdrawn",
        person,
        actor=user,
        person_id=person.pk,
        remote_addr=remote_addr,
        data={
            "agency": agency.code if agency else None,
            "consent_record": str(record.pk),
            "referrals_held": len(held),
        },
    )
    logger.info(
        "Consent withdrawn for person %s (%s); %d referrals held",
        person.pk,
        agency.code if agency else "every agency",
        len(held),
    )
    return ConsentChange(record, held)


@transaction.atomic
def give_consent(
    person_id, user, *, agency_code=None, note="", remote_addr=None
) -> ConsentChange:
    """Record consent told to the hub, and return referrals held for want of it.

    The released referrals wait for the hub as drafts; nothing is sent until
    the hub forwards them.
    """
    person = _lock_person_for_hub(person_id, user)
    agency = _agency_or_none(person.scheme_id, agency_code)
    record = _record(
        person,
        user,
        agency,
        Decision.GIVEN,
        wording.GIVEN_TO_HUB_VERSION,
        _checked_note(note),
    )
    released = [
        referral_operations.release_consent_hold(
            referral.pk, user, remote_addr=remote_addr
        )
        for referral in _open_referrals(person, agency).filter(
            status=Status.ON_HOLD, status_reason=HoldReason.NO_CONSENT
        )
    ]
    record_event(
        "consent.given",
        person,
        actor=user,
        person_id=person.pk,
        remote_addr=remote_addr,
        data={
            "agency": agency.code if agency else None,
            "consent_record": str(record.pk),
            "referrals_released": len(released),
        },
    )
    return ConsentChange(record, released)
