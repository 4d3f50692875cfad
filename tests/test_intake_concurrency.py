"""Concurrent writes: one checklist per submission, one change per referral version.

These tests commit for real and run the writers in threads, each with its own
database connection. They exercise the unique constraint on (agency,
external_id), row locks on PostgreSQL, and IMMEDIATE transactions with a busy
timeout on SQLite.
"""

import threading

import pytest
from django.db import connection

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.intake import submit_checklist
from firstcontact.checklists.models import Checklist
from firstcontact.directory.context import SchemeContext
from firstcontact.people.models import Person
from firstcontact.referrals import operations
from firstcontact.referrals.models import Referral, Status
from tests.conftest import checklist_payload

THREADS = 6
TIMEOUT = 60


def run_together(*calls) -> list:
    """Run each call in its own thread, released at the same moment.

    Returns each call's result, or the exception it raised, in call order.
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=TIMEOUT)
            outcomes[index] = call()
        except Exception as error:  # reported to the test as an outcome
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return outcomes


def submit_in_thread(scheme, payload):
    def call():
        context = SchemeContext.load(scheme)
        return submit_checklist(payload, context, channel="api")

    return call


@pytest.fixture
def forwarded(scheme, hub_user):
    """A benefits-check referral that the hub has sent to pension-service."""
    submit_checklist(checklist_payload(), SchemeContext.load(scheme), channel="api")
    referral = Referral.objects.get(service__code="benefits-check")
    return operations.forward_referral(referral.pk, hub_user)


@pytest.fixture
def second_agency_user(make_user):
    return make_user("pension.second", "agency", "pension-service")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_store_one_checklist(scheme):
    payload = checklist_payload()

    outcomes = run_together(*[submit_in_thread(scheme, payload)] * THREADS)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    statuses = sorted(o["status"] for o in outcomes)
    assert statuses == ["duplicate"] * (THREADS - 1) + ["processed"]
    assert len({o["checklist_id"] for o in outcomes}) == 1
    assert Checklist.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_make_one_person(scheme):
    payload = checklist_payload()

    run_together(*[submit_in_thread(scheme, payload)] * THREADS)

    assert Person.objects.count() == 1
    assert Referral.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_simultaneous_different_checklists_all_stored(scheme):
    payloads = [checklist_payload(external_id=f"T-{n}") for n in range(THREADS)]

    outcomes = run_together(*[submit_in_thread(scheme, p) for p in payloads])

    assert [o["status"] for o in outcomes] == ["processed"] * THREADS
    assert Checklist.objects.count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_accept_and_decline_race_changes_once(
    forwarded, agency_user, second_agency_user
):
    version = forwarded.version

    outcomes = run_together(
        lambda: operations.accept_referral(forwarded.pk, agency_user, version=version),
        lambda: operations.decline_referral(
            forwarded.pk, second_agency_user, reason="no-capacity", version=version
        ),
    )

    changed = [o for o in outcomes if isinstance(o, Referral)]
    stale = [o for o in outcomes if isinstance(o, operations.StaleReferral)]
    assert len(changed) == 1
    assert len(stale) == 1
    forwarded.refresh_from_db()
    assert forwarded.status == changed[0].status
    assert forwarded.version == version + 1


@pytest.mark.django_db(transaction=True)
def test_accept_and_decline_race_audits_once(
    forwarded, agency_user, second_agency_user
):
    version = forwarded.version

    run_together(
        lambda: operations.accept_referral(forwarded.pk, agency_user, version=version),
        lambda: operations.decline_referral(
            forwarded.pk, second_agency_user, reason="no-capacity", version=version
        ),
    )

    actions = AuditEvent.objects.filter(
        action__in=["referral.accepted", "referral.declined"]
    )
    assert actions.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_accepts_without_version_accept_once(
    forwarded, agency_user, second_agency_user
):
    outcomes = run_together(
        lambda: operations.accept_referral(forwarded.pk, agency_user),
        lambda: operations.accept_referral(forwarded.pk, second_agency_user),
    )

    changed = [o for o in outcomes if isinstance(o, Referral)]
    rejected = [o for o in outcomes if isinstance(o, operations.OperationError)]
    assert len(changed) == 1
    assert len(rejected) == 1
    forwarded.refresh_from_db()
    assert forwarded.status == Status.ACCEPTED
    assert forwarded.version == 3


@pytest.mark.django_db(transaction=True)
def test_simultaneous_visits_make_one_person(scheme):
    payloads = [checklist_payload(external_id=f"T-{n}") for n in range(THREADS)]

    run_together(*[submit_in_thread(scheme, p) for p in payloads])

    assert Person.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_visits_refer_once(scheme):
    payloads = [checklist_payload(external_id=f"T-{n}") for n in range(THREADS)]

    outcomes = run_together(*[submit_in_thread(scheme, p) for p in payloads])

    sent = [r["service"] for o in outcomes for r in o["referrals"]]
    assert sorted(sent) == ["befriending", "benefits-check", "fire-safety-check"]
    assert Referral.objects.count() == 3
