"""Hostile text in every stored field stays text on every public page, the feed and the JSON-LD."""

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission

from briefings.models import Event, Mention
from tests.conftest import make_user
from tests.page_data import (
    make_actor,
    make_article,
    make_event,
    make_place,
    make_quote,
    participate,
)

PAYLOAD = (
    '<script>alert("x")</script>"><img src=x onerror=alert(1)></script>{{ 7|add:42 }}{% now "Y" %}'
)
ATOM = "{http://www.w3.org/2005/Atom}"


def hostile_body() -> tuple[str, dict[str, tuple[int, int]]]:
    """A body with the payload everywhere, and where each span to annotate lies."""
    parts = [
        ("", f"{PAYLOAD} First paragraph: "),
        ("actor", f"Actor {PAYLOAD}"),
        ("", " said "),
        ("quote", f'"{PAYLOAD} quoted words"'),
        ("", " at "),
        ("event", f"the {PAYLOAD} event"),
        ("", " in "),
        ("place", f"{PAYLOAD} town"),
        ("", f".\n\n## {PAYLOAD} subheading\n\n{PAYLOAD} last paragraph."),
    ]
    body, spans = "", {}
    for kind, text in parts:
        if kind:
            spans[kind] = (len(body), len(body) + len(text))
        body += text
    return body, spans


@pytest.fixture
def hostile(db):
    """A published briefing where every stored text field carries the payload."""
    body, spans = hostile_body()
    article = make_article(
        slug="hostile",
        title=f"Title {PAYLOAD}",
        standfirst=f"Standfirst {PAYLOAD}",
        body=body,
        source=f"Source {PAYLOAD}",
        source_url=f"https://example.org/?q={PAYLOAD}",
        agency=f"Agency {PAYLOAD}",
        translated_from="fr",
        review_comment=PAYLOAD,
    )
    actor = make_actor(
        f"Actor {PAYLOAD}",
        slug="hostile-actor",
        role=f"Role {PAYLOAD}",
        description=f"Description {PAYLOAD}",
        aliases=[f"Alias {PAYLOAD}", PAYLOAD],
        kind="organization",
    )
    place = make_place(f"Place {PAYLOAD}", slug="hostile-place", country=PAYLOAD)
    event = make_event(
        f"Event {PAYLOAD}",
        slug="hostile-event",
        kind=Event.Kind.ATTACK,
        place=place,
        date_text=PAYLOAD,
        description=f"Event description {PAYLOAD}",
        fatalities=3,
    )
    participate(event, actor, "perpetrator")
    quote = make_quote(
        article, f"Quote {PAYLOAD}", actor, cue=PAYLOAD[:50], addressee=actor, event=event
    )
    targets = {"actor": actor, "quote": quote, "event": event, "place": place}
    for kind, (start, end) in spans.items():
        Mention.objects.create(
            article=article,
            start=start,
            end=end,
            exact=body[start:end],
            note=f"Note {PAYLOAD}",
            reason=PAYLOAD,
            **{kind: targets[kind]},
        )
    return article


OWN_SCRIPTS = {"/static/briefings/suggest.js"}


