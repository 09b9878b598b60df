"""briefings.render: the annotated text and the small texts around it, without a database."""

import datetime
import html
import json
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.render import (
    Html,
    Span,
    highlight,
    iso_date,
    json_ld,
    render_body,
    search_terms,
    snippet,
    split_blocks,
    tally,
)


class Tree(HTMLParser):
    """Checks markup is well nested and records text, links and ids."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.ids: list[str] = []
        self.nested_links = 0
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "a" and "a" in self.stack:
            self.nested_links += 1
        if "id" in attrs:
            self.ids.append(attrs["id"])
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

    def close(self):
        super().close()
        if self.stack:
            self.problems.append(f"left open: {self.stack}")


def parse(markup: str) -> Tree:
    tree = Tree()
    tree.feed(markup)
    tree.close()
    return tree


def test_blocks_are_paragraphs_and_subheadings_with_body_offsets():
    """Blank lines separate paragraphs; '## ' marks a subheading and is not part of its text."""
    body = "First para.\n\n## The fear\n\nSecond\nline.\n\n\n  \n\nThird."
    blocks = split_blocks(body)
    assert [(tag, body[s:e]) for tag, s, e in blocks] == [
        ("paragraph", "First para."),
        ("subheading", "The fear"),
        ("paragraph", "Second\nline."),
        ("paragraph", "Third."),
    ]


def test_stored_text_is_escaped_in_the_body():
    """Markup characters in the body come out as text, never as tags."""
    body = 'A <script>alert(1)</script> "><img src=x onerror=alert(1)> & {{ x }}'
    (block,) = render_body(body, [])
    assert "<script" not in block.html and "<img" not in block.html
    assert html.unescape(block.html) == body
    assert isinstance(block.html, Html) and block.html.__html__() == block.html


def test_attributes_from_stored_text_are_escaped():
    """A label or link with quotes cannot break out of its attribute."""
    span = Span(0, 4, "actor", href='/a/" onclick="x', anchor='m" onmouseover="x', label='"><b>')
    (block,) = render_body("Name here", [span])
    tree = parse(block.html)
    ((tag, attrs),) = tree.tags
    assert tag == "a"
    assert set(attrs) == {"href", "class", "id", "title"}
    assert attrs["title"] == '"><b>'


def test_quote_holding_a_name_nests_the_link_inside_the_quote():
    """A quote containing an actor mention wraps the link: <span quote><a actor>…</a></span>."""
    body = 'He said "we met Blinken today" there.'
    quote = Span(9, 29, "quote", anchor="quote-1")
    actor = Span(16, 23, "actor", href="/actors/blinken/", anchor="m-1")
    (block,) = render_body(body, [actor, quote])
    assert block.html == (
        'He said &quot;<span class="m m-quote" id="quote-1">we met '
        '<a href="/actors/blinken/" class="m m-actor" id="m-1">Blinken</a>'
        " today</span>&quot; there."
    )


def test_crossing_spans_are_split_and_stay_well_nested():
    """Two spans that cross are cut so every element closes inside its parent."""
    body = "abcdefghijklmnop"
    spans = [Span(0, 10, "quote", anchor="q"), Span(5, 15, "actor", href="/x/", anchor="a")]
    (block,) = render_body(body, spans)
    tree = parse(block.html)
    assert tree.problems == []
    assert "".join(tree.text) == body
    assert tree.ids == ["q", "a"]


def test_links_never_nest_the_innermost_wins():
    """An actor inside an event mention is the link there; the event is a plain mark around it."""
    body = "Israeli forces raided Jenin on Thursday."
    event = Span(0, 39, "event", href="/events/raid/", anchor="m-e")
    place = Span(22, 27, "place", href="/?place=jenin", anchor="m-p")
    (block,) = render_body(body, [event, place])
    tree = parse(block.html)
    assert tree.nested_links == 0 and tree.problems == []
    links = [attrs["href"] for tag, attrs in tree.tags if tag == "a"]
    assert links == ["/events/raid/", "/?place=jenin", "/events/raid/"]
    assert "".join(tree.text) == body


def test_identical_spans_put_the_quote_outside():
    """A quote and a name over exactly the same words: the quote wraps the link."""
    (block,) = render_body("appalling", [Span(0, 9, "actor", "/a/"), Span(0, 9, "quote")])
    assert block.html.startswith('<span class="m m-quote"><a href="/a/"')


def test_span_over_a_paragraph_break_is_drawn_in_both_with_one_anchor():
    """A span crossing paragraphs appears in each; its id is on the first piece only."""
    body = "One two.\n\nThree four."
    (first, second) = render_body(body, [Span(4, 15, "event", "/events/e/", anchor="m-1")])
    assert 'id="m-1"' in first.html and "id=" not in second.html
    assert ">two.</a>" in first.html and ">Three</a>" in second.html


def test_span_outside_the_text_or_empty_is_ignored():
    """Degenerate spans draw nothing and break nothing."""
    (block,) = render_body("Short.", [Span(3, 3, "actor", "/a/"), Span(50, 60, "actor", "/b/")])
    assert block.html == "Short."


@st.composite
def bodies_and_spans(draw):
    words = st.text(alphabet="ab <>&\"'{}", min_size=1, max_size=8)
    paragraphs = draw(st.lists(words, min_size=1, max_size=4))
    heading = draw(st.booleans())
    body = "\n\n".join((["## " + paragraphs[0]] if heading else []) + paragraphs)
    n = len(body)
    spans = []
    for i in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, max(n - 1, 0)))
        end = draw(st.integers(start + 1, n)) if n else 1
        kind = draw(st.sampled_from(["actor", "event", "place", "quote"]))
        href = "" if kind == "quote" else f"/{kind}/{i}/"
        spans.append(Span(start, end, kind, href, anchor=f"m-{i}"))
    return body, spans


@settings(max_examples=300, deadline=None)
@given(bodies_and_spans())
def test_any_spans_give_well_nested_escaped_markup_with_the_text_intact(data):
    """Whatever the spans (nested, crossing, over breaks), the markup is balanced, links do not
    nest, each anchor appears at most once and the visible text is exactly the body's blocks."""
    body, spans = data
    blocks = render_body(body, spans)
    ids = []
    for block in blocks:
        tree = parse(block.html)
        assert tree.problems == []
        assert tree.nested_links == 0
        assert {tag for tag, _ in tree.tags} <= {"a", "span"}
        assert "".join(tree.text) == body[block.start : block.end]
        ids.extend(tree.ids)
    assert len(ids) == len(set(ids))


