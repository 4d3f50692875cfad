"""The main journeys end to end in Chromium, with axe-core on every page.

A referrer sends a checklist, the hub forwards a referral, the agency accepts
and completes it, and the referrer sees the outcome.
"""

import re

import pytest

from firstcontact.checklists.models import Checklist
from firstcontact.referrals.models import Referral, Status
from tests.browser.conftest import axe_violations, sign_in, sign_out

pytestmark = pytest.mark.browser

PERSON = {
    "given_name": "Winifred",
    "family_name": "Ashworth",
    "address_line_1": "3 Example Lane",
    "postcode": "LE10 0JU",
    "phone": "01455 000001",
}


def fill_checklist(page) -> None:
    """Fill the new-checklist form for an invented person in Hinckley."""
    for name, value in PERSON.items():
        page.locator(f'[name="{name}"]').fill(value)
    page.locator('[name="date_of_birth_day"]').fill("14")
    page.locator('[name="date_of_birth_month"]').fill("3")
    page.locator('[name="date_of_birth_year"]').fill("1941")
    page.locator('[name="lives_alone"][value="yes"]').check()
    page.locator('[name="consent_share"][value="yes"]').check()
    page.locator('[name="answer_benefits"][value="yes"]').check()
    page.locator('[name="answer_smoke-alarm"][value="no"]').check()


def test_referral_journey(
    server, browser_context, pages, referrer, hub_user, make_user
):
    agency_user = make_user("pension.caseworker", "agency", "pension-service")
    page = browser_context.new_page()

    # The referrer sends a checklist.
    sign_in(page, server, referrer, pages, next_path="?next=/checklists/new/")
    page.goto(f"{server}/checklists/new/")
    pages.check(page, "new-checklist")
    page.locator('[name="visit_date_day"]').fill("")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.title().startswith("Error: ")
    pages.check(page, "new-checklist-errors")
    page.locator('[name="visit_date_day"]').fill("1")
    fill_checklist(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    pages.check(page, "check-answers")
    page.get_by_role("button", name="Send checklist").click()
    page.wait_for_url(re.compile(r"/checklists/[0-9a-f-]+/sent/$"))
    pages.check(page, "confirmation")
    checklist = Checklist.objects.get()
    referral = Referral.objects.get(checklist=checklist, agency__code="pension-service")
    page.goto(f"{server}/checklists/")
    pages.check(page, "my-checklists")
    page.get_by_role("link", name=checklist.reference).click()
    pages.check(page, "checklist-detail")
    sign_out(page)

    # The hub reviews the checklist and forwards the referral.
    sign_in(page, server, hub_user)
    page.goto(f"{server}/hub/")
    pages.check(page, "hub-queue")
    page.goto(f"{server}/hub/checklists/{checklist.pk}/")
    pages.check(page, "hub-checklist")
    page.goto(f"{server}/referrals/{referral.pk}/")
    pages.check(page, "referral-hub")
    if referral.status == Status.DRAFT:
        page.locator("#forward-form button").click()
        page.wait_for_load_state()
        pages.check(page, "referral-hub-forwarded")
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED
    sign_out(page)

    # The agency accepts and completes it.
    sign_in(page, server, agency_user)
    page.goto(f"{server}/referrals/")
    pages.check(page, "agency-inbox")
    page.get_by_role("link", name=referral.reference).first.click()
    pages.check(page, "referral-agency")
    page.get_by_role("button", name="Accept referral").click()
    page.wait_for_load_state()
    pages.check(page, "referral-agency-accepted")
    page.locator('#complete-form input[type="radio"]').first.check()
    page.get_by_role("button", name="Complete referral").click()
    page.wait_for_load_state()
    pages.check(page, "referral-agency-completed")
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED
    sign_out(page)

    # The referrer sees the outcome.
    sign_in(page, server, referrer)
    page.goto(f"{server}/checklists/{checklist.pk}/")
    pages.check(page, "checklist-outcome")
    assert "Completed" in page.locator("main").inner_text()


def test_axe_reports_a_known_violation(server, browser_context):
    """The axe-core check can fail: an image without alternative text is found."""
    page = browser_context.new_page()
    page.goto(f"{server}/accounts/sign-in/")
    page.evaluate(
        """() => {
            const image = document.createElement("img");
            image.src = "/static/firstcontact/favicon.svg";
            document.querySelector("main").appendChild(image);
        }"""
    )
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["image-alt"]
