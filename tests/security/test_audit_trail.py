"""The audit trail records every view and change with who, when and from where.

Denied access is recorded without personal details, managers search the trail
by person, user, action and date, and technical logs carry no personal details.
"""

import datetime
import logging
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from firstcontact.audit.models import AuditEvent
from firstcontact.directory.models import Scheme
from firstcontact.referrals.models import Referral
from firstcontact.referrals.operations import forward_referral
from tests.conftest import checklist_payload

SEARCH = reverse("audit:search")
ADDRESS = "REMOTE_ADDR"
CLIENT_ADDRESS = "192.0.2.10"


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def referral(referrer, hub_user, api_client_for):
    post_json(api_client_for(referrer), "/api/v1/checklists", checklist_payload())
    benefits = Referral.objects.get(service__code="benefits-check")
    return forward_referral(benefits.pk, hub_user)


@pytest.fixture
def manager(make_user):
    return make_user("scheme.manager", "manager")


def signed_in(client, user):
    client.force_login(user)
    return client


def detail(referral):
    return reverse("referrals:detail", args=[referral.pk])


# Views and changes


def test_referral_view_records_who_when_and_where(referral, agency_user, client):
    signed_in(client, agency_user).get(detail(referral), **{ADDRESS: CLIENT_ADDRESS})

    event = AuditEvent.objects.get(action="referral.viewed")
    assert event.actor == agency_user
    assert event.target_id == referral.pk
    assert event.person_id == referral.person_id
    assert event.remote_addr == CLIENT_ADDRESS


def test_view_records_client_behind_trusted_proxy(
    referral, agency_user, client, settings
):
    settings.FIRSTCONTACT_TRUSTED_PROXIES = 1

    signed_in(client, agency_user).get(
        detail(referral),
        **{ADDRESS: "10.0.0.1", "HTTP_X_FORWARDED_FOR": CLIENT_ADDRESS},
    )

    event = AuditEvent.objects.get(action="referral.viewed")
    assert event.remote_addr == CLIENT_ADDRESS


def test_api_view_is_recorded(referral, agency_user, api_client_for):
    api_client_for(agency_user).get(f"/api/v1/referrals/{referral.pk}")

    event = AuditEvent.objects.get(action="referral.viewed")
    assert event.data == {"channel": "api"}


def test_checklist_confirmation_view_is_recorded(referral, referrer, client):
    url = reverse("checklists:sent", args=[referral.checklist_id])

    signed_in(client, referrer).get(url)

    event = AuditEvent.objects.get(action="checklist.viewed")
    assert event.person_id == referral.person_id


def test_referral_change_lists_the_fields_changed(referral):
    event = AuditEvent.objects.get(action="referral.forwarded")

    assert set(event.data["fields"]) == {"status", "forwarded_at", "due_at"}


def test_audit_events_cannot_be_changed(referral):
    event = AuditEvent.objects.first()
    event.action = "referral.forged"

    with pytest.raises(ValueError):
        event.save()


def test_audit_events_cannot_be_deleted(referral):
    with pytest.raises(ValueError):
        AuditEvent.objects.first().delete()


# Refused access


def test_out_of_scope_record_is_logged_as_denied(
    referral, outsider_agency_user, client
):
    response = signed_in(client, outsider_agency_user).get(detail(referral))

    event = AuditEvent.objects.get(action="access.denied")
    assert response.status_code == 404
    assert (event.actor, event.target_id) == (outsider_agency_user, referral.pk)
    assert event.data == {"route": "referrals:detail", "method": "GET"}


def test_denied_event_names_the_person_by_id_only(
    referral, outsider_agency_user, client
):
    signed_in(client, outsider_agency_user).get(detail(referral))

    event = AuditEvent.objects.get(action="access.denied")
    assert event.person_id == referral.person_id
    assert "Ellison" not in str(event.data)


def test_missing_record_is_not_logged_as_denied(referral, agency_user, client):
    url = reverse("referrals:detail", args=[uuid.uuid4()])

    response = signed_in(client, agency_user).get(url)

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_api_denial_is_logged(referral, outsider_agency_user, api_client_for):
    api_client_for(outsider_agency_user).get(f"/api/v1/referrals/{referral.pk}")

    event = AuditEvent.objects.get(action="access.denied")
    assert event.data["route"] == "api:referral-detail"


