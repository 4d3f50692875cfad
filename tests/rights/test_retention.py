"""The retention policy erases people whose records closed long ago, once."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.models import Checklist
from firstcontact.delivery.housekeeping import run_housekeeping
from firstcontact.people.models import Person
from firstcontact.referrals.models import Referral
from firstcontact.rights.models import Erasure
from firstcontact.rights.retention import apply_retention, run_daily_retention

YEARS_AGO_7 = timezone.now() - datetime.timedelta(days=7 * 366)


def age_records(person, when=YEARS_AGO_7):
    """Make every record of the person look as if last touched at `when`."""
    Person.objects.filter(pk=person.pk).update(created_at=when)
    Checklist.objects.filter(person=person).update(received_at=when)
    Referral.objects.filter(person=person).update(updated_at=when)


@pytest.fixture
def old_closed(closed_record):
    age_records(closed_record.person)
    return closed_record


def test_old_closed_person_is_erased(old_closed, settings):
    settings.FIRSTCONTACT_RETENTION_YEARS = 6

    result = apply_retention()

    assert (result.due, result.erased) == (1, 1)
    assert Erasure.objects.get().kind == Erasure.Kind.RETENTION


def test_recent_person_is_kept(closed_record, settings):
    settings.FIRSTCONTACT_RETENTION_YEARS = 6

    result = apply_retention()

    assert result.due == 0


def test_person_with_open_referral_is_kept(record, settings):
    age_records(record.person)
    settings.FIRSTCONTACT_RETENTION_YEARS = 6

    assert apply_retention().due == 0


def test_recent_referral_change_keeps_the_person(old_closed, settings):
    Referral.objects.filter(pk=old_closed.pk).update(updated_at=timezone.now())
    settings.FIRSTCONTACT_RETENTION_YEARS = 6

    assert apply_retention().due == 0


def test_second_run_erases_nobody(old_closed):
    apply_retention()

    second = apply_retention()

    assert (second.due, second.erased) == (0, 0)


def test_dry_run_erases_nobody(old_closed):
    result = apply_retention(dry_run=True)

    assert result.due == 1
    assert not Erasure.objects.exists()


def test_command_reports_what_it_did(old_closed):
    output = io.StringIO()

    call_command("apply_retention", "--no-progress", stdout=output)

    assert "1 people erased" in output.getvalue()


def test_command_dry_run_says_so(old_closed):
    output = io.StringIO()

    call_command("apply_retention", "--dry-run", "--no-progress", stdout=output)

    assert "1 people are due; none erased (dry run)." in output.getvalue()
    assert not Erasure.objects.exists()


def test_housekeeping_applies_retention(old_closed, settings):
    settings.FIRSTCONTACT_RETENTION_HOUR = 0

    done = run_housekeeping()

    assert done["erased"] == 1


def test_daily_retention_runs_once_a_day(old_closed, settings):
    settings.FIRSTCONTACT_RETENTION_HOUR = 0
    run_daily_retention()
    runs = AuditEvent.objects.filter(action="retention.applied").count()

    run_daily_retention()

    assert AuditEvent.objects.filter(action="retention.applied").count() == runs


def test_daily_retention_waits_for_its_hour(old_closed, settings):
    settings.FIRSTCONTACT_RETENTION_HOUR = 2
    early = timezone.localtime().replace(hour=1)

    assert run_daily_retention(early) == 0
    assert not Erasure.objects.exists()
