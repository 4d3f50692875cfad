"""Subject access: everything held about one person, and where it went.

`subject_access_data` returns plain data for the JSON download and the
printable page. Staff appear by role and agency, not by name, because the
export goes to the person; the audit search shows names to managers.
"""

from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.directory.models import Agency, Question
from firstcontact.rights.models import Erasure


def _iso(value):
    return value.isoformat() if value is not None else None


def describe_staff(user) -> dict | None:
    if user is None:
        return None
    return {
        "role": user.get_role_display(),
        "agency": user.agency.name if user.agency_id else None,
    }


def subject_access_data(person) -> dict:
    """Return every record held about the person, as JSON-ready data."""
    erasure = Erasure.objects.filter(person=person).first()
    checklists = list(
        person.checklists.select_related("agency", "checklist_version").order_by(
            "received_at"
        )
    )
    referrals = list(
        person.referrals.select_related("service", "agency", "checklist").order_by(
            "created_at"
        )
    )
    events = list(
        AuditEvent.objects.filter(person_id=person.pk)
        .select_related("actor__agency")
        .order_by("at")
    )
    return {
        "generated_at": timezone.now().isoformat(),
        "person": _person(person, erasure),
        "checklists": [_checklist(checklist) for checklist in checklists],
        "referrals": [_referral(referral) for referral in referrals],
        "consent_records": _consent_records(person),
        "consent_overrides": _consent_overrides(person),
        "shared_with": _shared_with(person, referrals, events),
        "audit_events": [_event(event) for event in events],
    }


def _person(person, erasure) -> dict:
    return {
        "id": str(person.pk),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": _iso(person.date_of_birth),
        "address_line_1": person.address_line_1,
        "postcode": person.postcode,
        "district": person.district.name if person.district_id else None,
        "phone": person.phone,
        "lives_alone": person.lives_alone,
        "first_recorded_at": _iso(person.created_at),
        "erased": erasure is not None,
        "erased_at": _iso(erasure.erased_at) if erasure else None,
    }


def _answers(checklist) -> list[dict]:
    questions = Question.objects.filter(
        checklist_version_id=checklist.checklist_version_id
    ).order_by("id")
    return [
        {
            "question": question.text,
            "answer": checklist.answers.get(question.code),
        }
        for question in questions
        if question.code in checklist.answers
    ]


def _checklist(checklist) -> dict:
    return {
        "id": str(checklist.pk),
        "reference": checklist.reference,
        "received_at": _iso(checklist.received_at),
        "visit_date": _iso(checklist.visit_date),
        "referring_agency": checklist.agency.name,
        "worker_name": checklist.worker_name,
        "channel": checklist.channel,
        "answers": _answers(checklist),
        "consent_to_share": checklist.consent_share,
        "agencies_excepted": list(checklist.consent_except),
        "safeguarding_concern": checklist.safeguarding_concern,
        "equality": dict(checklist.equality),
        "eligible": checklist.eligible,
        "ineligibility_reasons": list(checklist.ineligibility_reasons),
        "eligibility_override_reason": checklist.eligibility_override_reason,
    }


def _referral(referral) -> dict:
    return {
        "id": str(referral.pk),
        "reference": referral.reference,
        "checklist": referral.checklist.reference,
        "service": referral.service.name,
        "agency": referral.agency.name,
        "status": referral.get_status_display(),
        "status_reason": referral.status_reason,
        "status_note": referral.status_note,
        "outcome": referral.outcome,
        "created_at": _iso(referral.created_at),
        "sent_to_agency_at": _iso(referral.forwarded_at),
        "closed_at": _iso(referral.closed_at),
    }


def _consent_records(person) -> list[dict]:
    records = person.consent_records.select_related(
        "agency", "recorded_by__agency", "source_checklist"
    ).order_by("recorded_at")
    return [
        {
            "recorded_at": _iso(record.recorded_at),
            "decision": record.get_decision_display(),
            "agency": record.agency.name if record.agency_id else "Every agency",
            "source": record.get_source_display(),
            "checklist": (
                record.source_checklist.reference if record.source_checklist else None
            ),
            "recorded_by": describe_staff(record.recorded_by),
            "wording_version": record.wording_version,
            "wording": record.wording,
            "note": record.note,
        }
        for record in records
    ]


def _consent_overrides(person) -> list[dict]:
    overrides = person.consent_overrides.select_related(
        "agency", "referral", "decided_by__agency"
    ).order_by("decided_at")
    return [
        {
            "decided_at": _iso(override.decided_at),
            "referral": override.referral.reference,
            "agency": override.agency.name,
            "reason": override.reason,
            "decided_by": describe_staff(override.decided_by),
        }
        for override in overrides
    ]


def _shared_with(person, referrals, events) -> list[dict]:
    """Return each agency that received or saw the person's details, and how."""
    how: dict[str, set[str]] = {}
    for referral in referrals:
        if referral.forwarded_at is not None:
            how.setdefault(referral.agency.code, set()).add(
                f"referral {referral.reference}"
            )
    for event in events:
        if event.action == "referral.rerouted":
            for key in ("from_agency", "to_agency"):
                if event.data.get(key):
                    how.setdefault(event.data[key], set()).add("referral re-routed")
        elif event.actor is not None and event.actor.agency_id:
            if event.action.endswith((".viewed", ".listed")):
                how.setdefault(event.actor.agency.code, set()).add(
                    "viewed by its staff"
                )
    names = dict(
        Agency.objects.filter(scheme_id=person.scheme_id, code__in=how).values_list(
            "code", "name"
        )
    )
    return [
        {"agency": names.get(code, code), "how": sorted(how[code])}
        for code in sorted(how, key=lambda code: names.get(code, code))
    ]


def _event(event) -> dict:
    return {
        "at": _iso(event.at),
        "action": event.action,
        "by": describe_staff(event.actor),
        "record_type": event.target_type,
        "record_id": str(event.target_id),
    }
