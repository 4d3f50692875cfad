"""The hub queue: who may see it, its sections, filters, order and pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from firstcontact.checklists.intake import submit_checklist
from firstcontact.checklists.models import Checklist
from firstcontact.checklists.operations import mark_checklist_reviewed
from firstcontact.delivery.models import Channel, MessageStatus, OutboxMessage
from firstcontact.referrals.models import Referral
from firstcontact.referrals.operations import decline_referral, forward_referral
from tests.conftest import checklist_payload

TODAY = datetime.date(2026, 11, 30)
QUEUE = reverse("hub:queue")


def submit(
    context,
    referrer,
    external_id,
    family_name,
    *,
    postcode="LE10 0JU",
    born="1941-03-14",
    **changes,
):
    """Submit a checklist for a different invented person each time."""
    person = {
        "given_name": "Margaret",
        "family_name": family_name,
        "date_of_birth": born,
        "address_line_1": "1 Example Street",
        "postcode": postcode,
    }
    payload = checklist_payload(external_id=external_id, person=person, **changes)
    return submit_checklist(payload, context, channel="web", user=referrer, today=TODAY)


def section_rows(response, key):
    """Return the records listed in one section of the overview."""
    for section, _count, rows in response.context["sections"]:
        if section.key == key:
            return [row.get("referral") or row.get("checklist") for row in rows]
    raise AssertionError(f"no section {key!r}")


def section_counts(response) -> dict:
    return {section.key: count for section, count in response.context["navigation"]}


@pytest.fixture
def hub(client, hub_user):
    client.force_login(hub_user)
    return client


# Who may see the queue


def test_queue_redirects_anonymous_user_to_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={QUEUE}"


def test_queue_is_forbidden_to_agency_user(client, agency_user):
    client.force_login(agency_user)
    assert client.get(QUEUE).status_code == 403


def test_queue_is_forbidden_to_referrer(client, referrer):
    client.force_login(referrer)
    assert client.get(QUEUE).status_code == 403


def test_queue_is_shown_to_hub(hub):
    response = hub.get(QUEUE)
    assert response.status_code == 200
    assert "Hub queue" in response.text


def test_queue_refuses_post(hub):
    assert hub.post(QUEUE).status_code == 405


# Sections


def test_queue_lists_referrals_waiting_to_be_sent(hub, context, referrer):
    result = submit(context, referrer, "T-1", "Ellison")
    response = hub.get(QUEUE)
    waiting = Referral.objects.filter(checklist_id=result["checklist_id"])
    assert set(section_rows(response, "to-forward")) == set(waiting)
    assert section_counts(response)["to-forward"] == 3


def test_queue_lists_urgent_referrals_first(hub, context, referrer):
    submit(context, referrer, "T-1", "Ellison")
    submit(context, referrer, "T-2", "Brooks", answers={"fire-risk": "yes"})
    response = hub.get(QUEUE)
    first = section_rows(response, "to-forward")[0]
    assert first.priority == "urgent"
    assert first.person.family_name == "Brooks"


def test_queue_lists_declined_referral_with_reason(
    hub, context, referrer, hub_user, agency_user
):
    result = submit(context, referrer, "T-1", "Ellison")
    referral = Referral.objects.get(
        checklist_id=result["checklist_id"], service__code="benefits-check"
    )
    forward_referral(referral.pk, hub_user)
    decline_referral(referral.pk, agency_user, reason="out-of-area")
    response = hub.get(QUEUE)
    assert section_rows(response, "declined") == [referral]
    assert "We do not serve the person&#x27;s area" in response.text


def test_queue_lists_referral_held_without_consent(hub, context, referrer):
    submit(
        context,
        referrer,
        "T-1",
        "Ellison",
        consent={"share": True, "except_agencies": ["pension-service"]},
    )
    response = hub.get(QUEUE)
    held = section_rows(response, "on-hold")
    assert [referral.service.code for referral in held] == ["benefits-check"]
    assert "The person did not consent to this agency" in response.text


def test_queue_lists_safeguarding_concern(hub, context, referrer):
    result = submit(
        context,
        referrer,
        "T-1",
        "Ellison",
        safeguarding_concern="Bruising on both arms; says she fell.",
    )
    response = hub.get(QUEUE)
    checklist = Checklist.objects.get(pk=result["checklist_id"])
    assert section_rows(response, "safeguarding") == [checklist]
    assert section_rows(response, "new-checklists") == []


def test_queue_lists_new_checklist(hub, context, referrer):
    result = submit(context, referrer, "T-1", "Ellison")
    response = hub.get(QUEUE)
    checklist = Checklist.objects.get(pk=result["checklist_id"])
    assert section_rows(response, "new-checklists") == [checklist]


def test_queue_explains_ineligibility_in_plain_english(hub, context, referrer):
    submit(context, referrer, "T-1", "Quinn", born="1970-02-02")
    response = hub.get(QUEUE)
    assert section_counts(response)["ineligible"] == 1
    assert "The person was under 60 on the visit date" in response.text


def test_reviewed_checklist_leaves_queue(hub, context, referrer, hub_user):
    result = submit(context, referrer, "T-1", "Ellison")
    mark_checklist_reviewed(result["checklist_id"], hub_user)
    response = hub.get(QUEUE)
    assert section_counts(response)["new-checklists"] == 0


def test_forwarded_referral_leaves_queue(hub, context, referrer, hub_user):
    result = submit(context, referrer, "T-1", "Ellison")
    for referral in Referral.objects.filter(checklist_id=result["checklist_id"]):
        forward_referral(referral.pk, hub_user)
    response = hub.get(QUEUE)
    assert section_counts(response)["to-forward"] == 0


def test_queue_shows_count_of_each_section(hub, context, referrer):
    submit(context, referrer, "T-1", "Ellison")
    response = hub.get(QUEUE)
    assert "Waiting to be sent (3)" in response.text
    assert "New checklists (1)" in response.text
    assert "Safeguarding concerns (0)" in response.text


# Filters, order and pages


def test_queue_filters_by_district(hub, context, referrer):
    submit(context, referrer, "T-1", "Ellison")
    submit(context, referrer, "T-2", "Brooks", postcode="LE11 1PW")
    response = hub.get(QUEUE, {"district": "charnwood"})
    districts = {r.district.code for r in section_rows(response, "to-forward")}
    assert districts == {"charnwood"}
    assert section_counts(response)["new-checklists"] == 1


def test_queue_filters_referrals_by_service(hub, context, referrer):
    submit(context, referrer, "T-1", "Ellison")
    response = hub.get(QUEUE, {"service": "befriending"})
    services = [r.service.code for r in section_rows(response, "to-forward")]
    assert services == ["befriending"]


def test_queue_filters_checklists_by_service_asked_for(hub, context, referrer):
    submit(context, referrer, "T-1", "Ellison")
    submit(
        context,
        referrer,
        "T-2",
        "Brooks",
        answers={"smoke-alarm": "yes", "falls": "yes"},
    )
    response = hub.get(QUEUE, {"service": "fire-safety-check"})
    names = [c.person.family_name for c in section_rows(response, "new-checklists")]
    assert names == ["Ellison"]


def test_queue_ignores_unknown_filter_values(hub, context, referrer):
    submit(context, referrer, "T-1", "Ellison")
    response = hub.get(QUEUE, {"district": "atlantis", "sort": "sideways"})
    assert response.status_code == 200
    assert section_counts(response)["to-forward"] == 3


def test_queue_sorts_newest_first(hub, context, referrer):
    submit(context, referrer, "T-1", "Ellison", answers={"fire-risk": "yes"})
    submit(context, referrer, "T-2", "Brooks", answers={"benefits": "yes"})
    response = hub.get(QUEUE, {"sort": "newest"})
    names = [r.person.family_name for r in section_rows(response, "to-forward")]
    assert names == ["Brooks", "Ellison"]


def test_queue_sorts_oldest_first(hub, context, referrer):
    submit(context, referrer, "T-1", "Ellison", answers={"benefits": "yes"})
    submit(context, referrer, "T-2", "Brooks", answers={"fire-risk": "yes"})
    response = hub.get(QUEUE, {"sort": "oldest"})
    names = [r.person.family_name for r in section_rows(response, "to-forward")]
    assert names == ["Ellison", "Brooks"]


def test_queue_paginates_one_section(hub, context, referrer, settings):
    settings.FIRSTCONTACT_PAGE_SIZE = 2
    submit(context, referrer, "T-1", "Ellison")
    first = hub.get(QUEUE, {"section": "to-forward"})
    second = hub.get(QUEUE, {"section": "to-forward", "page": 2})
    assert len(first.context["rows"]) == 2
    assert len(second.context["rows"]) == 1
    assert 'rel="next"' in first.text


def test_section_page_links_keep_filters(hub, context, referrer, settings):
    settings.FIRSTCONTACT_PAGE_SIZE = 1
    submit(context, referrer, "T-1", "Ellison")
    response = hub.get(QUEUE, {"section": "to-forward", "district": "hinckley"})
    assert "?section=to-forward&amp;district=hinckley&amp;page=2" in response.text


def test_overview_links_to_full_section(hub, context, referrer, monkeypatch):
    monkeypatch.setattr("firstcontact.referrals.hub_views.PREVIEW_ROWS", 2)
    submit(context, referrer, "T-1", "Ellison")
    response = hub.get(QUEUE)
    assert len(section_rows(response, "to-forward")) == 2
    assert "See all 3" in response.text


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def test_queue_queries_do_not_grow_with_rows(hub, context, referrer):
    submit(context, referrer, "T-1", "Ellison", safeguarding_concern="Bruising.")
    submit(context, referrer, "T-2", "Quinn", born="1970-02-02")
    before = count_queries(hub, QUEUE)
    submit(context, referrer, "T-3", "Brooks", safeguarding_concern="Bruising.")
    submit(context, referrer, "T-4", "Marsh", born="1970-02-02")
    submit(context, referrer, "T-5", "Pole")
    assert count_queries(hub, QUEUE) == before


# Overdue and failed work comes first


def test_overdue_referral_is_listed_first(hub, context, referrer, hub_user):
    result = submit(context, referrer, "T-1", "Ellison")
    referral = Referral.objects.filter(checklist_id=result["checklist_id"]).first()
    forward_referral(referral.pk, hub_user)
    Referral.objects.filter(pk=referral.pk).update(
        due_at=datetime.datetime(2026, 1, 5, 17, tzinfo=datetime.UTC)
    )
    response = hub.get(QUEUE)
    assert section_rows(response, "overdue") == [referral]


def test_failed_delivery_is_listed_once(hub, context, referrer, hub_user):
    result = submit(context, referrer, "T-1", "Ellison")
    referral = Referral.objects.filter(checklist_id=result["checklist_id"]).first()
    forward_referral(referral.pk, hub_user)
    Referral.objects.filter(pk=referral.pk).update(
        due_at=datetime.datetime(2026, 1, 5, 17, tzinfo=datetime.UTC)
    )
    OutboxMessage.objects.create(
        scheme=referral.scheme,
        event="referral.forwarded",
        channel=Channel.EMAIL,
        agency=referral.agency,
        referral=referral,
        status=MessageStatus.FAILED,
        next_attempt_at=datetime.datetime(2026, 1, 5, 17, tzinfo=datetime.UTC),
    )
    response = hub.get(QUEUE)
    assert section_rows(response, "failed-delivery") == [referral]
    assert section_rows(response, "overdue") == []
