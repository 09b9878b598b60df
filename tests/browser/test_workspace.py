"""The annotation workspace in a real Chromium: annotating by selection, suggestions, text edits
that keep annotations, accessibility and the content security policy."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from briefings.models import Actor, Article, Mention, Quote, Suggestion
from tests.conftest import make_user
from tests.html_checks import axe_violations, describe_violations, require_axe
from tests.test_annotations import CONDEMN, make_actors, make_article

# The live server reads what the test wrote, so the test database is really committed; the
# serialized rollback restores the roles the data migrations made once the test is over.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "correct-horse-battery"


def wait_for(browser, condition, timeout: float = 10):
    return WebDriverWait(browser, timeout).until(condition)


def open_workspace(browser, live_server, username: str, article: Article) -> None:
    browser.get(f"{live_server.url}/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, lambda b: "/admin/login/" not in b.current_url)
    browser.get(f"{live_server.url}/admin/briefings/article/{article.pk}/annotate/")
    wait_for(browser, lambda b: b.execute_script("return !!window.briefingsWorkspace"))


def select_words(browser, words: str, occurrence: int = 0) -> None:
    """Select words in the text as a mouse drag does, and release the button."""
    browser.execute_script(
        """
        const [needle, occurrence] = arguments;
        const ws = window.briefingsWorkspace;
        let start = -1;
        for (let i = 0; i <= occurrence; i += 1) start = ws.data.body.indexOf(needle, start + 1);
        const end = start + needle.length;
        const a = ws.pieces.find((p) => start >= p.start && start < p.end);
        const b = ws.pieces.find((p) => end > p.start && end <= p.end);
        getSelection().setBaseAndExtent(
          a.el.firstChild, start - a.start, b.el.firstChild, end - b.start);
        ws.body.dispatchEvent(new MouseEvent("mousedown", {bubbles: true}));
        ws.body.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        """,
        words,
        occurrence,
    )


def popover(browser):
    return wait_for(
        browser, lambda b: (el := b.find_element(By.ID, "ws-popover")).is_displayed() and el
    )


def status(browser, contains: str) -> str:
    wait_for(browser, lambda b: contains in b.find_element(By.ID, "ws-status").text)
    return browser.find_element(By.ID, "ws-status").text


def mark_texts(browser, kind: str) -> list[str]:
    """The words under each highlighted span of a kind (without its letter and label)."""
    return browser.execute_script(
        """
        return Array.from(document.querySelectorAll("#ws-body mark.ws-" + arguments[0]), (m) =>
          Array.from(m.querySelectorAll(".ws-t"), (t) => t.textContent).join(""));
        """,
        kind,
    )


def after_save(browser) -> str:
    """Wait for the page the text form's post leads to; its message, or fail with its error."""
    found = wait_for(
        browser, lambda b: b.find_elements(By.CSS_SELECTOR, ".messagelist, #ws-form-error"), 30
    )
    assert found[0].get_attribute("id") != "ws-form-error", found[0].text
    wait_for(browser, lambda b: b.execute_script("return !!window.briefingsWorkspace"))
    return found[0].text


def csp_errors(browser) -> list[str]:
    return [
        e["message"]
        for e in browser.get_log("browser")
        if "Content Security Policy" in e["message"]
    ]


@pytest.fixture
def draft(db):
    make_actors()
    make_user("annie", "Annotators")
    return make_article()


def test_select_text_and_link_it_to_an_existing_actor(browser, live_server, draft):
    """Select, click Actor, pick the match (found by an alias) with Enter: the span is linked."""
    open_workspace(browser, live_server, "annie", draft)
    select_words(browser, "El-Sisi")
    pop = popover(browser)
    assert "Annotate “El-Sisi”" in pop.text
    pop.find_element(By.XPATH, ".//button[contains(., 'Actor')]").click()
    box = wait_for(
        browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover [role=combobox]")
    )
    wait_for(browser, lambda b: "Abdel Fattah al-Sisi" in b.find_element(By.ID, "ws-popover").text)
    box.send_keys(Keys.ENTER)
    assert "Linked “El-Sisi” to Abdel Fattah al-Sisi." in status(browser, "Linked")
    m = Mention.objects.get()
    assert (m.exact, m.actor.slug, m.status) == ("El-Sisi", "abdel-fattah-al-sisi", "accepted")
    assert draft.body[m.start : m.end] == "El-Sisi"
    assert mark_texts(browser, "actor") == ["El-Sisi"]
    assert not csp_errors(browser)


