"""Pages, the admin and the API docs work under the Content-Security-Policy: Chromium reports no
violation in its console (it logs every refused script, style, image or frame there)."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_SLUG = "blinken-cairo-israeli-palestinian-violence"


def violations(driver) -> list[str]:
    """Console messages about the policy since the last call (reading the log empties it)."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]


def visit(driver, url: str) -> list[str]:
    driver.get(url)
    driver.execute_script("return document.readyState")
    return violations(driver)


def log_in(driver, base_url: str, username: str = "eddie") -> None:
    driver.get(f"{base_url}/admin/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys("correct-horse-battery")
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The click returns before the next page has loaded: wait for the admin or the error.
    WebDriverWait(driver, 10).until(
        lambda d: (
            d.find_elements(By.ID, "user-tools") or d.find_elements(By.CLASS_NAME, "errornote")
        )
    )
    assert driver.find_elements(By.ID, "user-tools"), "login failed"


@pytest.fixture
def loaded_seed(db):
    from django.core.management import call_command

    call_command("loaddata", "fixtures/seed_briefing.json", verbosity=0)


def test_the_console_reports_violations(browser, live_server):
    """The check can fail: an inline style injected into a page is refused and reported."""
    browser.get(f"{live_server.url}/admin/login/")
    violations(browser)
    browser.execute_script(
        "const div = document.createElement('div');"
        "div.innerHTML = '<p style=\"color: red\">injected</p>';"
        "document.body.appendChild(div);"
    )
    assert any("style-src" in message for message in violations(browser))


def test_public_pages_have_no_violations(browser, live_server, loaded_seed):
    """Home, a briefing, an actor, search and the feed load without any refusal."""
    from briefings.models import Actor

    actor = Actor.objects.public().first()
    for path in ("/", f"/briefings/{SEED_SLUG}/", f"/actors/{actor.slug}/", "/search/?q=Cairo"):
        assert visit(browser, live_server.url + path) == [], path
        assert "Not Found" not in browser.title, path
    browser.get(f"{live_server.url}/briefings/{SEED_SLUG}/")
    assert "Blinken" in browser.title


def test_admin_has_no_violations(browser, live_server, loaded_seed):
    """The admin login, index, lists, the annotation workspace (ES modules) and the change forms
    with their widgets (autocomplete, inlines, date pickers, prepopulated slugs) work without
    inline scripts or styles."""
    from briefings.models import Article, Event

    make_user("eddie", is_superuser=True)
    assert visit(browser, f"{live_server.url}/admin/login/") == []
    log_in(browser, live_server.url)
    article = Article.objects.get(slug=SEED_SLUG)
    event = Event.objects.filter(participations__isnull=False).first()
    for path in (
        "/admin/",
        "/admin/briefings/article/",
        f"/admin/briefings/article/{article.pk}/change/",
        f"/admin/briefings/article/{article.pk}/annotate/",
        "/admin/briefings/article/add/",
        f"/admin/briefings/event/{event.pk}/change/",
        "/admin/briefings/mention/?status__exact=accepted",
        "/admin/briefings/quote/add/",
    ):
        assert visit(browser, live_server.url + path) == [], path

    # The workspace renders the text from the editor API after load: wait for it, then look.
    browser.get(f"{live_server.url}/admin/briefings/article/{article.pk}/annotate/")
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return !!(window.briefingsWorkspace || {}).pieces")
    )
    assert violations(browser) == []

    # Open the widgets that build markup in the page: the autocomplete and the calendar.
    browser.get(f"{live_server.url}/admin/briefings/quote/add/")
    violations(browser)
    browser.find_element(By.CSS_SELECTOR, ".select2-selection").click()
    browser.find_element(By.CSS_SELECTOR, ".select2-search__field").send_keys("Blinken")
    browser.implicitly_wait(2)
    browser.find_elements(By.CSS_SELECTOR, ".select2-results__option")
    browser.implicitly_wait(0)
    calendar = browser.find_elements(By.CSS_SELECTOR, ".datetimeshortcuts a")
    if calendar:
        calendar[-1].click()
    assert violations(browser) == []


def test_api_docs_have_no_violations(browser, live_server, loaded_seed):
    """Swagger UI at /api/docs loads its scripts and styles from files, under the same policy."""
    assert visit(browser, f"{live_server.url}/api/docs") == []
    browser.implicitly_wait(5)
    assert browser.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock")
    browser.implicitly_wait(0)
    assert violations(browser) == []
