"""Checklists and referrals for the consent tests, about invented people."""

import datetime

import pytest

from firstcontact.checklists.intake import submit_checklist
from firstcontact.referrals.models import Referral
from firstcontact.referrals.operations import forward_referral
from tests.conftest import checklist_payload

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def submit(context, referrer):
    """Submit a checklist from the referrer; return its result object."""
    counter = iter(range(1, 1000))

    def send(**changes):
        changes.setdefault("external_id", f"C-{next(counter):04d}")
        payload = checklist_payload(**changes)
        return submit_checklist(
            payload, context, channel="api", user=referrer, today=TODAY
        )

    return send


def referral_for(result, service) -> Referral:
    return Referral.objects.get(
        checklist_id=result["checklist_id"], service__code=service
    )


@pytest.fixture
def forwarded(submit, hub_user):
    """The standard checklist's benefits-check referral, sent to pension-service."""
    result = submit()
    referral = referral_for(result, "benefits-check")
    return forward_referral(referral.pk, hub_user)
