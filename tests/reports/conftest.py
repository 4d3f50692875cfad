"""Demo-like activity for the report tests: invented people, checklists and
referrals in every district, status and agency, written straight to the
database so each test can count them again in SQL."""

import datetime
import random
import zoneinfo
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.models import Checklist
from firstcontact.directory.models import (
    Agency,
    ChecklistVersion,
    District,
    Service,
    ServiceOverride,
)
from firstcontact.people.models import Person
from firstcontact.referrals.models import (
    DeclineReason,
    HoldReason,
    Outcome,
    Referral,
    Status,
)
from firstcontact.reports.census import (
    AGE_BANDS,
    DISABILITY,
    ETHNIC_GROUPS,
    PREFER_NOT_TO_SAY,
    SEXES,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
GIVEN_NAMES = ["Zoë", "José", "Siân", "Ngozi", "Bartłomiej", "Aoife", "Ravi", "Joan"]
FAMILY_NAMES = ["Ólafsdóttir", "Nuñez", "Brontë", "Okafor", "Patel", "Smith", "Lee"]
# Statuses with how often they occur, as in a year of a scheme's work.
STATUS_WEIGHTS = {
    Status.DRAFT: 2,
    Status.REQUESTED: 3,
    Status.ACCEPTED: 3,
    Status.IN_PROGRESS: 3,
    Status.COMPLETED: 8,
    Status.REJECTED: 2,
    Status.ON_HOLD: 2,
    Status.CANCELLED: 1,
    Status.FAILED: 1,
    Status.ENTERED_IN_ERROR: 1,
}
ACCEPTED_STATUSES = {Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED}
FORWARDED_STATUSES = ACCEPTED_STATUSES | {
    Status.REQUESTED,
    Status.REJECTED,
    Status.FAILED,
}


def at_noon(day: datetime.date, days_later: int = 0) -> datetime.datetime:
    moment = datetime.datetime.combine(
        day + datetime.timedelta(days=days_later), datetime.time(12), tzinfo=LONDON
    )
    return moment.astimezone(datetime.UTC)


@dataclass
class Activity:
    checklists: list[Checklist] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def _equality(rng: random.Random) -> dict:
    if rng.random() < 0.2:
        return {}
    answers = {
        "ethnic_group": rng.choice([*ETHNIC_GROUPS, PREFER_NOT_TO_SAY]),
        "sex": rng.choice(list(SEXES)),
        "disability": rng.choice(list(DISABILITY)),
        "age_band": rng.choice(list(AGE_BANDS)),
    }
    # Most people in Leicestershire give White British; keep some groups small.
    if rng.random() < 0.6:
        answers["ethnic_group"] = "white-british"
    return {k: v for k, v in answers.items() if rng.random() < 0.9}


def _person(rng, scheme, district, index) -> Person:
    given = rng.choice(GIVEN_NAMES)
    family = rng.choice(FAMILY_NAMES)
    return Person(
        scheme=scheme,
        given_name=given,
        family_name=family,
        given_key=given.lower(),
        family_key=family.lower(),
        date_of_birth=datetime.date(1925 + rng.randrange(38), rng.randrange(1, 13), 1),
        address_line_1=f"{index} Example Road",
        postcode="LE1 1AA",
        district=district,
        phone=f"0116496{index:04d}",
    )


def _provider(service, district, overrides) -> Agency:
    return (
        overrides.get((service.pk, district.pk)) or service.provider or district.council
    )


def _referral(rng, checklist, service, agency) -> Referral:
    status = rng.choices(list(STATUS_WEIGHTS), weights=STATUS_WEIGHTS.values())[0]
    referral = Referral(
        scheme=checklist.scheme,
        checklist=checklist,
        person=checklist.person,
        service=service,
        agency=agency,
        district=checklist.district,
        priority="routine",
        status=status,
    )
    visit = checklist.visit_date
    if status in FORWARDED_STATUSES or (
        status == Status.ON_HOLD and rng.random() < 0.5
    ):
        referral.forwarded_at = at_noon(visit, rng.randrange(0, 4))
    if status == Status.REJECTED:
        referral.status_reason = rng.choice(DeclineReason.values)
    if status == Status.ON_HOLD:
        referral.status_reason = rng.choice(HoldReason.values)
    if status == Status.FAILED:
        referral.status_reason = "no-contact"
    if status == Status.COMPLETED:
        referral.outcome = rng.choice(Outcome.values)
        referral.closed_at = at_noon(visit, rng.randrange(5, 60))
    return referral


def _acceptances(referral, rng) -> list[tuple[AuditEvent, datetime.datetime]]:
    """The referral's "referral.accepted" events with the times to give them."""
    accepted = at_noon(referral.checklist.visit_date, rng.randrange(1, 40))
    times = [accepted]
    # A second, later acceptance (after a re-route) must not count.
    if rng.random() < 0.2:
        times.append(accepted + datetime.timedelta(days=9))
    return [
        (
            AuditEvent(
                action="referral.accepted",
                target_type="referral",
                target_id=referral.pk,
                person_id=referral.person_id,
            ),
            moment,
        )
        for moment in times
    ]


def _date_records(referrals, events) -> None:
    """Give records the times they would have had; creation stamps them now.

    bulk_update bypasses auto_now and the audit trail's refusal to change rows,
    which only these invented records may do.
    """
    for referral in referrals:
        referral.created_at = at_noon(referral.checklist.visit_date)
        referral.updated_at = at_noon(referral.checklist.visit_date, 2)
    Referral.objects.bulk_update(referrals, ["created_at", "updated_at"])
    for event, moment in events:
        event.at = moment
    AuditEvent.objects.bulk_update([e for e, _ in events], ["at"])


def build_activity(scheme, *, checklists=80, seed=2009, first_visit=None) -> Activity:
    """Create invented checklists and referrals in a year of visits before today."""
    rng = random.Random(seed)
    today = timezone.localdate()
    first_visit = first_visit or today - datetime.timedelta(days=330)
    districts = list(District.objects.filter(scheme=scheme).select_related("council"))
    agencies = list(Agency.objects.filter(scheme=scheme))
    referrers = [a for a in agencies if a.has_role("referrer")]
    services = list(Service.objects.filter(scheme=scheme).select_related("provider"))
    overrides = {
        (o.service_id, o.district_id): o.provider
        for o in ServiceOverride.objects.filter(service__scheme=scheme).select_related(
            "provider"
        )
    }
    version = ChecklistVersion.objects.get(scheme=scheme, version=1)
    activity = Activity()
    for index in range(checklists):
        district = rng.choice(districts)
        if index % 9 == 0:
            district = None
        if activity.people and rng.random() < 0.15:
            person = rng.choice(activity.people)
        else:
            person = _person(rng, scheme, district, index)
            activity.people.append(person)
        activity.checklists.append(
            Checklist(
                scheme=scheme,
                checklist_version=version,
                agency=rng.choice(referrers),
                external_id=f"R-{seed}-{index:04d}",
                worker_name="Alex Visitor",
                channel="web",
                source="partner",
                visit_date=first_visit + datetime.timedelta(days=rng.randrange(320)),
                person=person,
                district=district,
                consent_share=True,
                equality=_equality(rng),
                eligible=district is not None and rng.random() < 0.92,
            )
        )
    Person.objects.bulk_create(activity.people)
    Checklist.objects.bulk_create(activity.checklists)
    for checklist in activity.checklists:
        if not checklist.eligible:
            continue
        for service in rng.sample(services, rng.randrange(0, 5)):
            agency = _provider(service, checklist.district, overrides)
            activity.referrals.append(_referral(rng, checklist, service, agency))
    Referral.objects.bulk_create(activity.referrals)
    events = [
        pair
        for referral in activity.referrals
        if referral.status in ACCEPTED_STATUSES
        for pair in _acceptances(referral, rng)
    ]
    AuditEvent.objects.bulk_create([event for event, _ in events])
    _date_records(activity.referrals, events)
    return activity


@pytest.fixture
def activity(scheme):
    return build_activity(scheme)


@pytest.fixture
def manager(make_user):
    return make_user("scheme.manager", "manager")


@pytest.fixture
def executive(make_user):
    return make_user("scheme.executive", "executive")


@pytest.fixture
def client_for(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
