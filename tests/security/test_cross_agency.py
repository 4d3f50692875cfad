"""An attacker with accounts at two agencies reads, changes and exports nothing
of a third agency's referrals: not by URL, API, export filter, search or
printout.

The attacker holds an agency account at the police and a referrer account at
fire and rescue. The victim's checklist comes from an NHS referrer, and its
referral goes to the Pension Service.
"""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from firstcontact.audit.models import AuditEvent
from firstcontact.checklists.intake import submit_checklist
from firstcontact.referrals.models import Referral, Status
from firstcontact.referrals.operations import forward_referral
from tests.conftest import checklist_payload

VICTIM_NAME = "Holloway"
VICTIM_CONCERN = "Lives with an adult son who takes her pension."
WIDE_FILTERS = {"date_from": "2000-01-01", "date_to": "2030-12-31"}


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def victim(context, make_user, hub_user):
    """The victim's benefits-check referral, sent to the Pension Service."""
    nhs = make_user("nhs.referrer", "referrer", "nhs-lcr")
    payload = checklist_payload(external_id="V-0001", answers={"benefits": "yes"})
    payload["referrer"]["agency"] = "nhs-lcr"
    payload["person"]["family_name"] = VICTIM_NAME
    payload["safeguarding_concern"] = VICTIM_CONCERN
    result = submit_checklist(payload, context, channel="api", user=nhs)
    referral = Referral.objects.get(checklist_id=result["checklist_id"])
    return forward_referral(referral.pk, hub_user)


@pytest.fixture
def own(context, referrer, hub_user):
    """The attacker's own work: a home security check from fire to the police."""
    payload = checklist_payload(external_id="A-0001", answers={"home-security": "yes"})
    payload["person"]["family_name"] = "Attwood"
    result = submit_checklist(payload, context, channel="api", user=referrer)
    referral = Referral.objects.get(checklist_id=result["checklist_id"])
    return forward_referral(referral.pk, hub_user)


@pytest.fixture
def police(outsider_agency_user):
    """The attacker's agency account, signed in on the web."""
    client = Client()
    client.force_login(outsider_agency_user)
    return client


@pytest.fixture
def fire(referrer):
    """The attacker's referrer account, signed in on the web."""
    client = Client()
    client.force_login(referrer)
    return client


@pytest.fixture
def accounts(police, fire):
    return {"police": police, "fire": fire}


@pytest.fixture
def police_api(outsider_agency_user, api_client_for):
    return api_client_for(outsider_agency_user)


@pytest.fixture
def fire_api(referrer, api_client_for):
    return api_client_for(referrer)


def unchanged(referral) -> bool:
    current = Referral.objects.get(pk=referral.pk)
    return (current.status, current.version, current.agency_id) == (
        Status.REQUESTED,
        referral.version,
        referral.agency_id,
    )


# By URL


@pytest.mark.parametrize("account", ["police", "fire"])
@pytest.mark.parametrize(
    "name", ["referrals:detail", "checklists:detail", "checklists:sent"]
)
def test_victim_pages_are_not_found(victim, own, accounts, account, name):
    record = victim.checklist_id if name.startswith("checklists") else victim.pk

    response = accounts[account].get(reverse(name, args=[record]))

    assert response.status_code == 404


@pytest.mark.parametrize("account", ["police", "fire"])
@pytest.mark.parametrize("action", ["accept", "decline", "start", "complete"])
def test_victim_referral_cannot_be_changed(victim, accounts, account, action):
    url = reverse("referrals:act", args=[victim.pk, action])

    response = accounts[account].post(
        url, {"version": victim.version, "reason": "no-capacity", "outcome": "helped"}
    )

    assert response.status_code == 404
    assert unchanged(victim)


def test_not_found_looks_like_missing(victim, police):
    denied = police.get(reverse("referrals:detail", args=[victim.pk]))
    missing = police.get(reverse("referrals:detail", args=[uuid.uuid4()]))

    assert denied.content == missing.content


@pytest.mark.parametrize("account", ["police", "fire"])
def test_attempts_are_in_the_audit_trail(victim, accounts, account):
    accounts[account].get(reverse("referrals:detail", args=[victim.pk]))

    assert AuditEvent.objects.filter(
        action="access.denied", target_id=victim.pk
    ).exists()


@pytest.mark.parametrize("account", ["police", "fire"])
@pytest.mark.parametrize(
    "name",
    [
        "checklists_hub:detail",
        "rights:person",
        "rights:subject-access",
        "rights:subject-access-json",
        "rights:correct",
        "rights:erase",
        "consent:page",
    ],
)
def test_hub_and_rights_pages_are_forbidden(victim, accounts, account, name):
    record = victim.checklist_id if name.startswith("checklists") else victim.person_id

    response = accounts[account].get(reverse(name, args=[record]))

    assert response.status_code == 403


@pytest.mark.parametrize("account", ["police", "fire"])
@pytest.mark.parametrize("name", ["consent:withdraw", "consent:give", "rights:erase"])
def test_consent_and_erasure_cannot_be_posted(victim, accounts, account, name):
    response = accounts[account].post(
        reverse(name, args=[victim.person_id]), {"confirm": "yes"}
    )

    assert response.status_code == 403
    assert unchanged(victim)


# By API


def listed_ids(client, **query) -> set[str]:
    body = client.get("/api/v1/referrals", query).json()
    return {referral["id"] for referral in body["results"]}


def test_police_api_lists_only_its_own(victim, own, police_api):
    assert listed_ids(police_api) == {str(own.pk)}


