"""A checklist in progress survives a lost connection, a closed tab and an
expired session, and is sent exactly once (checklist-offline.js)."""

import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from firstcontact.accounts.middleware import LAST_SEEN_AT
from firstcontact.accounts.sessions import SessionStore
from firstcontact.checklists.models import Checklist
from tests.browser.conftest import sign_in
from tests.browser.test_journeys import fill_checklist

pytestmark = pytest.mark.browser

SENT_URL = re.compile(r"/checklists/[0-9a-f-]+/sent/$")
WAITING = "Saved on this device: waiting to send"


def saved_keys(page) -> list[str]:
    return page.evaluate(
        """() => Object.keys(window.localStorage)
            .filter((key) => key.startsWith("firstcontact:checklist:"))"""
    )


def test_offline_checklist_sent_once_after_tab_closed(
    server, browser_context, pages, referrer
):
    page = browser_context.new_page()
    sign_in(page, server, referrer, next_path="?next=/checklists/new/")
    page.goto(f"{server}/checklists/new/")
    fill_checklist(page)
    browser_context.set_offline(True)
    page.get_by_role("button", name="Continue").click()
    page.get_by_text(WAITING).wait_for()
    pages.screenshot(page, "waiting-to-send")
    assert Checklist.objects.count() == 0
    page.close()

    page = browser_context.new_page()
    with pytest.raises(PlaywrightError):
        page.goto(f"{server}/checklists/new/")
    browser_context.set_offline(False)
    page.goto(f"{server}/checklists/new/")
    page.wait_for_url(SENT_URL)
    page.get_by_role("heading", name="Checklist sent").wait_for()
    pages.check(page, "sent-after-reconnecting")
    assert Checklist.objects.count() == 1
    assert saved_keys(page) == []

    # Opening the form again neither restores nor re-sends the checklist.
    page.goto(f"{server}/checklists/new/")
    assert page.locator('[name="given_name"]').input_value() == ""
    assert page.get_by_text(WAITING).count() == 0
    assert Checklist.objects.count() == 1
    checklist = Checklist.objects.get()
    assert checklist.person.given_name == "Winifred"
    assert checklist.external_id.startswith("WEB-")


def test_offline_checklist_sent_when_online_returns(
    server, browser_context, pages, referrer
):
    page = browser_context.new_page()
    sign_in(page, server, referrer, next_path="?next=/checklists/new/")
    page.goto(f"{server}/checklists/new/")
    fill_checklist(page)
    browser_context.set_offline(True)
    page.get_by_role("button", name="Continue").click()
    page.get_by_text(WAITING).wait_for()
    assert Checklist.objects.count() == 0

    browser_context.set_offline(False)
    page.wait_for_url(SENT_URL)
    page.get_by_role("heading", name="Checklist sent").wait_for()
    assert Checklist.objects.count() == 1
    assert saved_keys(page) == []


def expire_session(browser_context, settings) -> None:
    """Make the browser's session idle for longer than the idle timeout."""
    session_key = next(
        cookie["value"]
        for cookie in browser_context.cookies()
        if cookie["name"] == settings.SESSION_COOKIE_NAME
    )
    session = SessionStore(session_key=session_key)
    session[LAST_SEEN_AT] = (
        time.time() - settings.FIRSTCONTACT_SESSION_IDLE_TIMEOUT - 60
    )
    session.save()


def test_checklist_survives_expired_session(
    server, browser_context, pages, referrer, settings
):
    page = browser_context.new_page()
    sign_in(page, server, referrer, next_path="?next=/checklists/new/")
    page.goto(f"{server}/checklists/new/")
    page.locator('[name="given_name"]').fill("Winifred")
    page.locator('[name="family_name"]').fill("Ashworth")
    expire_session(browser_context, settings)
    fill_checklist(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/accounts/sign-in/"))
    pages.check(page, "signed-out")
    assert Checklist.objects.count() == 0

    sign_in(page, server, referrer)
    page.wait_for_url(re.compile(r"/checklists/new/$"))
    page.get_by_text("A checklist saved on this device was restored").wait_for()
    pages.check(page, "restored")
    assert page.locator('[name="given_name"]').input_value() == "Winifred"
    assert page.locator('[name="postcode"]').input_value() == "LE10 0JU"
    assert page.locator('[name="answer_smoke-alarm"][value="no"]').is_checked()

    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    page.get_by_role("button", name="Send checklist").click()
    page.wait_for_url(SENT_URL)
    assert Checklist.objects.count() == 1
    assert saved_keys(page) == []


def test_restored_checklist_can_be_deleted(server, browser_context, referrer):
    page = browser_context.new_page()
    sign_in(page, server, referrer, next_path="?next=/checklists/new/")
    page.goto(f"{server}/checklists/new/")
    page.locator('[name="given_name"]').fill("Winifred")
    page.goto(f"{server}/checklists/new/")
    assert page.locator('[name="given_name"]').input_value() == "Winifred"
    assert len(saved_keys(page)) == 1

    with page.expect_navigation():
        page.get_by_role("button", name="Delete it and start a new checklist").click()
    assert page.locator('[name="given_name"]').input_value() == ""
    assert saved_keys(page) == []
