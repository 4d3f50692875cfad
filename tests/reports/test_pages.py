"""The report pages: who may open them, what they show, and their charts."""

import datetime
import io

import pytest
from django.utils import timezone

from firstcontact.referrals.models import AGENCY_VISIBLE_STATUSES, Referral
from firstcontact.reports.charts import bar_chart
from firstcontact.reports.tables import Column, Table

PAGES = ["/reports/", "/reports/reach/", "/reports/equality/", "/reports/progress/"]
SCHEME_PAGES = PAGES[1:]


@pytest.fixture
def users(make_user, manager, executive):
    return {
        "manager": manager,
        "executive": executive,
        "hub": make_user("hub.user", "hub", "victim-support"),
        "admin": make_user("admin.user", "admin"),
        "agency": make_user("fire.agency", "agency", "fire-rescue"),
        "referrer": make_user("police.referrer", "referrer", "police"),
    }


@pytest.mark.parametrize("role", ["manager", "executive", "hub", "admin"])
@pytest.mark.parametrize("page", PAGES)
def test_scheme_roles_open_every_page(client_for, users, activity, role, page):
    assert client_for(users[role]).get(page).status_code == 200


@pytest.mark.parametrize("role", ["agency", "referrer"])
def test_agency_roles_open_dashboard(client_for, users, activity, role):
    assert client_for(users[role]).get("/reports/").status_code == 200


@pytest.mark.parametrize("role", ["agency", "referrer"])
@pytest.mark.parametrize("page", SCHEME_PAGES)
def test_agency_roles_cannot_open_scheme_pages(client_for, users, role, page):
    assert client_for(users[role]).get(page).status_code == 403


def test_signed_out_user_is_sent_to_sign_in(client, scheme):
    response = client.get("/reports/")
    assert response.status_code == 302


def test_dashboard_draws_chart_beside_table(client_for, manager, activity):
    html = client_for(manager).get("/reports/").content.decode()
    assert '<svg class="fc-chart"' in html
    assert 'id="table-funnel"' in html


def test_dashboard_shows_referral_total(client_for, manager, activity):
    html = client_for(manager).get("/reports/").content.decode()
    made = Referral.objects.exclude(status="entered-in-error").count()
    assert f"{made:,}" in html


def section_table(response, key):
    return next(
        s["table"] for s in response.context["sections"] if s["table"].key == key
    )


def test_dashboard_filters_by_district(client_for, manager, activity):
    response = client_for(manager).get("/reports/", {"district": "melton"})
    table = section_table(response, "referrals-by-district")
    assert [row["name"] for row in table.rows] == ["Melton"]


def test_invalid_period_is_reported(client_for, manager, activity):
    response = client_for(manager).get(
        "/reports/", {"date_from": "2026-05-01", "date_to": "2026-01-01"}
    )
    assert "The end of the period must be after its start." in response.content.decode()


def test_executive_pages_show_no_personal_details(client_for, executive, activity):
    client = client_for(executive)
    pages = "".join(client.get(page).content.decode() for page in PAGES)
    references = [r.reference for r in activity.referrals]
    family_names = {p.family_name for p in activity.people}
    assert [r for r in references if r in pages] == []
    assert [name for name in family_names if name in pages] == []


def test_executive_dashboard_has_no_overdue_list(client_for, executive, activity):
    response = client_for(executive).get("/reports/")
    keys = [s["table"].key for s in response.context["sections"]]
    assert "overdue-referrals" not in keys


def test_manager_sees_overdue_list(client_for, manager, activity):
    response = client_for(manager).get("/reports/")
    keys = [s["table"].key for s in response.context["sections"]]
    assert "overdue-referrals" in keys


def test_agency_dashboard_counts_only_its_referrals(client_for, users, activity):
    response = client_for(users["agency"]).get("/reports/")
    funnel = section_table(response, "funnel")
    own = Referral.objects.filter(
        agency__code="fire-rescue", status__in=AGENCY_VISIBLE_STATUSES
    ).count()
    assert funnel.rows[0]["referrals"] == own


def test_agency_dashboard_receives_only_itself(client_for, users, activity):
    response = client_for(users["agency"]).get("/reports/")
    table = section_table(response, "referrals-by-receiving-agency")
    assert {r["name"] for r in table.rows} == {"Leicestershire Fire and Rescue Service"}


def test_reach_page_says_population_is_all_ages(client_for, manager, activity):
    html = client_for(manager).get("/reports/reach/").content.decode()
    assert "all ages" in html


def test_reach_page_warns_without_population(client_for, manager, activity):
    html = client_for(manager).get("/reports/reach/").content.decode()
    assert "No population figures are loaded" in html


def test_reach_rates_use_loaded_population(client_for, manager, activity):
    from django.core.management import call_command

    call_command("load_population", verbosity=0, stdout=io.StringIO())
    response = client_for(manager).get("/reports/reach/")
    table = section_table(response, "reach-district")
    blaby = next(r for r in table.rows if r["district"] == "Blaby")
    assert blaby["population"] == 26_873


def test_progress_page_states_budget(client_for, executive, scheme):
    html = client_for(executive).get("/reports/progress/", {"as_of": "2009-11-25"})
    assert "£55,000" in html.content.decode()


def test_progress_pdf_downloads(client_for, executive, scheme):
    response = client_for(executive).get(
        "/reports/progress/report.pdf", {"as_of": "2009-11-25"}
    )
    assert response.content.startswith(b"%PDF-")


def test_chart_escapes_labels():
    table = Table(
        "t",
        "<Title>",
        [Column("name", "Name"), Column("n", "N", "count")],
        rows=[{"name": "<script>", "n": 3}],
        chart_column="n",
    )
    svg = str(bar_chart(table, "c"))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_chart_is_an_image_with_title():
    table = Table(
        "t",
        "Referrals",
        [Column("name", "Name"), Column("n", "N", "count")],
        rows=[{"name": "Blaby", "n": 3}],
        chart_column="n",
    )
    svg = str(bar_chart(table, "c"))
    assert 'role="img"' in svg
    assert '<title id="c-title">Referrals</title>' in svg


def test_default_period_ends_today(client_for, manager, activity):
    response = client_for(manager).get("/reports/")
    assert response.context["filters"].date_to == timezone.localdate()


def test_default_period_starts_on_first_of_month(client_for, manager, activity):
    response = client_for(manager).get("/reports/")
    start = response.context["filters"].date_from
    assert start.day == 1
    assert start > timezone.localdate() - datetime.timedelta(days=366)
