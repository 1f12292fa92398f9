"""Real-browser tests: Playwright drives Debian's headless Chromium (no browser download)
against pytest-django's live server. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip("Debian chromium is not installed (bin/test installs it when run as root)")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between browser steps are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page_factory(browser, live_server):
    contexts = []

    def make(*, language: str = "ru", mobile: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            locale=language,
            viewport={"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900},
            extra_http_headers={"Accept-Language": language},
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save `name`.png under test-artifacts/screenshots/ (`name` may hold a folder: "ru/x")."""
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


def keep_for_readme(path: Path, name: str) -> None:
    """Copy a screenshot to docs/screenshots/`name`.png, where the README shows it — only when
    asked (`UPDATE_README_SCREENSHOTS=1 bin/test --no-gates tests/ui`): every run draws other
    dates and references, and a test run should leave the checkout as it found it."""
    if os.environ.get("UPDATE_README_SCREENSHOTS") == "1":
        shutil.copyfile(path, ROOT / "docs" / "screenshots" / f"{name}.png")


SERIOUS = {"serious", "critical"}


def axe_violations(page) -> list[str]:
    """The serious and critical axe-core violations on the page, one line each (rule, impact,
    first offending elements) so a failure says what to fix."""
    from axe_playwright_python.sync_playwright import Axe  # imported with the browser tests only

    results = Axe().run(page)
    assert results.response["passes"], "axe-core did not run on the page"
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def code_from_dev_inbox(page, phone: str, *, check=None) -> str:
    """Open the dev inbox (/dev/inbox/) in a new tab of the same browser, as a person with
    `bin/dev` would, and read the code in the newest SMS to `phone` ("+7…"). `check(tab)` runs
    on the inbox page (axe, overflow) before the tab closes."""
    tab = page.context.new_page()
    try:
        tab.goto("/dev/inbox/")
        text = tab.locator(f'#sms li[data-phone="{phone}"] .text').first.inner_text()
        if check is not None:
            check(tab)
    finally:
        tab.close()
    return re.search(r"\b(\d{6})\b", text).group(1)
