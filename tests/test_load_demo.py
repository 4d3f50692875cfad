"""The load_demo command: invented people, a year of checklists, demo accounts."""

import datetime
import io
import random

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from firstcontact.accounts.models import Role, User
from firstcontact.checklists.models import Checklist
from firstcontact.demo.accounts import DEMO_PASSWORD
from firstcontact.demo.population import read_district_populations
from firstcontact.demo.postcodes import LEICESTER_ONS_CODE, PostcodeBook
from firstcontact.demo.visits import VisitPlanner
from firstcontact.directory.loading import BUNDLED_SCHEME, load_scheme, read_scheme_file
from firstcontact.directory.models import Scheme
from firstcontact.directory.postcodes import lookup_district_code
from firstcontact.referrals.models import Referral

SMALL = 10
MODERATE = 100
# The hasher the shared fixtures use, for accounts made outside a test.
MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def load_demo(count: int, seed: int | None = None) -> str:
    output = io.StringIO()
    options = {"checklists": count, "no_progress": True, "stdout": output}
    if seed is not None:
        options["seed"] = seed
    call_command("load_demo", **options)
    return output.getvalue()


@pytest.fixture(scope="class")
def demo_output(django_db_setup, django_db_blocker):
    """Load one moderate demo for a class of read-only tests, then roll it back."""
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(PASSWORD_HASHERS=[MD5_HASHER]),
    ):
        load_scheme(read_scheme_file(BUNDLED_SCHEME))
        yield load_demo(MODERATE)
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    return Scheme.objects.get(code="leicestershire")


class TestModerateDemo:
    """Read-only checks on one demo of MODERATE checklists."""

    def test_demo_covers_all_seven_districts(self, demo):
        districts = set(
            Checklist.objects.exclude(district=None).values_list(
                "district__code", flat=True
            )
        )
        assert districts == set(demo.districts.values_list("code", flat=True))
        assert len(districts) == 7

    def test_demo_postcodes_resolve_to_their_district(self, demo):
        for checklist in Checklist.objects.select_related("person", "district"):
            expected = checklist.district.ons_code if checklist.district else None
            found = lookup_district_code(checklist.person.postcode)
            if expected is None:
                assert found == LEICESTER_ONS_CODE, checklist.person.postcode
            else:
                assert found == expected, checklist.person.postcode

    def test_demo_makes_about_two_referrals_per_checklist(self, demo):
        per_checklist = Referral.objects.count() / Checklist.objects.count()

        assert 1.6 <= per_checklist <= 2.4

    def test_demo_spreads_referrals_over_statuses(self, demo):
        statuses = set(Referral.objects.values_list("status", flat=True))

        assert len(statuses) >= 5, statuses
        assert "completed" in statuses
        outcomes = Referral.objects.exclude(outcome="").values("outcome").distinct()
        assert outcomes.count() >= 3

    def test_demo_includes_ineligible_checklists(self, demo):
        reasons = {
            reason
            for reasons in Checklist.objects.values_list(
                "ineligibility_reasons", flat=True
            )
            for reason in reasons
        }

        assert "under_minimum_age" in reasons
        assert "out_of_area" in reasons

    def test_demo_includes_repeat_visits(self, demo):
        people = Checklist.objects.values("person").distinct().count()

        assert people < Checklist.objects.count()

    def test_demo_records_equality_monitoring_for_most(self, demo):
        answered = Checklist.objects.exclude(equality={}).count()

        assert answered > Checklist.objects.count() / 2
        groups = {c.equality.get("ethnic_group") for c in Checklist.objects.all()}
        assert "white-british" in groups

    def test_demo_backdates_checklists_to_the_visit(self, demo):
        for checklist in Checklist.objects.all():
            received_on = timezone.localdate(checklist.received_at)
            assert checklist.visit_date <= received_on, checklist.external_id
            assert received_on - checklist.visit_date <= datetime.timedelta(days=7)
        first_visit = Checklist.objects.order_by("visit_date").first().visit_date
        assert first_visit < timezone.localdate() - datetime.timedelta(days=300)

    def test_demo_referral_times_follow_creation(self, demo):
        now = timezone.now()
        for referral in Referral.objects.all():
            assert referral.created_at <= now
            if referral.forwarded_at:
                assert referral.created_at <= referral.forwarded_at <= now
            if referral.closed_at:
                assert referral.created_at <= referral.closed_at <= now

    def test_demo_creates_one_account_per_role_and_agency(self, demo):
        roles = set(User.objects.values_list("role", flat=True))

        assert roles == set(Role.values)
        for agency in demo.agencies.all():
            referrers = User.objects.filter(role=Role.REFERRER, agency=agency)
            providers = User.objects.filter(role=Role.AGENCY, agency=agency)
            assert referrers.count() == int(agency.has_role("referrer")), agency.code
            assert providers.count() == int(agency.has_role("provider")), agency.code
        assert User.objects.get(username="hub").agency.code == "victim-support"

    def test_demo_accounts_sign_in_with_printed_password(self, demo, demo_output):
        assert DEMO_PASSWORD in demo_output
        assert "referrer-fire-rescue" in demo_output
        assert authenticate(username="referrer-fire-rescue", password=DEMO_PASSWORD)


def test_demo_creates_requested_number_of_checklists(scheme):
    load_demo(SMALL)

    assert Checklist.objects.count() == SMALL


def test_demo_second_run_creates_nothing(scheme):
    load_demo(SMALL)
    counts = (User.objects.count(), Checklist.objects.count(), Referral.objects.count())

    output = load_demo(SMALL, seed=7)

    assert "already loaded" in output
    assert "agency-pension-service" in output
    after = (User.objects.count(), Checklist.objects.count(), Referral.objects.count())
    assert after == counts


def test_demo_refuses_production_settings(scheme):
    with override_settings(PRODUCTION=True):
        with pytest.raises(CommandError, match="production"):
            load_demo(SMALL)

    assert not User.objects.exists()


def test_visit_plans_repeat_for_a_seed(context):
    ons_codes = set(context.districts_by_ons) | {LEICESTER_ONS_CODE}
    postcodes = PostcodeBook(ons_codes)
    populations = read_district_populations()
    today = datetime.date(2026, 11, 30)

    def plan(seed):
        planner = VisitPlanner(
            random.Random(seed), context, postcodes, populations, today
        )
        return [visit.as_payload() for visit in planner.plan(40)]

    assert plan(5) == plan(5)
    assert plan(5) != plan(6)
