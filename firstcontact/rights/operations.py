"""The person's rights: correction and erasure, as named operations.

Each checks the user's role, locks the person's row, writes the change and an
audit event that names the changed fields (never their values) in one
transaction.
"""

import datetime
import logging

from django.db import IntegrityError, transaction

from firstcontact.accounts.scoping import RIGHTS_ROLES
from firstcontact.audit.services import record_event
from firstcontact.checklists.models import Checklist
from firstcontact.consent.models import ConsentOverride, ConsentRecord
from firstcontact.delivery.models import MessageStatus, OutboxMessage
from firstcontact.directory.models import District
from firstcontact.directory.postcodes import lookup_district_code
from firstcontact.people.matching import name_key
from firstcontact.people.models import Person, PossibleMatch
from firstcontact.referrals.models import OPEN_STATUSES, Referral
from firstcontact.referrals.operations import OperationError, PermissionDenied
from firstcontact.rights.models import Erasure

logger = logging.getLogger(__name__)

# What every erased text field holds, so pages and exports say "erased".
ERASED = "erased"
CORRECTABLE_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "address_line_1",
    "postcode",
    "phone",
    "lives_alone",
)


def _lock_person(person_id, user) -> Person:
    """Lock the person for a user who serves rights, or for the system (None)."""
    if user is not None and (
        not user.is_authenticated or user.role not in RIGHTS_ROLES
    ):
        raise PermissionDenied("Only the hub or an administrator can do this.")
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None or (user is not None and person.scheme_id != user.scheme_id):
        raise PermissionDenied("You do not have permission to do this.")
    return person


def is_erased(person) -> bool:
    return Erasure.objects.filter(person=person).exists()


@transaction.atomic
def correct_person(person_id, user, *, changes: dict, remote_addr=None) -> list[str]:
    """Correct the person's details; return the names of the fields changed.

    `changes` maps field names of CORRECTABLE_FIELDS to their corrected values,
    already validated. A changed name also changes its matching key, and a
    changed postcode its district.
    """
    person = _lock_person(person_id, user)
    if is_erased(person):
        raise OperationError("This person's details were erased, so none can change.")
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise OperationError(f"These fields cannot be corrected: {sorted(unknown)}.")
    changed = [
        name for name, value in changes.items() if getattr(person, name) != value
    ]
    if not changed:
        return []
    for name in changed:
        setattr(person, name, changes[name])
    person.given_key = name_key(person.given_name)
    person.family_key = name_key(person.family_name)
    if "postcode" in changed:
        person.district = _district_for(person.scheme_id, person.postcode)
    person.save()
    record_event(
        "person.corrected",
        person,
        actor=user,
        person_id=person.pk,
        remote_addr=remote_addr,
        data={"fields": sorted(changed)},
    )
    logger.info("Person %s corrected: %s", person.pk, ", ".join(sorted(changed)))
    return sorted(changed)


def _district_for(scheme_id, postcode) -> District | None:
    ons_code = lookup_district_code(postcode)
    if ons_code is None:
        return None
    return District.objects.filter(scheme_id=scheme_id, ons_code=ons_code).first()


@transaction.atomic
def erase_person(person_id, user, *, kind=Erasure.Kind.REQUEST, remote_addr=None):
    """Replace the person's details everywhere they are held; return the Erasure.

    `user` is None when the retention policy erases. A person with open
    referrals is not erased: the hub closes or cancels them first. Erasing a
    person twice returns the first erasure and changes nothing.
    """
    person = _lock_person(person_id, user)
    existing = Erasure.objects.filter(person=person).first()
    if existing is not None:
        return existing
    open_referrals = Referral.objects.filter(person=person, status__in=OPEN_STATUSES)
    if open_referrals.exists():
        raise OperationError(
            f"The person has {open_referrals.count()} open referrals. Cancel or "
            "close them before erasing the person's details."
        )
    counts = {
        "checklists": _erase_checklists(person),
        "referrals": _erase_referrals(person),
        "consent_records": _erase_consent(person),
        "messages": _erase_messages(person),
    }
    _erase_person_row(person)
    PossibleMatch.objects.filter(person=person).delete()
    PossibleMatch.objects.filter(candidate=person).delete()
    try:
        with transaction.atomic():
            erasure = Erasure.objects.create(person=person, kind=kind, erased_by=user)
    except IntegrityError:
        # Another process erased the person first; its changes are the same.
        return Erasure.objects.get(person=person)
    record_event(
        "person.erased",
        person,
        actor=user,
        person_id=person.pk,
        remote_addr=remote_addr,
        data={"kind": kind, **counts},
    )
    logger.info("Person %s erased (%s): %s", person.pk, kind, counts)
    return erasure


def _erase_person_row(person) -> None:
    person.given_name = ERASED
    person.family_name = ERASED
    # Empty keys match no name, so a later checklist makes a new person.
    person.given_key = ""
    person.family_key = ""
    # The year of birth stays, so age bands in the reports still count them.
    person.date_of_birth = datetime.date(person.date_of_birth.year, 1, 1)
    person.address_line_1 = ERASED
    person.postcode = ERASED
    person.phone = ""
    person.lives_alone = None
    person.save()


def _erase_checklists(person) -> int:
    checklists = list(Checklist.objects.filter(person=person))
    for checklist in checklists:
        # The partner's own id would let their system name the person again.
        checklist.external_id = f"{ERASED}-{checklist.pk.hex}"
        checklist.worker_name = ERASED
        checklist.equality = {}
        if checklist.safeguarding_concern:
            checklist.safeguarding_concern = ERASED
        if checklist.eligibility_override_reason:
            checklist.eligibility_override_reason = ERASED
        checklist.save(
            update_fields=[
                "external_id",
                "worker_name",
                "equality",
                "safeguarding_concern",
                "eligibility_override_reason",
            ]
        )
    return len(checklists)


def _erase_referrals(person) -> int:
    referrals = Referral.objects.filter(person=person)
    referrals.exclude(status_note="").update(status_note=ERASED)
    return referrals.count()


def _erase_consent(person) -> int:
    ConsentRecord.objects.filter(person=person).exclude(note="").redact_text(
        note=ERASED
    )
    ConsentOverride.objects.filter(person=person).redact_text(reason=ERASED)
    return ConsentRecord.objects.filter(person=person).count()


def _erase_messages(person) -> int:
    """Replace the payload of messages about the person that were already sent.

    Messages still waiting are left to go out: they carry no personal details
    (firstcontact.delivery.messages), only references.
    """
    return (
        OutboxMessage.objects.filter(referral__person=person)
        .exclude(status=MessageStatus.PENDING)
        .update(payload={ERASED: True})
    )