def test_tally_says_at_least_when_a_count_is_missing():
    """Unknown counts make the sum a lower bound; no known count at all is 'not reported'."""
    assert str(tally([7, 10, None, 1])) == "at least 18"
    assert str(tally([7, 10])) == "17"
    assert str(tally([None, None])) == "not reported"
    assert str(tally([])) == "not reported"
    assert str(tally([0])) == "0"


def test_iso_date_follows_precision():
    """The machine-readable date is as precise as the source, no more."""
    day = datetime.date(2023, 1, 27)
    assert iso_date(day, "day") == "2023-01-27"
    assert iso_date(day, "month") == "2023-01"
    assert iso_date(datetime.date(1979, 1, 1), "year") == "1979"


def test_json_ld_cannot_end_its_script_element():
    """'</script>', '<!--' and '&' are written as \\u escapes; the JSON still means the same."""
    data = {"headline": "</script><script>alert(1)</script><!-- & -->"}
    text = json_ld(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_highlight_marks_matches_and_escapes_the_rest():
    """Matches are wrapped in <mark>; everything is escaped, including the matched words."""
    marked = highlight("Blinken <b>met</b> Sisi; blinken", search_terms("blinken"))
    assert marked == ("<mark>Blinken</mark> &lt;b&gt;met&lt;/b&gt; Sisi; <mark>blinken</mark>")
    # Matching happens before escaping: "amp" never matches inside an entity it produced.
    assert highlight("a<b & amp", search_terms("amp")) == "a&lt;b &amp; <mark>amp</mark>"


def test_highlight_marks_word_forms_found_by_stemming():
    """'killing' in the query marks 'killed' in the text, as full-text search matches both."""
    assert "<mark>killed</mark>" in highlight("Ten were killed.", search_terms("killing"))


def test_snippet_is_cut_around_the_first_match():
    """A long text is shortened around the match with ellipses, the match marked."""
    text = "word " * 100 + "Netanyahu spoke. " + "more " * 100
    cut = snippet(text, search_terms("netanyahu"), width=80)
    assert cut.startswith("… ") and cut.endswith(" …")
    assert "<mark>Netanyahu</mark>" in cut
    assert len(re.sub("<[^>]+>", "", cut)) < 100
