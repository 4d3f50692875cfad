"""Consent records: what intake writes, how the current decision is read, and
that records are never changed or deleted."""

import datetime

import pytest
from django.utils import timezone

from firstcontact.consent import wording
from firstcontact.consent.models import ConsentRecord, Decision, Source
from firstcontact.consent.services import current_consent, shareable_referrals
from firstcontact.directory.models import Agency
from firstcontact.people.models import Person
from firstcontact.referrals.models import Referral
from tests.consent.conftest import referral_for


def agency(code) -> Agency:
    return Agency.objects.get(code=code)


def test_intake_records_consent_to_every_agency(submit, referrer):
    result = submit()

    record = ConsentRecord.objects.get()
    assert record.decision == Decision.GIVEN
    assert record.agency is None
    assert record.source == Source.CHECKLIST
    assert str(record.source_checklist_id) == result["checklist_id"]
    assert record.recorded_by == referrer


def test_intake_stores_the_exact_wording_and_its_version(submit):
    submit()

    record = ConsentRecord.objects.get()
    assert record.wording == wording.WORDINGS[wording.CHECKLIST_VERSION]
    assert record.wording_version == wording.CHECKLIST_VERSION


def test_intake_records_a_refusal_per_excepted_agency(submit):
    submit(consent={"share": True, "except_agencies": ["pension-service", "police"]})

    refused = ConsentRecord.objects.filter(decision=Decision.REFUSED)
    assert {record.agency.code for record in refused} == {"pension-service", "police"}


def test_intake_records_refusal_when_person_does_not_share(submit):
    submit(consent={"share": False})

    record = ConsentRecord.objects.get()
    assert (record.decision, record.agency) == (Decision.REFUSED, None)


def test_current_consent_follows_the_checklist(submit):
    submit(consent={"share": True, "except_agencies": ["pension-service"]})
    person = Person.objects.get()

    assert current_consent(person, agency("age-concern")).given
    assert not current_consent(person, agency("pension-service")).given


def test_later_statement_replaces_earlier_one(submit):
    submit(consent={"share": True, "except_agencies": ["pension-service"]})
    submit(consent={"share": True})
    person = Person.objects.get()

    assert current_consent(person, agency("pension-service")).given


def test_agency_record_wins_within_one_statement(submit):
    submit(consent={"share": True, "except_agencies": ["age-concern"]})
    person = Person.objects.get()
    # Both records of the statement carry the same moment.
    assert ConsentRecord.objects.values("recorded_at").distinct().count() == 1

    assert current_consent(person, agency("age-concern")).decision == "refused"


def test_person_without_records_follows_their_checklist(submit):
    submit(consent={"share": True, "except_agencies": ["police"]})
    ConsentRecord.objects.all()._raw_delete(ConsentRecord.objects.db)
    person = Person.objects.get()

    assert current_consent(person, agency("pension-service")).given
    assert not current_consent(person, agency("police")).given


def test_saved_record_cannot_be_changed(submit):
    submit()
    record = ConsentRecord.objects.get()
    record.decision = Decision.WITHDRAWN

    with pytest.raises(ValueError):
        record.save()


def test_record_cannot_be_deleted(submit):
    submit()

    with pytest.raises(ValueError):
        ConsentRecord.objects.get().delete()


def test_records_cannot_be_deleted_in_bulk(submit):
    submit()

    with pytest.raises(ValueError):
        ConsentRecord.objects.all().delete()


def test_records_cannot_be_changed_in_bulk(submit):
    submit()

    with pytest.raises(ValueError):
        ConsentRecord.objects.update(decision=Decision.WITHDRAWN)


@pytest.mark.parametrize(
    "statements",
    [
        [(None, Decision.GIVEN)],
        [(None, Decision.GIVEN), ("pension-service", Decision.WITHDRAWN)],
        [("pension-service", Decision.WITHDRAWN), (None, Decision.GIVEN)],
        [(None, Decision.WITHDRAWN), ("pension-service", Decision.GIVEN)],
        [(None, Decision.REFUSED)],
        [("police", Decision.WITHDRAWN)],
    ],
)
def test_sql_filter_agrees_with_current_consent(submit, statements):
    referral = referral_for(submit(), "benefits-check")
    start = timezone.now() + datetime.timedelta(minutes=1)
    for minutes, (code, decision) in enumerate(statements):
        ConsentRecord.objects.create(
            scheme=referral.scheme,
            person=referral.person,
            agency=agency(code) if code else None,
            decision=decision,
            source=Source.HUB,
            recorded_at=start + datetime.timedelta(minutes=minutes),
            wording_version=wording.WITHDRAWAL_VERSION,
            wording=wording.WORDINGS[wording.WITHDRAWAL_VERSION],
        )
    expected = current_consent(referral.person, referral.agency).given

    shared = shareable_referrals(Referral.objects.filter(pk=referral.pk)).exists()

    assert shared == expected