class Inspector(HTMLParser):
    """Records anything in a page that could run: elements, handlers, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.json_blocks: list[str] = []
        self.text: list[str] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"img", "iframe", "object", "embed", "svg", "math", "base"}:
            self.problems.append(f"<{tag}> element {attrs}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"handler {name}={value!r} on <{tag}>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                ("javascript:", "data:")
            ):
                self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "script":
            data = attrs.get("type") == "application/ld+json" and "src" not in attrs
            # Our own modules, served from static files (the CSP allows nothing else to run).
            ours = attrs.get("type") == "module" and attrs.get("src") in OWN_SCRIPTS
            if ours:
                return
            if not data:
                self.problems.append(f"<script {attrs}>")
            self._in_script = attrs
            self.json_blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.json_blocks[-1] += data
        else:
            self.text.append(data)


def inspect(page: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(page)
    inspector.close()
    return inspector


def assert_inert(page: str, *, shown: bool = True) -> Inspector:
    """Nothing in the page can run; the payload, when shown, reads as the text it is."""
    found = inspect(page)
    assert found.problems == []
    # The template language never runs on stored text.
    assert "49" not in "".join(found.text).replace(PAYLOAD, "")
    if shown:
        assert PAYLOAD in "".join(found.text)
    for block in found.json_blocks:
        assert "<" not in block and ">" not in block
        json.loads(block)
    return found


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?actor=hostile-actor",
        "/?place=hostile-place&event_kind=attack",
        "/briefings/hostile/",
        "/actors/hostile-actor/",
        "/events/hostile-event/",
        "/search/?q=Actor",
        "/search/?q=Quote",
        "/search/?q=Title",
    ],
)
def test_pages_render_the_payload_as_text(client, hostile, url):
    """Every page that shows stored text shows the payload as text and runs nothing."""
    response = client.get(url)
    assert response.status_code == 200
    assert_inert(response.content.decode())


def test_search_echoes_a_hostile_query_as_text(client, hostile):
    """The query itself is echoed into the title, the input and the 'nothing found' line."""
    response = client.get("/search/", {"q": PAYLOAD})
    assert response.status_code == 200
    found = assert_inert(response.content.decode(), shown=False)
    assert PAYLOAD.split("{{")[0] in "".join(found.text)


def test_invalid_filter_messages_echo_nothing_that_runs(client, hostile):
    """A hostile filter value gives a 400 whose message and form are inert."""
    response = client.get("/", {"actor": PAYLOAD, "date_from": PAYLOAD, "q": "x"})
    assert response.status_code == 400
    assert_inert(response.content.decode(), shown=False)


def test_preview_renders_the_payload_as_text(client, hostile):
    """The staff preview draws the same escaped markup."""
    staff = make_user("viewer")
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(staff)
    response = client.get("/briefings/hostile/?preview=1")
    assert "Preview." in response.content.decode()
    assert_inert(response.content.decode())


def test_briefing_json_ld_keeps_the_payload_as_data(client, hostile):
    """The JSON-LD cannot be closed early and still carries every field exactly."""
    page = client.get("/briefings/hostile/").content.decode()
    (block,) = inspect(page).json_blocks
    data = json.loads(block)
    assert data["headline"] == f"Title {PAYLOAD}"
    assert data["description"] == f"Standfirst {PAYLOAD}"
    assert data["mentions"][0]["name"] == f"Actor {PAYLOAD}"
    assert data["about"][0]["name"] == f"Event {PAYLOAD}"
    assert data["hasPart"][0]["text"] == f"Quote {PAYLOAD}"
    assert page.count("</script>") == page.count("<script")


def test_annotated_text_keeps_every_character(client, hostile):
    """Escaping loses nothing: the text section reads exactly as the body."""
    page = client.get("/briefings/hostile/").content.decode()
    section = page.split('class="article-text"')[1].split("</section>")[0]
    text = "".join(inspect("<div " + section).text)
    for paragraph in hostile.body.split("\n\n"):
        assert paragraph.removeprefix("## ") in text


def test_feed_keeps_the_payload_as_text(client, hostile):
    """Atom titles are text; summaries are HTML-escaped so readers show them as text."""
    response = client.get("/feeds/briefings/")
    feed = ET.fromstring(response.content)
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == f"Title {PAYLOAD}"
    summary = entry.find(f"{ATOM}summary").text
    assert "<" not in summary and ">" not in summary
    assert entry.find(f"{ATOM}author/{ATOM}name").text == f"Source {PAYLOAD}"


def test_sitemap_and_robots_carry_no_payload(client, hostile):
    """Crawler files hold addresses only."""
    for url in ("/sitemap.xml", "/sitemap-briefings.xml", "/sitemap-actors.xml", "/robots.txt"):
        body = client.get(url).content.decode()
        assert "<script" not in body and "onerror" not in body


def test_not_found_page_does_not_echo_the_path(client, db):
    """A hostile address gives the plain 404 page."""
    response = client.get("/briefings/%3Cscript%3Ealert(1)%3C%2Fscript%3E/")
    assert response.status_code == 404
    assert_inert(response.content.decode(), shown=False)