def test_forbidden_page_is_logged(agency_user, client):
    response = signed_in(client, agency_user).get(reverse("hub:queue"))

    event = AuditEvent.objects.get(action="access.forbidden")
    assert response.status_code == 403
    assert event.data == {"route": "hub:queue", "method": "GET"}


def test_denied_and_found_answer_alike(referral, outsider_agency_user, client):
    signed_in(client, outsider_agency_user)

    denied = client.get(detail(referral))
    missing = client.get(reverse("referrals:detail", args=[uuid.uuid4()]))

    assert (denied.status_code, denied.content) == (
        missing.status_code,
        missing.content,
    )


# The audit search


def test_search_by_person_shows_who_saw_their_file(
    referral, agency_user, manager, client
):
    signed_in(client, agency_user).get(detail(referral))

    response = signed_in(client, manager).get(SEARCH, {"person": referral.reference})

    viewers = {
        event.actor
        for event in response.context["page_obj"].object_list
        if event.action == "referral.viewed"
    }
    assert viewers == {agency_user}


def test_search_by_person_id(referral, manager, client):
    response = signed_in(client, manager).get(SEARCH, {"person": referral.person_id})

    actions = {event.action for event in response.context["page_obj"].object_list}
    assert {"checklist.received", "referral.forwarded"} <= actions


def test_search_by_user(referral, hub_user, manager, client):
    response = signed_in(client, manager).get(SEARCH, {"user": hub_user.username})

    actors = {event.actor for event in response.context["page_obj"].object_list}
    assert actors == {hub_user}


def test_search_by_action_prefix(referral, manager, client):
    response = signed_in(client, manager).get(SEARCH, {"action": "referral."})

    actions = {event.action for event in response.context["page_obj"].object_list}
    assert actions == {"referral.forwarded"}


def test_search_by_date_range_leaves_out_other_days(referral, manager, client):
    last_month = timezone.localdate() - datetime.timedelta(days=30)

    response = signed_in(client, manager).get(
        SEARCH,
        {
            "date_to_day": last_month.day,
            "date_to_month": last_month.month,
            "date_to_year": last_month.year,
        },
    )

    assert response.context["page_obj"].paginator.count == 0


def test_search_leaves_out_other_schemes(referral, manager, client, make_user):
    other = Scheme.objects.create(code="elsewhere", name="Elsewhere")
    stranger = make_user("elsewhere.hub", "hub")
    stranger.scheme = other
    stranger.save()
    AuditEvent.objects.create(
        action="referral.viewed",
        actor=stranger,
        target_type="x",
        target_id=uuid.uuid4(),
    )

    response = signed_in(client, manager).get(SEARCH, {"user": stranger.username})

    assert response.context["page_obj"].paginator.count == 0


def test_search_is_itself_audited(referral, manager, client):
    signed_in(client, manager).get(SEARCH, {"action": "referral."})

    event = AuditEvent.objects.get(action="audit.searched")
    assert event.data["filters"] == ["action"]


@pytest.mark.parametrize("role", ["referrer", "hub", "agency", "executive"])
def test_only_managers_and_admins_search(referral, make_user, client, role):
    agency = {"referrer": "fire-rescue", "agency": "pension-service"}.get(role)
    user = make_user(f"someone.{role}", role, agency)

    response = signed_in(client, user).get(SEARCH)

    assert response.status_code == 403


def test_admin_may_search(referral, make_user, client):
    response = signed_in(client, make_user("scheme.admin", "admin")).get(SEARCH)

    assert response.status_code == 200


# Technical logs


def test_technical_logs_hold_no_personal_details(
    caplog, referrer, hub_user, agency_user, api_client_for, client
):
    with caplog.at_level(logging.DEBUG):
        post_json(api_client_for(referrer), "/api/v1/checklists", checklist_payload())
        referral = Referral.objects.get(service__code="benefits-check")
        forward_referral(referral.pk, hub_user)
        signed_in(client, agency_user).get(detail(referral))
        api_client_for(agency_user).get(f"/api/v1/referrals/{referral.pk}")
        signed_in(client, hub_user).post(
            reverse("rights:search"), {"family_name": "Ellison"}
        )

    assert caplog.records, "the flow logged nothing, so the check is empty"
    for detail_text in ("Margaret", "Ellison", "1 Example Street", "LE10 0JU"):
        assert detail_text not in caplog.text
