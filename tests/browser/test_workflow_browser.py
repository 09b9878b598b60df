"""The editorial workflow in a real browser: an Annotator submits, an Editor publishes, a reader
reads."""

import urllib.error
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from briefings.models import Article, AuditEntry
from tests.conftest import make_user
from tests.test_workflow import make_article

pytestmark = [
    pytest.mark.browser,
    # Live-server tests flush the database afterwards; the roles come from a data migration.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "correct-horse-battery"


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def log_in(browser, live_server, username: str, next_path: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/admin/login/?next={next_path}")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.ID, "article_form")))


def click_and_read_message(browser, button_name: str) -> str:
    browser.find_element(By.NAME, button_name).click()
    message = WebDriverWait(browser, 10).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".messagelist li"))
    )
    return message.text


def csp_errors(browser) -> list[str]:
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]


def test_annotator_submits_editor_publishes_reader_reads(browser, live_server):
    """Submit in the admin as an Annotator, publish as an Editor, then the public page is up."""
    make_user("annie", "Annotators")
    make_user("eddie", "Editors")
    article = make_article()
    change = f"/admin/briefings/article/{article.pk}/change/"
    public = f"{live_server.url}/briefings/{article.slug}/"
    assert status_of(public) == 404

    log_in(browser, live_server, "annie", change)
    assert browser.find_element(By.CSS_SELECTOR, ".workflow-state").text == "Draft"
    assert not browser.find_elements(By.NAME, "publish-now")
    message = click_and_read_message(browser, "submit-for-review")
    assert message == f"“{article.title}” submitted for review."
    assert browser.find_element(By.CSS_SELECTOR, ".workflow-state").text == "In review"
    assert csp_errors(browser) == []
    assert status_of(public) == 404

    log_in(browser, live_server, "eddie", change)
    message = click_and_read_message(browser, "publish-now")
    assert message == f"“{article.title}” published."
    assert browser.find_element(By.CSS_SELECTOR, ".workflow-state").text == "Published"
    assert csp_errors(browser) == []

    browser.delete_all_cookies()
    assert status_of(public) == 200
    browser.get(public)
    assert browser.find_element(By.TAG_NAME, "h1").text == article.title
    assert not browser.find_elements(By.CSS_SELECTOR, ".preview-banner")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    actions = list(
        AuditEntry.objects.filter(article=article)
        .order_by("id")
        .values_list("action", "user__username")
    )
    assert actions == [("submitted", "annie"), ("approved", "eddie"), ("published", "eddie")]


def test_editor_sends_back_with_a_comment_the_annotator_then_sees(browser, live_server):
    """The reviewer's comment typed in the admin is shown to the annotator on the change page."""
    make_user("annie", "Annotators")
    make_user("eddie", "Editors")
    article = make_article()
    Article.objects.filter(pk=article.pk).update(status="review")
    change = f"/admin/briefings/article/{article.pk}/change/"

    log_in(browser, live_server, "eddie", change)
    browser.find_element(By.NAME, "comment").send_keys("Spell Sisi one way throughout.")
    message = click_and_read_message(browser, "send-back")
    assert message == f"“{article.title}” sent back to draft with your comment."

    log_in(browser, live_server, "annie", change)
    comment = browser.find_element(By.ID, "review-comment").text
    assert comment == "Review comment: Spell Sisi one way throughout."
