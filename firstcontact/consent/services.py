"""Read and write consent: the current decision, and the records of a checklist.

`current_consent` decides for one person and agency, and `shareable_referrals`
filters a queryset by the same rule in SQL, for lists, exports and digests.
"""

from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone

from firstcontact.audit.services import record_event
from firstcontact.consent import wording
from firstcontact.consent.models import (
    ConsentOverride,
    ConsentRecord,
    Decision,
    Source,
)

# Newest statement first; within one statement, the record naming an agency
# comes before the all-agencies record made at the same moment.
LATEST_FIRST = ("-recorded_at", F("agency_id").desc(nulls_last=True))


@dataclass(frozen=True)
class ConsentState:
    given: bool
    # The record the decision comes from, or None when it comes from a
    # checklist received before consent records were kept.
    record: ConsentRecord | None = None

    @property
    def decision(self) -> str:
        if self.record is not None:
            return self.record.decision
        return Decision.GIVEN if self.given else Decision.REFUSED


def records_about(person, agency):
    """Return the person's records that apply to the agency, newest first."""
    return (
        ConsentRecord.objects.filter(person=person)
        .filter(Q(agency=agency) | Q(agency__isnull=True))
        .order_by(*LATEST_FIRST)
    )


def current_consent(person, agency) -> ConsentState:
    """Return whether the person's details may go to the agency now."""
    record = records_about(person, agency).first()
    if record is not None:
        return ConsentState(given=record.decision == Decision.GIVEN, record=record)
    return _consent_from_checklist(latest_checklist(person), agency)


def latest_checklist(person):
    return person.checklists.order_by("-received_at").first()


def _consent_from_checklist(checklist, agency) -> ConsentState:
    """Return the consent a checklist states, for people without records."""
    given = (
        checklist is not None
        and checklist.consent_share
        and agency.code not in checklist.consent_except
    )
    return ConsentState(given=given)


def _latest_decision(person="person", agency="agency"):
    return Subquery(
        ConsentRecord.objects.filter(person=OuterRef(person))
        .filter(Q(agency=OuterRef(agency)) | Q(agency__isnull=True))
        .order_by(*LATEST_FIRST)
        .values("decision")[:1]
    )


def shareable_referrals(referrals):
    """Keep the referrals whose person consents to their agency now.

    This is the filter hook for everything that shares referrals with their
    agency: the agency's lists and API, exports and digests.
    NOTE: a person with no consent record at all (data written before consent
    records were kept) keeps the routing intake gave their referrals, which
    already held those without consent.
    """
    latest = _latest_decision()
    return referrals.filter(Q(Exact(latest, Decision.GIVEN)) | Q(IsNull(latest, True)))


def checklist_consent_records(checklist, agencies_by_code, *, user=None):
    """Build (unsaved) the consent records that a checklist's answers state.

    One record for every agency (given or refused), then one refusal for each
    agency the person named as an exception.
    """
    now = timezone.now()
    common = {
        "scheme_id": checklist.scheme_id,
        "person_id": checklist.person_id,
        "source": Source.CHECKLIST,
        "source_checklist": checklist,
        "recorded_by": user if user is not None and user.is_authenticated else None,
        "recorded_at": now,
        "wording_version": wording.CHECKLIST_VERSION,
        "wording": wording.WORDINGS[wording.CHECKLIST_VERSION],
    }
    decision = Decision.GIVEN if checklist.consent_share else Decision.REFUSED
    records = [ConsentRecord(agency=None, decision=decision, **common)]
    if checklist.consent_share:
        records += [
            ConsentRecord(
                agency=agencies_by_code[code], decision=Decision.REFUSED, **common
            )
            for code in checklist.consent_except
            if code in agencies_by_code
        ]
    return records


def consent_by_agency(person, agencies) -> list[tuple]:
    """Return (agency, ConsentState) for each agency, from one query.

    The same rule as `current_consent`, applied in Python to all the
    person's records at once, for the hub's consent page.
    """
    records = list(ConsentRecord.objects.filter(person=person).order_by(*LATEST_FIRST))
    checklist = None
    summary = []
    for agency in agencies:
        record = next((r for r in records if r.agency_id in (agency.pk, None)), None)
        if record is not None:
            state = ConsentState(record.decision == Decision.GIVEN, record)
        else:
            checklist = checklist or latest_checklist(person)
            state = _consent_from_checklist(checklist, agency)
        summary.append((agency, state))
    return summary


def record_consent_override(referral, user, *, reason, remote_addr=None):
    """Record that the hub sends a referral without consent, and why."""
    override = ConsentOverride.objects.create(
        scheme_id=referral.scheme_id,
        referral=referral,
        person_id=referral.person_id,
        agency_id=referral.agency_id,
        reason=reason.strip(),
        decided_by=user,
    )
    record_event(
        "consent.overridden",
        referral,
        actor=user,
        person_id=referral.person_id,
        remote_addr=remote_addr,
        data={"agency": referral.agency.code, "override": str(override.pk)},
    )
    return override