def test_keyboard_selection_snaps_to_words_and_creates_a_new_actor(browser, live_server, draft):
    """Keyboard only: move word by word, extend with Shift, press A, create an actor inline."""
    open_workspace(browser, live_server, "annie", draft)
    body = browser.find_element(By.ID, "ws-body")
    browser.execute_script("arguments[0].focus()", body)
    # Focusing the text selects its first word, "US".
    assert browser.execute_script("return getSelection().toString()") == "US"
    actions = ActionChains(browser)
    actions.send_keys(Keys.ARROW_RIGHT)  # "Secretary"
    actions.key_down(Keys.SHIFT).send_keys(Keys.ARROW_RIGHT).send_keys(Keys.ARROW_RIGHT)
    actions.key_up(Keys.SHIFT).perform()
    assert browser.execute_script("return getSelection().toString()") == "Secretary of State"
    ActionChains(browser).send_keys("a").perform()
    box = wait_for(
        browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover [role=combobox]")
    )
    assert box.get_attribute("value") == "Secretary of State"
    create = wait_for(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover .ws-create"))
    for _ in range(10):  # down to the "Create a new actor" option at the end of the list
        if create.get_attribute("aria-selected") == "true":
            break
        box.send_keys(Keys.ARROW_DOWN)
    box.send_keys(Keys.ENTER)
    form = wait_for(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover form"))
    assert form.find_element(By.NAME, "name").get_attribute("value") == "Secretary of State"
    form.find_element(By.NAME, "name").clear()
    form.find_element(By.NAME, "name").send_keys("US Secretary of State (office)")
    form.find_element(By.NAME, "kind").send_keys("Organisation")
    form.find_element(By.NAME, "role").send_keys("Head of the State Department")
    form.find_element(By.NAME, "role").send_keys(Keys.ENTER)
    status(browser, "Linked")
    actor = Actor.objects.get(name="US Secretary of State (office)")
    assert (actor.kind, actor.role) == ("organization", "Head of the State Department")
    assert Mention.objects.get().actor == actor
    assert mark_texts(browser, "actor") == ["Secretary of State"]


def test_create_a_quote_with_a_speaker(browser, live_server, draft):
    """Select the quoted words (marks included), press Q, pick the speaker, give the cue."""
    open_workspace(browser, live_server, "annie", draft)
    select_words(browser, f'"{CONDEMN},"')
    ActionChains(browser).send_keys("q").perform()
    pop = popover(browser)
    assert f"Quote “{CONDEMN[:49]}" in pop.text
    speaker = pop.find_element(By.CSS_SELECTOR, "[role=combobox]")
    speaker.send_keys("Blink")
    wait_for(
        browser,
        lambda b: (
            "Antony Blinken" in b.find_element(By.CSS_SELECTOR, "#ws-popover [role=listbox]").text
        ),
    )
    speaker.send_keys(Keys.ENTER)
    wait_for(
        browser, lambda b: "Speaker: Antony Blinken" in b.find_element(By.ID, "ws-popover").text
    )
    pop.find_element(By.NAME, "cue").send_keys("said")
    pop.find_element(By.XPATH, ".//button[.='Save quote']").click()
    status(browser, "Linked")
    quote = Quote.objects.get()
    assert (quote.text, quote.speaker.slug, quote.cue, quote.kind) == (
        CONDEMN, "antony-blinken", "said", "direct",
    )  # fmt: skip
    assert Mention.objects.get().quote == quote
    assert mark_texts(browser, "quote") == [CONDEMN]


def test_accept_and_reject_suggestions(browser, live_server, draft):
    """Suggest shows dashed proposals; accepting one makes it a mention, rejecting removes it."""
    open_workspace(browser, live_server, "annie", draft)
    browser.find_element(By.ID, "ws-suggest").click()
    status(browser, "new suggestion(s)")
    pending = browser.find_elements(By.CSS_SELECTOR, "#ws-body mark.ws-pending")
    assert len(pending) == Suggestion.objects.filter(status="pending").count() > 5
    browser.find_element(
        By.CSS_SELECTOR, "button.ws-accept[aria-label='Accept actor suggestion “Antony Blinken”']"
    ).click()
    status(browser, "Accepted “Antony Blinken” → Antony Blinken")
    assert Mention.objects.get().actor.slug == "antony-blinken"
    assert mark_texts(browser, "actor")[0] == "Antony Blinken"
    browser.find_element(
        By.CSS_SELECTOR, "button.ws-reject[aria-label='Reject quote suggestion “restraint”']"
    ).click()
    status(browser, "Rejected the suggestion “restraint”")
    assert Suggestion.objects.get(exact="restraint").status == "rejected"
    remaining = browser.find_elements(By.CSS_SELECTOR, "#ws-body mark.ws-pending")
    assert len(remaining) == len(pending) - 2
    assert not csp_errors(browser)


def test_edit_the_text_and_the_spans_follow(browser, live_server, seed):
    """Correcting the seed's "Secretary of Condition": every span stays on its words."""
    make_user("eddie", "Editors")
    before = {str(m.uid): m.exact for m in seed.mentions.all()}
    open_workspace(browser, live_server, "eddie", seed)
    browser.find_element(By.CSS_SELECTOR, "#ws-edit summary").click()
    area = browser.find_element(By.ID, "ws-edit-body")
    browser.execute_script(
        "arguments[0].value = arguments[0].value.replace('Secretary of Condition', "
        "'Secretary of State')",
        area,
    )
    browser.find_element(By.ID, "ws-edit-message").send_keys("Fix a mistranslation")
    browser.find_element(By.ID, "ws-edit-save").click()
    assert "Saved the text" in after_save(browser)
    spans = browser.execute_script(
        """
        const seen = {};
        for (const m of document.querySelectorAll("#ws-body mark.ws-m")) {
          const text = Array.from(m.querySelectorAll(".ws-t"), (t) => t.textContent).join("");
          const key = m.dataset.key.slice(2);
          seen[key] = (seen[key] || "") + text;
        }
        return seen;
        """
    )
    assert set(spans) == set(before)
    for uid, text in spans.items():
        expected = "Secretary of State" if before[uid] == "Secretary of Condition" else before[uid]
        assert text == expected
    assert browser.find_element(By.ID, "ws-orphans-heading").text == "Orphans (0)"


def test_an_orphan_appears_when_its_words_are_deleted(browser, live_server, draft):
    """Deleting a mention's words lists it under Orphans with its old words, to place again."""
    open_workspace(browser, live_server, "annie", draft)
    select_words(browser, "El-Sisi")
    popover(browser).find_element(By.XPATH, ".//button[contains(., 'Actor')]").click()
    wait_for(browser, lambda b: "Abdel Fattah al-Sisi" in b.find_element(By.ID, "ws-popover").text)
    browser.find_element(By.CSS_SELECTOR, "#ws-popover [role=combobox]").send_keys(Keys.ENTER)
    status(browser, "Linked")
    browser.find_element(By.CSS_SELECTOR, "#ws-edit summary").click()
    area = browser.find_element(By.ID, "ws-edit-body")
    browser.execute_script(
        "arguments[0].value = arguments[0].value.replace('El-Sisi then met', 'He then met')", area
    )
    browser.find_element(By.ID, "ws-edit-save").click()
    after_save(browser)
    assert browser.find_element(By.ID, "ws-orphans-heading").text == "Orphans (1)"
    orphan = browser.find_element(By.CSS_SELECTOR, ".ws-orphan")
    assert "El-Sisi" in orphan.find_element(By.CSS_SELECTOR, "mark.ws-old").text
    assert "Actor: Abdel Fattah al-Sisi" in orphan.text
    assert mark_texts(browser, "actor") == []
    # Place it again on the words that now name him.
    wait_for(browser, lambda b: b.execute_script("return !!window.briefingsWorkspace"))
    select_words(browser, "Abdel Fattah al-Sissi")
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    browser.find_element(By.CSS_SELECTOR, ".ws-orphan .ws-replace").click()
    status(browser, "Placed “El-Sisi” on “Abdel Fattah al-Sissi”")
    m = Mention.objects.get()
    assert (m.exact, m.anchor_state) == ("Abdel Fattah al-Sissi", "anchored")
    assert browser.find_element(By.ID, "ws-orphans-heading").text == "Orphans (0)"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_workspace_passes_axe(browser, live_server, seed, scheme):
    """No serious or critical axe-core violation, with suggestions pending and a pop-up open."""
    source = require_axe()
    make_user("eddie", "Editors")
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"media": "", "features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    try:
        open_workspace(browser, live_server, "eddie", seed)
        browser.find_element(By.ID, "ws-suggest").click()
        status(browser, "suggestion")
        violations = axe_violations(browser, source)
        assert not violations, describe_violations(violations)
        select_words(browser, "Ned Price")
        popover(browser).find_element(By.XPATH, ".//button[contains(., 'Actor')]").click()
        wait_for(
            browser,
            lambda b: (
                "Ned Price" in b.find_element(By.CSS_SELECTOR, "#ws-popover [role=listbox]").text
            ),
        )
        violations = axe_violations(browser, source)
        assert not violations, describe_violations(violations)
        assert not csp_errors(browser)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})


