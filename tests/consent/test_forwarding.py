"""Forwarding needs the person's consent to the agency, unless the hub overrides
it with a reason; a safeguarding concern reaches the hub whatever the consent."""

import pytest
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from firstcontact.consent.models import ConsentOverride
from firstcontact.consent.operations import withdraw_consent
from firstcontact.referrals.models import Status
from firstcontact.referrals.operations import (
    ConsentRequired,
    forward_referral,
    reroute_referral,
)
from tests.consent.conftest import referral_for

REASON = "The person is at risk of serious harm and cannot be reached."


@pytest.fixture
def held(submit):
    """A benefits-check referral held because the person excepted its agency."""
    result = submit(consent={"share": True, "except_agencies": ["pension-service"]})
    return referral_for(result, "benefits-check")


def test_forwarding_without_consent_is_refused(held, hub_user):
    with pytest.raises(ConsentRequired):
        forward_referral(held.pk, hub_user)


def test_forwarding_after_withdrawal_is_refused(submit, hub_user):
    referral = referral_for(submit(), "benefits-check")
    withdraw_consent(referral.person_id, hub_user, agency_code="pension-service")

    with pytest.raises(ConsentRequired):
        forward_referral(referral.pk, hub_user)


def test_blank_override_reason_is_refused(held, hub_user):
    with pytest.raises(ConsentRequired):
        forward_referral(held.pk, hub_user, consent_override_reason="   ")


def test_override_with_reason_forwards(held, hub_user):
    forwarded = forward_referral(held.pk, hub_user, consent_override_reason=REASON)

    assert forwarded.status == Status.REQUESTED


def test_override_keeps_the_reason(held, hub_user):
    forward_referral(held.pk, hub_user, consent_override_reason=REASON)

    override = ConsentOverride.objects.get()
    assert (override.reason, override.decided_by) == (REASON, hub_user)


def test_override_is_audited_without_the_reason(held, hub_user):
    forward_referral(held.pk, hub_user, consent_override_reason=REASON)

    event = AuditEvent.objects.get(action="consent.overridden")
    assert event.data["agency"] == "pension-service"
    assert REASON not in str(event.data)


def test_reroute_to_agency_without_consent_is_refused(submit, hub_user):
    result = submit(
        answers={"money": "yes"},
        consent={"share": True, "except_agencies": ["age-concern"]},
    )
    referral = referral_for(result, "money-advice")

    with pytest.raises(ConsentRequired):
        reroute_referral(referral.pk, hub_user, agency_code="age-concern")


def test_hub_sends_held_referral_from_the_consent_page(held, hub_user, client):
    client.force_login(hub_user)
    url = reverse("consent:send-without-consent", args=[held.person_id, held.pk])

    response = client.post(url, {"reason": REASON, "version": held.version})

    held.refresh_from_db()
    assert response.status_code == 302
    assert held.status == Status.REQUESTED


def test_safeguarding_concern_reaches_hub_without_consent(submit, hub_user, client):
    result = submit(
        consent={"share": False}, safeguarding_concern="Bruising seen on both arms."
    )
    client.force_login(hub_user)

    response = client.get(reverse("hub:queue"))

    sections = {section.key: rows for section, _, rows in response.context["sections"]}
    listed = [str(row["checklist"].pk) for row in sections["safeguarding"]]
    assert listed == [result["checklist_id"]]


def test_safeguarding_concern_reaches_hub_after_withdrawal(submit, hub_user, client):
    result = submit(safeguarding_concern="Says a relative takes their pension.")
    referral = referral_for(result, "benefits-check")
    withdraw_consent(referral.person_id, hub_user)
    client.force_login(hub_user)

    response = client.get(
        reverse("checklists_hub:detail", args=[referral.checklist_id])
    )

    assert "Says a relative takes their pension." in response.text
