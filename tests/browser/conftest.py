"""Fixtures for the browser tests: Debian's Chromium driven by Playwright.

The tests run against pytest-django's live server on 127.0.0.1. Chromium is the
Debian package at /usr/bin/chromium, and Playwright's own browser downloads are
never used. Each test saves a screenshot of every page it checks under
test-artifacts/browser/<test name>/.
"""

import os
import re
import time
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from firstcontact.accounts.two_factor import enrol_authenticator
from tests.conftest import PASSWORD, TEST_TOTP_KEY

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches Chromium tries to reach Google's
# servers at start-up, which a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/test-only/axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# The WCAG 2.0, 2.1 and 2.2 rules at levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


# pytest-django's live server listens here; it reads the variable when the
# live_server fixture starts.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.fixture(scope="module")
def browser():
    """Start Chromium for one test module, and stop it after the module.

    Playwright's synchronous API runs an event loop in this thread while it is
    started, so Django would refuse database queries from the test without
    DJANGO_ALLOW_ASYNC_UNSAFE. The queries run between Playwright calls, never
    inside one. The variable is restored when Playwright stops, so the rest of
    the suite keeps Django's check.
    """
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: as root, apt-get install chromium")
    if not AXE_SCRIPT.exists():
        pytest.skip("axe-core is not installed: run scripts/build-frontend")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def new_browser_context(browser, **options):
    """Open a browser context that can load axe-core into the product's pages.

    axe-core is served from the page's own origin, because the product's
    Content-Security-Policy runs no inline script and no other origin's.
    """
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    context.route(
        "**" + AXE_PATH,
        lambda route: route.fulfill(
            path=str(AXE_SCRIPT), content_type="text/javascript"
        ),
    )
    return context


@pytest.fixture
def browser_context(browser):
    context = new_browser_context(browser, viewport={"width": 1024, "height": 900})
    yield context
    context.close()


@pytest.fixture
def server(live_server, transactional_db, scheme, settings):
    """The live server's address, with the bundled scheme loaded."""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    return live_server.url


class PageChecker:
    """Screenshots and axe-core checks of the pages one test visits."""

    def __init__(self, test_name: str):
        self.directory = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name)
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob("*.png"):
            old.unlink()
        self.count = 0

    def screenshot(self, page, label: str) -> Path:
        self.count += 1
        path = self.directory / f"{self.count:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def check(self, page, label: str) -> None:
        """Save a screenshot of the page and assert axe-core finds no violations."""
        self.screenshot(page, label)
        assert_no_axe_violations(page, label)


def axe_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        origin = re.match(r"https?://[^/]+", page.url).group(0)
        page.add_script_tag(url=origin + AXE_PATH)
    return page.evaluate(
        """async (tags) => {
            const results = await window.axe.run(document, {
                runOnly: {type: "tag", values: tags},
            });
            return results.violations.map((violation) => ({
                id: violation.id,
                impact: violation.impact,
                help: violation.help,
                targets: violation.nodes.map((node) => node.target.join(" ")),
            }));
        }""",
        AXE_TAGS,
    )


def assert_no_axe_violations(page, label: str) -> None:
    violations = axe_violations(page)
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'][:5])}"
        for v in violations
    )
    assert not violations, f"axe-core violations on {label} ({page.url}):\n{report}"


@pytest.fixture
def pages(request):
    return PageChecker(request.node.name)


def current_code(user) -> str:
    """Return a valid authenticator code the device has not accepted yet.

    The verification page rejects a code it has already accepted, so a second
    sign-in within 30 seconds uses the next step's code, which the device's
    tolerance of one step accepts.
    """
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    step_now = int((time.time() - device.t0) // device.step)
    drift = max(0, device.last_t + 1 - step_now)
    assert drift <= device.tolerance, "no unused authenticator code is left"
    code = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=drift,
    )
    return str(code).zfill(device.digits)


def sign_in(page, base_url, user, pages=None, next_path="") -> None:
    """Sign in through the sign-in and two-factor pages, as a person does."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        enrol_authenticator(user, TEST_TOTP_KEY)
    if not page.url.startswith(base_url + "/accounts/sign-in/"):
        page.goto(f"{base_url}/accounts/sign-in/{next_path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    if pages:
        pages.check(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/two-factor/|/verify"))
    page.get_by_label("Code").fill(current_code(user))
    if pages:
        pages.check(page, "two-factor")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
