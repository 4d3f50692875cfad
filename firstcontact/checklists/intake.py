"""Intake: one checklist in, eligibility decided, referrals out.

The web form, the API and the batch import all call `submit_checklist`. A
submission is idempotent on (referrer agency, external_id): sending it again
returns "duplicate" with the first checklist's id and creates nothing. An
invalid submission is rejected with field errors and nothing is saved.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from firstcontact.audit.services import record_event
from firstcontact.checklists.eligibility import find_ineligibility_reasons
from firstcontact.checklists.models import Checklist
from firstcontact.checklists.validation import Submission, validate_submission
from firstcontact.consent.models import ConsentRecord
from firstcontact.consent.services import checklist_consent_records
from firstcontact.delivery.events import enqueue_referrals_created
from firstcontact.directory.context import SchemeContext
from firstcontact.directory.postcodes import lookup_district_code
from firstcontact.people.matching import match_or_create_person
from firstcontact.referrals.models import OPEN_STATUSES, HoldReason, Referral, Status
from firstcontact.referrals.routing import (
    DUPLICATE_OPEN_REFERRAL,
    NO_CONSENT,
    plan_referrals,
)

logger = logging.getLogger(__name__)


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
            checklist, result = _store_checklist(
                submission, context, channel=channel, user=user
            )
            record_event(
                "checklist.received",
                checklist,
                actor=user,
                person_id=checklist.person_id,
                data={"channel": channel, "eligible": checklist.eligible},
                remote_addr=remote_addr,
            )
    except IntegrityError:
        # Another request stored the same (agency, external_id) first.
        existing = _find_existing(agency, submission.external_id)
        if existing is None:
            raise
        return result_for(existing, "duplicate")
    logger.debug(
        "Checklist %s received by %s: %d referrals",
        checklist.pk,
        channel,
        len(result["referrals"]),
    )
    return result


def _find_existing(agency, external_id) -> Checklist | None:
    return (
        Checklist.objects.filter(agency=agency, external_id=external_id)
        .select_related("district")
        .first()
    )


def _store_checklist(submission: Submission, context: SchemeContext, *, channel, user):
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
    person, _ = match_or_create_person(scheme, submission, district)
    checklist = Checklist.objects.create(
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
    # Routing below reads the same statement from the checklist, so it agrees
    # with current_consent for every agency.
    ConsentRecord.objects.bulk_create(
        checklist_consent_records(checklist, context.agencies, user=user)
    )
    created = []
    if checklist.eligible:
        created = create_referrals_for(checklist, context)
    return checklist, result_for(checklist, "processed", created)


def create_referrals_for(
    checklist: Checklist, context: SchemeContext
) -> list[Referral]:
    """Create the referrals an eligible checklist's answers lead to.

    Returns the referrals that will be sent; a referral without consent is
    held and recorded in `checklist.not_referred` instead, and so is a service
    for which the person already has an open referral.
    """
    plan = plan_referrals(
        context,
        context.questions[checklist.checklist_version.version],
        checklist.answers,
        checklist.district,
        consent_share=checklist.consent_share,
        consent_except=checklist.consent_except,
    )
    open_services = set(
        Referral.objects.filter(
            person=checklist.person,
            service__in=[p.service for p in plan],
            status__in=OPEN_STATUSES,
        )
        .exclude(status=Status.ON_HOLD, status_reason=HoldReason.NO_CONSENT)
        .values_list("service_id", flat=True)
    )
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
    if sent:
        # A consented referral supersedes one held earlier for want of consent.
        Referral.objects.filter(
            person=checklist.person,
            service__in=[r.service for r in sent],
            status=Status.ON_HOLD,
            status_reason=HoldReason.NO_CONSENT,
        ).update(
            status=Status.CANCELLED,
            status_reason="superseded",
            closed_at=timezone.now(),
            version=F("version") + 1,
        )
    Referral.objects.bulk_create(sent + held)
    enqueue_referrals_created(sent)
    checklist.not_referred = not_referred
    checklist.save(update_fields=["not_referred"])
    return sent