def test_create_an_event_from_a_selection(browser, live_server, draft):
    """Press E on a selection, create the event inline (kind, date, killed), and it is linked."""
    open_workspace(browser, live_server, "annie", draft)
    select_words(browser, "a gunman killed seven people")
    ActionChains(browser).send_keys("e").perform()
    box = wait_for(
        browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover [role=combobox]")
    )
    box.send_keys("Jerusalem synagogue attack")
    wait_for(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover .ws-create"))
    browser.find_element(By.CSS_SELECTOR, "#ws-popover .ws-create").click()
    form = wait_for(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover form"))
    assert form.find_element(By.NAME, "title").get_attribute("value") == (
        "Jerusalem synagogue attack"
    )
    form.find_element(By.NAME, "kind").send_keys("Attack")
    browser.execute_script("arguments[0].value = '2023-01-27'", form.find_element(By.NAME, "date"))
    form.find_element(By.NAME, "fatalities").send_keys("7")
    form.find_element(By.XPATH, ".//button[.='Create and link']").click()
    status(browser, "Linked “a gunman killed seven people” to Jerusalem synagogue attack.")
    event = Mention.objects.get().event
    assert (event.kind, event.date.isoformat(), event.fatalities, event.injured) == (
        "attack", "2023-01-27", 7, None,
    )  # fmt: skip
    assert mark_texts(browser, "event") == ["a gunman killed seven people"]


def test_date_suggestion_fills_the_event_date_and_notes_and_deletes_are_one_click_away(
    browser, live_server, draft
):
    """Accept a date for the event picked in its pop-up (its date is written), then open the
    new mention, give it a note, and, as an Editor, delete it."""
    from briefings.models import Event

    Event.objects.create(title="Jerusalem attack", slug="jerusalem-attack", kind="attack")
    make_user("eddie", "Editors")
    open_workspace(browser, live_server, "eddie", draft)
    browser.find_element(By.ID, "ws-suggest").click()
    status(browser, "new suggestion(s)")
    browser.find_element(
        By.CSS_SELECTOR, "button.ws-accept[aria-label='Accept date suggestion “Friday”']"
    ).click()
    pop = popover(browser)
    box = pop.find_element(By.CSS_SELECTOR, "[role=combobox]")
    box.send_keys("Jerusalem")
    wait_for(
        browser,
        lambda b: (
            "Jerusalem attack" in b.find_element(By.CSS_SELECTOR, "#ws-popover [role=listbox]").text
        ),
    )
    box.send_keys(Keys.ENTER)
    assert pop.find_element(By.NAME, "fill_date").is_selected()
    pop.find_element(By.XPATH, ".//button[.='Accept date']").click()
    status(browser, "and dated the event")
    event = Event.objects.get()
    assert (event.date.isoformat(), event.date_precision, event.date_text) == (
        "2023-01-27", "day", "Friday",
    )  # fmt: skip
    m = Mention.objects.get()
    mark = browser.find_element(By.CSS_SELECTOR, f"#ws-body mark[data-key='m-{m.uid}']")
    mark.click()
    pop = popover(browser)
    assert "Event: Jerusalem attack" in pop.text
    pop.find_element(By.NAME, "note").send_keys("Weekday resolved against the dateline.")
    pop.find_element(By.XPATH, ".//button[.='Save note']").click()
    status(browser, "Saved the note.")
    m.refresh_from_db()
    assert m.note == "Weekday resolved against the dateline."
    browser.find_element(By.CSS_SELECTOR, f"#ws-body mark[data-key='m-{m.uid}']").click()
    popover(browser).find_element(By.XPATH, ".//button[.='Delete']").click()
    status(browser, "Deleted the annotation “Friday”.")
    assert not Mention.objects.exists()


def test_link_a_place_created_inline(browser, live_server, draft):
    """Select a place name, press P, create the place: the words are linked to it."""
    open_workspace(browser, live_server, "annie", draft)
    select_words(browser, "Cairo")
    ActionChains(browser).send_keys("p").perform()
    box = wait_for(
        browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover [role=combobox]")
    )
    wait_for(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover .ws-create"))
    box.send_keys(Keys.ENTER)  # no place yet: the only option is to create it
    form = wait_for(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#ws-popover form"))
    form.find_element(By.NAME, "country").send_keys("Egypt")
    form.find_element(By.NAME, "country").send_keys(Keys.ENTER)
    status(browser, "Linked “Cairo” to Cairo.")
    place = Mention.objects.get().place
    assert (place.name, place.country, place.slug) == ("Cairo", "Egypt", "cairo")
    assert mark_texts(browser, "place") == ["Cairo"]
