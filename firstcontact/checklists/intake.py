"""Intake: one checklist in, eligibility decided, referrals out.

The web form and the API call `submit_checklist` for one submission. The batch
import calls `submit_checklists` for a chunk of lines, which stores the same
records and returns the same results as submitting them one at a time. A
submission is idempotent on (referrer agency, external_id): sending it again
returns "duplicate" with the first checklist's id and creates nothing. An
invalid submission is rejected with field errors and nothing is saved.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.audit.services import build_event
from firstcontact.checklists.eligibility import find_ineligibility_reasons
from firstcontact.checklists.models import Checklist
from firstcontact.checklists.validation import Submission, validate_submission
from firstcontact.consent.models import ConsentRecord
from firstcontact.consent.services import checklist_consent_records
from firstcontact.delivery.events import enqueue_referrals_created
from firstcontact.directory.context import SchemeContext
from firstcontact.directory.postcodes import lookup_district_code
from firstcontact.people.matching import (
    MatchKey,
    find_candidates,
    find_match,
    match_key,
    new_person,
)
from firstcontact.people.models import Person, PossibleMatch
from firstcontact.referrals.models import OPEN_STATUSES, HoldReason, Referral, Status
from firstcontact.referrals.routing import (
    DUPLICATE_OPEN_REFERRAL,
    NO_CONSENT,
    plan_referrals,
)

logger = logging.getLogger(__name__)

# The status reason of a held referral that a later consented one replaced.
SUPERSEDED = "superseded"


def today_in_london() -> datetime.date:
    return timezone.localdate()


def rejected_result(external_id, errors) -> dict:
    return {
        "external_id": external_id if isinstance(external_id, str) else None,
        "status": "rejected",
        "errors": [e.as_dict() for e in errors],
    }


def result_for(checklist: Checklist, status: str, referrals=None) -> dict:
    """The exchange format's result object for a stored checklist.

    `referrals` defaults to the checklist's referrals as they stand now, less
    those held for want of consent, which `not_referred` lists instead. Those
    stay out even after a later checklist has superseded the hold.
    """
    if referrals is None:
        held_services = {
            entry["service"]
            for entry in checklist.not_referred
            if entry["reason"] == NO_CONSENT
        }
        referrals = [
            r
            for r in checklist.referrals.select_related("service", "agency")
            if r.service.code not in held_services
        ]
    return {
        "external_id": checklist.external_id,
        "status": status,
        "checklist_id": str(checklist.pk),
        "reference": checklist.reference,
        "eligible": checklist.eligible,
        "ineligibility_reasons": list(checklist.ineligibility_reasons),
        "district": checklist.district.code if checklist.district else None,
        "referrals": sorted(
            (
                {
                    "service": r.service.code,
                    "agency": r.agency.code,
                    "priority": r.priority,
                }
                for r in referrals
            ),
            key=lambda r: r["service"],
        ),
        "not_referred": list(checklist.not_referred),
    }


def submit_checklist(
    payload,
    context: SchemeContext,
    *,
    channel: str,
    user=None,
    remote_addr=None,
    today: datetime.date | None = None,
) -> dict:
    """Validate, store and route one submission; return its result object."""
    today = today or today_in_london()
    external_id = payload.get("external_id") if isinstance(payload, dict) else None
    submission, errors = validate_submission(payload, context, today)
    if errors:
        return rejected_result(external_id, errors)

    agency = context.agencies[submission.agency_code]
    existing = _find_existing(agency, submission.external_id)
    if existing is not None:
        return result_for(existing, "duplicate")
    try:
        with transaction.atomic():
            known = _KnownRecords.load(context.scheme, [submission])
            intake = _prepare(
                submission,
                context,
                known,
                channel=channel,
                user=user,
                remote_addr=remote_addr,
            )
            _write([intake])
    except IntegrityError:
        # Another request stored the same (agency, external_id) first.
        existing = _find_existing(agency, submission.external_id)
        if existing is None:
            raise
        return result_for(existing, "duplicate")
    _log_received(intake, channel)
    return intake.result


def submit_checklists(payloads, context: SchemeContext, *, channel: str) -> list:
    """Validate, store and route a chunk of submissions; return results in order.

    Stores the same records and returns the same results as `submit_checklist`
    called on each payload in turn, also when a payload repeats an earlier one
    of the same chunk. It reads and writes each kind of record once for the
    whole chunk. Call it inside `transaction.atomic()`: if it raises, roll the
    chunk back and submit its payloads one at a time to isolate the failure.
    """
    results: list[dict | None] = [None] * len(payloads)
    accepted = []
    for index, payload in enumerate(payloads):
        external_id = payload.get("external_id") if isinstance(payload, dict) else None
        submission, errors = validate_submission(payload, context, today_in_london())
        if errors:
            results[index] = rejected_result(external_id, errors)
        else:
            accepted.append((index, submission))

    submissions = [submission for _, submission in accepted]
    known = _KnownRecords.load(context.scheme, submissions, checklists_of=context)
    intakes, duplicates = [], []
    for index, submission in accepted:
        agency = context.agencies[submission.agency_code]
        existing = known.checklist(agency, submission.external_id)
        if existing is not None:
            duplicates.append((index, existing))
            continue
        intake = _prepare(submission, context, known, channel=channel)
        intakes.append(intake)
        results[index] = intake.result
    _write(intakes)
    # A duplicate's result lists what its first checklist stored, which may be
    # one written just above.
    for index, existing in duplicates:
        results[index] = result_for(existing, "duplicate")
    for intake in intakes:
        _log_received(intake, channel)
    return results


def _find_existing(agency, external_id) -> Checklist | None:
    return (
        Checklist.objects.filter(agency=agency, external_id=external_id)
        .select_related("district")
        .first()
    )


def _log_received(intake: "_Intake", channel: str) -> None:
    logger.debug(
        "Checklist %s received by %s: %d referrals",
        intake.checklist.pk,
        channel,
        len(intake.result["referrals"]),
    )


class _KnownRecords:
    """The stored records that intake consults, loaded once for a chunk.

    Intake adds each checklist, person and referral it prepares, so a later
    submission in the same chunk finds them as if they were stored.
    """

    def __init__(self):
        self.checklists: dict[tuple, Checklist] = {}
        self.people: dict[MatchKey, list[Person]] = {}
        # Each known person's referrals in an open status when loaded, and
        # every referral prepared for them since.
        self.referrals: dict[object, list[Referral]] = {}

    @classmethod
    def load(cls, scheme, submissions, *, checklists_of=None) -> "_KnownRecords":
        """Load the people and open referrals that `submissions` may match.

        With `checklists_of` (the scheme context), also load the checklists
        already stored under the submissions' (agency, external_id) pairs.
        """
        known = cls()
        known.people = find_candidates(scheme, (match_key(s) for s in submissions))
        person_ids = [p.pk for people in known.people.values() for p in people]
        if person_ids:
            open_referrals = Referral.objects.filter(
                person_id__in=person_ids, status__in=OPEN_STATUSES
            ).only("id", "person_id", "service_id", "status", "status_reason")
            for referral in open_referrals:
                known.referrals.setdefault(referral.person_id, []).append(referral)
        if checklists_of is not None and submissions:
            pairs = {
                (checklists_of.agencies[s.agency_code].pk, s.external_id)
                for s in submissions
            }
            stored = Checklist.objects.filter(
                agency_id__in={agency_id for agency_id, _ in pairs},
                external_id__in={external_id for _, external_id in pairs},
            ).select_related("district")
            for checklist in stored:
                pair = (checklist.agency_id, checklist.external_id)
                if pair in pairs:
                    known.checklists[pair] = checklist
        return known

    def checklist(self, agency, external_id) -> Checklist | None:
        return self.checklists.get((agency.pk, external_id))

    def add_checklist(self, checklist: Checklist) -> None:
        self.checklists[(checklist.agency_id, checklist.external_id)] = checklist

    def candidates(self, key: MatchKey) -> list[Person]:
        return self.people.setdefault(key, [])

    def referrals_of(self, person: Person) -> list[Referral]:
        return self.referrals.setdefault(person.pk, [])


@dataclass
class _Intake:
    """The records that one accepted submission adds, before they are written."""

    checklist: Checklist
    new_person: Person | None
    possible_matches: list[PossibleMatch]
    consent_records: list[ConsentRecord]
    referrals: list[Referral]
    sent: list[Referral]
    # Stored referrals held for want of consent that a sent one supersedes.
    superseded: list[Referral]
    event: AuditEvent
    result: dict


def _prepare(
    submission: Submission,
    context: SchemeContext,
    known: _KnownRecords,
    *,
    channel,
    user=None,
    remote_addr=None,
) -> _Intake:
    """Decide everything one submission stores, and add it to `known`."""
    scheme = context.scheme
    ons_code = lookup_district_code(submission.postcode)
    district = context.districts_by_ons.get(ons_code) if ons_code else None
    reasons = find_ineligibility_reasons(
        scheme,
        date_of_birth=submission.date_of_birth,
        visit_date=submission.visit_date,
        source=submission.source,
        ons_code=ons_code,
        district=district,
    )
    key = match_key(submission)
    candidates = known.candidates(key)
    person = find_match(candidates, submission.postcode)
    created, possible_matches = None, []
    if person is None:
        person = created = new_person(scheme, submission, district, key)
        possible_matches = [
            PossibleMatch(person=person, candidate=c) for c in candidates
        ]
        candidates.append(person)

    checklist = Checklist(
        scheme=scheme,
        checklist_version=context.versions[submission.checklist_version],
        agency=context.agencies[submission.agency_code],
        external_id=submission.external_id,
        worker_name=submission.worker,
        submitted_by=user,
        channel=channel,
        source=submission.source,
        visit_date=submission.visit_date,
        person=person,
        district=district,
        answers=submission.answers,
        consent_share=submission.consent_share,
        consent_except=submission.consent_except,
        safeguarding_concern=submission.safeguarding_concern,
        equality=submission.equality,
        eligible=not reasons,
        ineligibility_reasons=reasons,
    )
    known.add_checklist(checklist)
    # Routing below reads the same statement from the checklist, so it agrees
    # with current_consent for every agency.
    consent_records = checklist_consent_records(checklist, context.agencies, user=user)
    sent, held, superseded = [], [], []
    if checklist.eligible:
        person_referrals = known.referrals_of(person)
        sent, held, superseded = _route(checklist, context, person_referrals)
        person_referrals.extend(sent + held)

    event = build_event(
        "checklist.received",
        checklist,
        actor=user,
        person_id=person.pk,
        data={"channel": channel, "eligible": checklist.eligible},
        remote_addr=remote_addr,
    )
    return _Intake(
        checklist=checklist,
        new_person=created,
        possible_matches=possible_matches,
        consent_records=consent_records,
        referrals=sent + held,
        sent=sent,
        superseded=superseded,
        event=event,
        result=result_for(checklist, "processed", sent),
    )


def _route(checklist: Checklist, context: SchemeContext, person_referrals):
    """Plan an eligible checklist's referrals and set its `not_referred`.

    `person_referrals` are the person's referrals that may still be open.
    Returns (sent, held, superseded): new referrals to send, new referrals held
    for want of consent, and stored held referrals that a sent one replaces.
    A held referral not yet stored is cancelled in place instead.
    """
    plan = plan_referrals(
        context,
        context.questions[checklist.checklist_version.version],
        checklist.answers,
        checklist.district,
        consent_share=checklist.consent_share,
        consent_except=checklist.consent_except,
    )
    open_services = {
        r.service_id
        for r in person_referrals
        if r.status in OPEN_STATUSES and not _held_for_consent(r)
    }
    sent, held, not_referred = [], [], []
    for planned in plan:
        if planned.service.pk in open_services:
            not_referred.append(
                {"service": planned.service.code, "reason": DUPLICATE_OPEN_REFERRAL}
            )
            continue
        referral = Referral(
            scheme=checklist.scheme,
            checklist=checklist,
            person=checklist.person,
            service=planned.service,
            agency=planned.agency,
            district=checklist.district,
            priority=planned.priority,
            reasons=planned.reasons,
        )
        if planned.has_consent:
            sent.append(referral)
        else:
            referral.status = Status.ON_HOLD
            referral.status_reason = HoldReason.NO_CONSENT
            held.append(referral)
            not_referred.append({"service": planned.service.code, "reason": NO_CONSENT})
    checklist.not_referred = not_referred

    # A consented referral supersedes one held earlier for want of consent.
    sent_services = {r.service_id for r in sent}
    superseded = []
    for referral in person_referrals:
        if not (_held_for_consent(referral) and referral.service_id in sent_services):
            continue
        if referral._state.adding:
            # Held by an earlier submission of the same chunk: it is stored
            # already cancelled, as the update would have left it.
            referral.status_reason = SUPERSEDED
            referral.closed_at = timezone.now()
            referral.version += 1
        else:
            superseded.append(referral)
        referral.status = Status.CANCELLED
    return sent, held, superseded


def _held_for_consent(referral: Referral) -> bool:
    return (
        referral.status == Status.ON_HOLD
        and referral.status_reason == HoldReason.NO_CONSENT
    )


def _write(intakes: list[_Intake]) -> None:
    """Insert the prepared records, one statement for each kind of record."""
    if not intakes:
        return
    _insert(Person, [i.new_person for i in intakes if i.new_person])
    _insert(PossibleMatch, [match for i in intakes for match in i.possible_matches])
    _insert(Checklist, [i.checklist for i in intakes])
    _insert(ConsentRecord, [r for i in intakes for r in i.consent_records])
    for intake in intakes:
        if intake.superseded:
            _cancel_superseded(intake.checklist.person, intake.superseded)
    _insert(Referral, [r for i in intakes for r in i.referrals])
    enqueue_referrals_created([r for i in intakes for r in i.sent])
    _insert(AuditEvent, [i.event for i in intakes])


def _insert(model, objs) -> None:
    """Insert new model instances, as bulk_create does, with one prepared statement.

    Every field goes through pre_save() and get_db_prep_save(), as in
    bulk_create, so defaults, auto_now values and database types come out the
    same. It skips what these records never need: expressions as values,
    primary keys made by the database (all these models use UUIDs made here)
    and checks for unsaved related objects, which `_write` inserts first.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    quote = connection.ops.quote_name
    # Only quoted table and column names are formatted in; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # nosec B608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [
        [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _cancel_superseded(person, referrals) -> None:
    Referral.objects.filter(
        person=person,
        service__in={r.service_id for r in referrals},
        status=Status.ON_HOLD,
        status_reason=HoldReason.NO_CONSENT,
    ).update(
        status=Status.CANCELLED,
        status_reason=SUPERSEDED,
        closed_at=timezone.now(),
        version=F("version") + 1,
    )


def create_referrals_for(
    checklist: Checklist, context: SchemeContext
) -> list[Referral]:
    """Create the referrals an eligible stored checklist's answers lead to.

    Returns the referrals that will be sent; a referral without consent is
    held and recorded in `checklist.not_referred` instead, and so is a service
    for which the person already has an open referral.
    """
    person_referrals = list(
        Referral.objects.filter(person=checklist.person, status__in=OPEN_STATUSES).only(
            "id", "person_id", "service_id", "status", "status_reason"
        )
    )
    sent, held, superseded = _route(checklist, context, person_referrals)
    if superseded:
        _cancel_superseded(checklist.person, superseded)
    Referral.objects.bulk_create(sent + held)
    enqueue_referrals_created(sent)
    checklist.save(update_fields=["not_referred"])
    return sent