@pytest.mark.parametrize(
    "query",
    [
        {"status": "requested"},
        {"agency": "pension-service"},
        {"agency_id": "pension-service", "scope": "all"},
        {"person": "Holloway", "search": "Holloway"},
        {"page": "1", "page_size": "1000"},
    ],
)
def test_api_filters_cannot_widen_the_list(victim, own, police_api, query):
    assert str(victim.pk) not in listed_ids(police_api, **query)


def test_fire_api_lists_only_its_own_checklists_referrals(victim, own, fire_api):
    assert str(victim.pk) not in listed_ids(fire_api)


@pytest.mark.parametrize("api", ["police_api", "fire_api"])
def test_api_detail_is_not_found(victim, request, api):
    response = request.getfixturevalue(api).get(f"/api/v1/referrals/{victim.pk}")

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["accept", "decline", "complete", "forward"])
def test_api_action_is_not_found(victim, police_api, action):
    response = post_json(
        police_api,
        f"/api/v1/referrals/{victim.pk}/{action}",
        {"version": victim.version, "reason": "no-capacity", "outcome": "helped"},
    )

    assert response.status_code == 404
    assert unchanged(victim)


def test_referrer_api_cannot_act(victim, fire_api):
    response = post_json(
        fire_api, f"/api/v1/referrals/{victim.pk}/accept", {"version": victim.version}
    )

    assert response.status_code == 403
    assert unchanged(victim)


def test_checklist_api_cannot_file_for_another_agency(victim, fire_api):
    payload = checklist_payload(external_id="V-0001")
    payload["referrer"]["agency"] = "nhs-lcr"

    response = post_json(fire_api, "/api/v1/checklists", payload)

    assert response.status_code == 400


# By export filter


def export_text(client, **filters) -> str:
    response = client.get(
        reverse("reports:export_referrals", args=["csv"]), {**WIDE_FILTERS, **filters}
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize("account", ["police", "fire"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"receiving_agency": "pension-service"},
        {"referring_agency": "nhs-lcr"},
        {"receiving_agency": "pension-service", "referring_agency": "nhs-lcr"},
        {"district": "hinckley"},
    ],
)
def test_referral_export_holds_only_own_rows(victim, own, accounts, account, filters):
    text = export_text(accounts[account], **filters)

    assert victim.reference not in text
    assert VICTIM_NAME not in text


def test_police_export_holds_its_own_rows(victim, own, police):
    assert own.reference in export_text(police)


def test_dashboard_filter_stays_on_own_agency(victim, own, police):
    response = police.get(
        reverse("reports:dashboard"),
        {**WIDE_FILTERS, "receiving_agency": "pension-service"},
    )

    assert response.context["filters"].receiving_agency.code == "police"


def test_table_export_filter_stays_on_own_agency(victim, own, police):
    police.get(
        reverse("reports:export", args=["dashboard", "funnel", "csv"]),
        {**WIDE_FILTERS, "receiving_agency": "pension-service"},
    )

    event = AuditEvent.objects.get(action="export.downloaded")
    assert event.data["filters"]["receiving_agency"] == "police"


# By search


@pytest.mark.parametrize("account", ["police", "fire"])
def test_people_search_is_forbidden(victim, accounts, account):
    response = accounts[account].post(
        reverse("rights:search"), {"family_name": VICTIM_NAME}
    )

    assert response.status_code == 403


@pytest.mark.parametrize("account", ["police", "fire"])
@pytest.mark.parametrize("name", ["hub:queue", "audit:search", "delivery:failed"])
def test_hub_lists_are_forbidden(victim, accounts, account, name):
    response = accounts[account].get(
        reverse(name), {"person": str(victim.person_id), "service": "benefits-check"}
    )

    assert response.status_code == 403


@pytest.mark.parametrize("tab", ["new", "active", "closed"])
def test_inbox_lists_only_own_referrals(victim, own, police, tab):
    response = police.get(reverse("referrals:inbox"), {"status": tab})

    assert victim.reference not in response.text


def test_notifications_hold_only_own_referrals(victim, own, fire):
    response = fire.get(reverse("delivery:notifications"))

    assert victim.reference not in response.text


def test_my_checklists_hold_only_own(victim, own, fire):
    response = fire.get(reverse("checklists:mine"))

    assert VICTIM_NAME not in response.text


# By printout


@pytest.mark.parametrize("account", ["police", "fire"])
@pytest.mark.parametrize("file_format", ["json", "pdf"])
def test_progress_report_download_is_forbidden(victim, accounts, account, file_format):
    response = accounts[account].get(
        reverse("reports:executive_download", args=[file_format])
    )

    assert response.status_code == 403


@pytest.mark.parametrize("account", ["police", "fire"])
def test_subject_access_printout_is_forbidden(victim, accounts, account):
    response = accounts[account].get(
        reverse("rights:subject-access", args=[victim.person_id])
    )

    assert response.status_code == 403
    assert VICTIM_CONCERN not in response.text


def test_own_referral_page_shows_no_victim_details(victim, own, police):
    response = police.get(reverse("referrals:detail", args=[own.pk]))

    assert response.status_code == 200
    assert VICTIM_NAME not in response.text
    assert VICTIM_CONCERN not in response.text


def test_police_json_holds_no_victim_details(victim, own, police_api):
    bodies = [
        police_api.get("/api/v1/referrals").content,
        police_api.get(f"/api/v1/referrals/{own.pk}").content,
    ]

    assert all(VICTIM_NAME.encode() not in body for body in bodies)
