"""Shared Selenium fixtures: one headless Chromium per test session, driven against live_server.

Browser tests skip with a message when Chromium is missing, except when BRIEFINGS_REQUIRE_BROWSER=1
(CI), where a missing browser is a failure rather than a silently green run.

Every browser test that uses the database runs with ``transaction=True, serialized_rollback=True``
(set here, whatever the test module says): the live server must see committed rows, and the flush
after a transactional test would otherwise delete the rows data migrations made (the roles), or,
mixed with serialized tests, leave content types that the next restore collides with.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
)


HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    # This hook sees the whole session's items, not only this folder's.
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        if item.get_closest_marker("django_db") or "live_server" in item.fixturenames:
            item.add_marker(
                pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False
            )


def browser_required() -> bool:
    return os.environ.get("BRIEFINGS_REQUIRE_BROWSER") == "1"


def _find(path: Path, name: str) -> str | None:
    if path.exists():
        return str(path)
    return shutil.which(name)


@pytest.fixture(scope="session")
def driver():
    """A headless Chromium shared by every browser test of the session."""
    binary, chromedriver = _find(CHROMIUM, "chromium"), _find(CHROMEDRIVER, "chromedriver")
    if not binary or not chromedriver:
        message = (
            "Chromium and chromedriver are needed for browser tests "
            "(apt-get install chromium chromium-driver)"
        )
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    # Console messages (CSP violations, script errors) are read by tests through get_log("browser").
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Passing the driver path keeps Selenium Manager from trying to download anything.
    browser = webdriver.Chrome(service=Service(chromedriver), options=options)
    browser.set_page_load_timeout(30)
    browser.set_script_timeout(30)
    yield browser
    browser.quit()


@pytest.fixture
def browser(driver, live_server):
    """The shared driver, with cookies cleared so each test starts as an anonymous reader."""
    driver.delete_all_cookies()
    yield driver
    driver.delete_all_cookies()
