"""The checklist by keyboard alone on a 320 px wide screen, and the pages
without JavaScript.

A 320 CSS pixel viewport is what a 1280 px wide window shows at 400% zoom,
so these tests also cover WCAG 2.2's reflow criterion (1.4.10).
"""

import re

import pytest

from firstcontact.checklists.intake import submit_checklist, today_in_london
from firstcontact.checklists.models import Checklist
from firstcontact.referrals.models import Referral
from tests.browser.conftest import new_browser_context, sign_in
from tests.conftest import checklist_payload

pytestmark = pytest.mark.browser

SENT_URL = re.compile(r"/checklists/[0-9a-f-]+/sent/$")
MAX_TAB_PRESSES = 300

TYPED = {
    "given_name": "Winifred",
    "family_name": "Ashworth",
    "date_of_birth_day": "14",
    "date_of_birth_month": "3",
    "date_of_birth_year": "1941",
    "address_line_1": "3 Example Lane",
    "postcode": "LE10 0JU",
}
# Radio buttons to select: the first option ("yes") with Space, or the second
# ("no") with the right arrow key, which moves to it and selects it.
CHOSEN = {
    "lives_alone": "yes",
    "consent_share": "yes",
    "answer_benefits": "yes",
    "answer_smoke-alarm": "no",
}

FOCUSED = """() => {
    const element = document.activeElement;
    return {
        tag: element.tagName.toLowerCase(),
        type: element.type || "",
        name: element.name || "",
        value: element.value || "",
        text: element.innerText ? element.innerText.trim() : "",
    };
}"""


@pytest.fixture
def small_screen(browser):
    context = new_browser_context(browser, viewport={"width": 320, "height": 640})
    yield context
    context.close()


def assert_no_horizontal_scrolling(page, label: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"{label} is {width} px wide at a 320 px viewport"


def tab_to_button(page, text: str) -> None:
    """Press Tab until the button with this text has focus, filling in the
    fields named in TYPED and CHOSEN on the way."""
    for _ in range(MAX_TAB_PRESSES):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "button" and focused["text"] == text:
            return
        name = focused["name"]
        if focused["tag"] == "input" and focused["type"] == "text" and name in TYPED:
            page.keyboard.type(TYPED[name])
        elif focused["type"] == "radio" and name in CHOSEN:
            page.keyboard.press("Space" if CHOSEN[name] == "yes" else "ArrowRight")
    raise AssertionError(f"no button {text!r} after {MAX_TAB_PRESSES} Tab presses")


def test_checklist_by_keyboard_at_320px(server, small_screen, pages, referrer):
    page = small_screen.new_page()
    sign_in(page, server, referrer, next_path="?next=/checklists/new/")
    page.goto(f"{server}/checklists/new/")
    assert_no_horizontal_scrolling(page, "the new checklist")

    tab_to_button(page, "Continue")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your answers").wait_for()
    pages.check(page, "check-answers-320px")
    assert_no_horizontal_scrolling(page, "check your answers")
    summary = page.locator("main").inner_text()
    assert "Winifred" in summary
    assert "LE10 0JU" in summary

    tab_to_button(page, "Send checklist")
    page.keyboard.press("Enter")
    page.wait_for_url(SENT_URL)
    pages.check(page, "confirmation-320px")
    assert_no_horizontal_scrolling(page, "the confirmation")
    checklist = Checklist.objects.get()
    assert checklist.person.family_name == "Ashworth"
    assert checklist.person.lives_alone is True
    assert checklist.answers.get("smoke-alarm") == "no"


def test_work_queues_at_320px(
    server, small_screen, pages, context, referrer, hub_user, agency_user
):
    result = submit_checklist(
        checklist_payload(
            external_id="SMALL-SCREEN-1", visit_date=today_in_london().isoformat()
        ),
        context,
        channel="api",
        user=referrer,
    )
    referral = Referral.objects.get(
        checklist_id=result["checklist_id"], agency__code="pension-service"
    )
    page = small_screen.new_page()
    sign_in(page, server, hub_user)
    hub_pages = [
        ("/hub/", "hub-queue"),
        ("/hub/?sort=newest&district=hinckley-bosworth", "hub-queue-filtered"),
        (f"/hub/checklists/{result['checklist_id']}/", "hub-checklist"),
        (f"/referrals/{referral.pk}/", "referral-hub"),
    ]
    for path, label in hub_pages:
        page.goto(server + path)
        pages.check(page, f"{label}-320px")
        assert_no_horizontal_scrolling(page, label)
    page.locator("#forward-form button").click()
    page.get_by_text("was sent to").first.wait_for()
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Hub queue", exact=True).wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/sign-in/"))

    sign_in(page, server, agency_user)
    for path, label in [
        ("/referrals/", "agency-inbox"),
        (f"/referrals/{referral.pk}/", "referral-agency"),
    ]:
        page.goto(server + path)
        pages.check(page, f"{label}-320px")
        assert_no_horizontal_scrolling(page, label)


def test_checklist_without_javascript(server, browser, referrer):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, server, referrer, next_path="?next=/checklists/new/")
    page.goto(f"{server}/checklists/new/")
    for name, value in TYPED.items():
        page.locator(f'[name="{name}"]').fill(value)
    for name, value in CHOSEN.items():
        page.locator(f'[name="{name}"][value="{value}"]').check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    page.get_by_role("button", name="Send checklist").click()
    page.wait_for_url(SENT_URL)
    page.get_by_role("heading", name="Checklist sent").wait_for()
    assert Checklist.objects.count() == 1
    context.close()
