"""A reader in a real Chromium: the journey through the seed, accessibility, layout, CSP."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from briefings.models import Event
from tests.conftest import make_user
from tests.html_checks import axe_violations, describe_violations, require_axe

SEED_SLUG = "blinken-cairo-israeli-palestinian-violence"
SEED_PATH = f"/briefings/{SEED_SLUG}/"

# The live server reads what the test wrote, so the test database is really committed; the
# serialized rollback restores the roles the data migrations made once the test is over.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for(browser, condition, timeout: float = 10):
    return WebDriverWait(browser, timeout).until(condition)


def open_page(browser, live_server, path: str) -> None:
    browser.get(live_server.url + path)
    wait_for(browser, lambda b: b.execute_script("return document.readyState") == "complete")


def set_colour_scheme(browser, scheme: str) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"media": "", "features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def console_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_reader_follows_an_actor_from_the_text_and_comes_back_by_the_timeline(
    browser, live_server, seed
):
    """Home → the seed briefing → an actor linked in the text → back to the briefing through
    the actor's timeline, landing on that event in the briefing's timeline."""
    open_page(browser, live_server, "/")
    browser.find_element(By.LINK_TEXT, seed.title).click()
    wait_for(browser, EC.url_to_be(live_server.url + SEED_PATH))
    assert browser.find_element(By.TAG_NAME, "h1").text == seed.title

    link = browser.find_element(
        By.CSS_SELECTOR, '.article-text a.m-actor[href="/actors/abdel-fattah-al-sisi/"]'
    )
    assert link.text == "Abdel Fattah al-Sissi"
    link.click()
    wait_for(browser, EC.url_to_be(live_server.url + "/actors/abdel-fattah-al-sisi/"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Abdel Fattah al-Sisi"

    event = Event.objects.get(slug="blinken-al-sisi-meeting-cairo-2023-01-30")
    back = browser.find_element(
        By.CSS_SELECTOR, f'.timeline a[href="{SEED_PATH}#event-{event.slug}"]'
    )
    back.click()
    wait_for(browser, EC.url_to_be(f"{live_server.url}{SEED_PATH}#event-{event.slug}"))
    target = browser.execute_script("return document.querySelector(':target')")
    assert target.get_attribute("id") == f"event-{event.slug}"
    assert event.title in target.text and "Mon 30 Jan 2023" in target.text
    in_view = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.top > -2 && r.top < window.innerHeight;",
        target,
    )
    assert in_view
    assert console_errors(browser) == []


def previewer_cookie(live_server) -> dict:
    user = make_user("paula")
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    return {"name": "sessionid", "value": cookie.value, "path": "/"}


def page_paths(seed) -> dict[str, str]:
    raid = Event.objects.get(title="Israeli raid in Jenin")
    return {
        "home": "/",
        "home with a bad filter": "/?actor=nobody&date_from=someday",
        "briefing": SEED_PATH,
        "actor": "/actors/antony-blinken/",
        "event": raid.get_absolute_url(),
        "search": "/search/?q=Blinken",
        "search without results": "/search/?q=zzzqqq",
        "not found": "/actors/nobody/",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_passes_axe(browser, live_server, seed, scheme):
    """No serious or critical WCAG 2.1 A/AA violation on any page type, light and dark."""
    source = require_axe()
    set_colour_scheme(browser, scheme)
    failures = {}
    try:
        for name, path in page_paths(seed).items():
            open_page(browser, live_server, path)
            violations = axe_violations(browser, source)
            if violations:
                failures[name] = describe_violations(violations)
        browser.add_cookie(previewer_cookie(live_server))
        open_page(browser, live_server, SEED_PATH + "?preview=1")
        assert "Preview." in browser.find_element(By.CLASS_NAME, "preview-banner").text
        violations = axe_violations(browser, source)
        if violations:
            failures["preview"] = describe_violations(violations)
    finally:
        set_colour_scheme(browser, "light")
    assert failures == {}


def test_pages_load_without_console_errors_under_the_security_policy(browser, live_server, seed):
    """Stylesheets load and nothing is blocked by the Content-Security-Policy."""
    for path in page_paths(seed).values():
        browser.get_log("browser")
        open_page(browser, live_server, path)
        # The status of the page itself (a 400 for a bad filter, a 404) is reported too.
        errors = [e for e in console_errors(browser) if not e.startswith(live_server.url + path)]
        assert errors == [], path
    styled = browser.execute_script(
        "return getComputedStyle(document.querySelector('.site-header')).borderBottomStyle"
    )
    assert styled == "solid"


@pytest.mark.parametrize("width", [360, 768, 1280])
def test_briefing_fits_the_screen_from_phone_to_desktop(browser, live_server, seed, width):
    """No sideways scrolling at phone, tablet or desktop widths."""
    browser.set_window_size(width, 900)
    try:
        open_page(browser, live_server, SEED_PATH)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
    finally:
        browser.set_window_size(1280, 900)


def test_print_shows_the_text_without_site_furniture(browser, live_server, seed):
    """In print, the header, search and footer are hidden; the article text is shown."""
    open_page(browser, live_server, SEED_PATH)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = browser.execute_script(
            "return ['.site-header', '.site-footer', '.article-text']"
            ".map(s => getComputedStyle(document.querySelector(s)).display)"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert shown == ["none", "none", "block"]


def test_timeline_is_readable_without_javascript(browser, live_server, seed):
    """The timeline is server-rendered: an ordered list of dated entries with no script."""
    open_page(browser, live_server, SEED_PATH)
    items = browser.find_elements(By.CSS_SELECTOR, ".timeline-section ol.timeline > li")
    assert len(items) == Event.objects.filter(mentions__article=seed).distinct().count()
    first = items[0].find_element(By.TAG_NAME, "time")
    assert first.get_attribute("datetime") == "1967" and first.text == "1967"
    assert browser.find_elements(By.CSS_SELECTOR, "script:not([type='application/ld+json'])") == []


def test_actor_filter_suggests_public_names_as_one_types(browser, live_server, seed):
    """Typing part of a name in the actor filter lists matching public actors under the field;
    submitting a name filters the briefings by that actor."""
    open_page(browser, live_server, "/")
    field = browser.find_element(By.ID, "id_actor")
    assert field.get_attribute("list") == "id_actor-suggestions"
    field.send_keys("blink")
    options = "#id_actor-suggestions option"
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, options))
    values = [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, options)]
    assert values == ["Antony Blinken"]
    field.clear()
    field.send_keys("Antony Blinken")
    field.submit()
    wait_for(browser, EC.url_contains("actor=Antony+Blinken"))
    status = browser.find_element(By.CSS_SELECTOR, ".result-count").text
    assert status == "1 briefing mentioning Antony Blinken found."
    assert console_errors(browser) == []
