"""The system Chromium (Debian's ``chromium``), driven by Playwright, for every browser test; axe-core runs
inside it. Without the browser a test is skipped on a developer machine and fails under CI."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE = Path(django_settings.BASE_DIR) / "interop" / "node_modules" / "axe-core" / "axe.min.js"
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
    """The session cookie's value of ``user`` signed in (by Django's test client)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


@contextmanager
def pages(browser, url: str, session: str, *, permissions: tuple[str, ...] = (), **options):
    """A function that opens ``url`` + a path in a new browser context signed in with ``session`` (French locale,
    the viewport given), loaded; every context is closed at the end. ``options`` are Playwright's (``bypass_csp``
    where axe-core is injected: an inline script, which the pages' strict CSP rightly refuses)."""
    contexts = []

    def opener(path: str, *, width: int = 375, height: int = 812):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR", **options)
        if permissions:
            context.grant_permissions(list(permissions), origin=url)
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": url}])
        contexts.append(context)
        page = context.new_page()
        page.goto(url + path)
        page.wait_for_load_state("load")
        return page

    try:
        yield opener
    finally:
        for context in contexts:
            context.close()
