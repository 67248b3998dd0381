"""The system Chromium (Debian's ``chromium``), driven by Playwright, for every browser test; axe-core runs
inside it. Without the browser a test is skipped on a developer machine and fails under CI."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE = Path(django_settings.BASE_DIR) / "interop" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"  # looked at by a person, never committed
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def unavailable(reason: str):
    """Skip on a developer machine without the browser; in CI a missing browser is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests between
    # browser actions are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page (empty: none)."""
    if not AXE.exists():
        unavailable(f"{AXE} is missing (cd interop && npm ci)")
    # Evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not govern (a script
    # tag with axe's source would be an inline script, which it refuses).
    page.evaluate(AXE.read_text() + "\n;void 0")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", AXE_TAGS)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def session_of(user) -> str:
    """The session cookie value of ``user`` signed in (for a browser context of the live site)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


class PageOpener:
    """``opener(path, width=, height=)`` loads a page of the live site in a new browser context (French unless
    ``locale`` says otherwise), signed in with ``session`` when one is given (to the opener or to the call);
    ``prepare(context)`` runs on each context first (permissions...). With ``block_outside``, requests to any
    other host are aborted and listed in ``outside``. ``page.response`` is the page's own response."""

    def __init__(self, browser, base_url: str, *, session=None, prepare=None, block_outside=False, **options):
        self.browser, self.base_url, self.session, self.prepare = browser, base_url, session, prepare
        self.block_outside, self.options = block_outside, options
        self.contexts, self.outside = [], []

    def _guard(self, route):
        if urlsplit(route.request.url).netloc == urlsplit(self.base_url).netloc:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def __call__(self, path: str, *, width: int = 375, height: int = 812, session: str | None = None,
                 locale: str = "fr-FR", javascript: bool = True):
        context = self.browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                           java_script_enabled=javascript, **self.options)
        self.contexts.append(context)
        if self.prepare is not None:
            self.prepare(context)
        session = session or self.session
        if session is not None:
            context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session,
                                  "url": self.base_url}])
        page = context.new_page()
        if self.block_outside:
            page.route("**/*", self._guard)
        page.response = page.goto(self.base_url + path)
        page.wait_for_load_state("load")
        return page


@contextmanager
def page_opener(browser, base_url: str, **options):
    """A ``PageOpener`` whose contexts are closed on exit."""
    opener = PageOpener(browser, base_url, **options)
    try:
        yield opener
    finally:
        for context in opener.contexts:
            context.close()


def screenshot(page, name: str, width: int) -> None:
    """A full-page screenshot in ``SCREENSHOTS`` (looked at by a person; listed in the closing notes)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
