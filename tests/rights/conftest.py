"""A person with a full record for the rights tests: checklists, referrals,
consent and audit events, all invented."""

import datetime

import pytest

from firstcontact.checklists.intake import submit_checklist
from firstcontact.referrals.models import Referral
from firstcontact.referrals.operations import (
    accept_referral,
    cancel_referral,
    complete_referral,
    forward_referral,
)
from tests.conftest import checklist_payload

TODAY = datetime.date(2026, 11, 30)
GIVEN_NAME = "Winifred"
FAMILY_NAME = "Quennell"
ADDRESS = "14 Invented Terrace"
PHONE = "01164960123"
CONCERN = "Neighbour reports shouting at night."
NOTE = "Winifred asked us to call her daughter first."


def payload(external_id="R-0001", **changes):
    data = checklist_payload(external_id=external_id, **changes)
    data["person"].update(
        given_name=GIVEN_NAME,
        family_name=FAMILY_NAME,
        address_line_1=ADDRESS,
        phone=PHONE,
    )
    data["safeguarding_concern"] = CONCERN
    data["equality"] = {"sex": "female", "ethnic_group": "white-irish"}
    return data


@pytest.fixture
def record(context, referrer, hub_user, agency_user):
    """The person's benefits-check referral, completed with a note."""
    result = submit_checklist(
        payload(), context, channel="api", user=referrer, today=TODAY
    )
    referral = Referral.objects.get(
        checklist_id=result["checklist_id"], service__code="benefits-check"
    )
    forward_referral(referral.pk, hub_user)
    accept_referral(referral.pk, agency_user)
    return complete_referral(referral.pk, agency_user, outcome="helped", note=NOTE)


@pytest.fixture
def closed_record(record, hub_user):
    """The same person with every other referral cancelled, so nothing is open."""
    for other in Referral.objects.filter(person=record.person).exclude(pk=record.pk):
        cancel_referral(other.pk, hub_user, note="Not needed after all.")
    return record
