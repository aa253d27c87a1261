"""Plain-text normalisation and safe display of what people typed."""

from __future__ import annotations

import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.sanitize import LINK_REL, linkify, normalise_text

XSS_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "xss"


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector


def assert_only_safe_links(html: str) -> None:
    for tag, attrs in parse(html).tags:
        assert tag == "a", html
        assert set(attrs) == {"href", "rel"}, html
        assert attrs["href"].lower().startswith(("http://", "https://")), html
        assert attrs["rel"] == LINK_REL


def test_normalise_composes_unicode_and_keeps_only_newlines_among_controls():
    assert normalise_text("Cafe\u0301\r\nline\x00two\x07\tend\x1b ") == "Café\nlinetwo end"


def test_normalise_trims_outer_whitespace_and_treats_none_as_empty():
    assert normalise_text("  \n hello \n ") == "hello"
    assert normalise_text(None) == ""


# Unicode's bidirectional formatting characters: embeddings and overrides, isolates, and the three marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _normalise_by_category(text: str | None) -> str:
    """The definition, one character at a time: what normalise_text must keep doing."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(ch for ch in text
                   if ch == "\n" or (unicodedata.category(ch) != "Cc" and ch not in BIDI_CONTROLS)).strip()


def test_the_bidi_controls_are_every_explicit_formatting_character_and_the_three_marks():
    explicit = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
    found = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.bidirectional(chr(c)) in explicit}
    marks = {ch for ch in BIDI_CONTROLS if unicodedata.name(ch).endswith("MARK")}
    assert found | marks == BIDI_CONTROLS and len(marks) == 3


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_normalise_removes_each_bidirectional_control(control):
    assert normalise_text(f"rlo{control}evil{control}\u202c end") == "rloevil end"


def test_normalise_removes_exactly_the_control_characters_but_newline_and_the_bidi_controls():
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    kept = normalise_text("a" + every + "a")
    removed = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cc"} - {"\n"}
    removed |= BIDI_CONTROLS
    assert not removed & set(kept)
    assert kept == _normalise_by_category("a" + every + "a")


_controls_and_text = st.lists(st.one_of(
    st.characters(max_codepoint=0xA0), st.characters(categories=("Cc", "Zs", "Mn", "Lu", "Ll", "Lo")),
    st.sampled_from(["\r\n", "\r", "\t", "\n", "e\u0301", "\u0085", "\u2028", "\ufeff"]))).map("".join)


@given(st.one_of(st.none(), st.text(), _controls_and_text))
def test_normalise_matches_the_per_character_definition(text):
    assert normalise_text(text) == _normalise_by_category(text)


def test_linkify_escapes_markup_and_links_web_addresses():
    html = str(linkify('<b>see</b> https://example.org/a?b=1&c=2 "quoted"'))
    assert "&lt;b&gt;see&lt;/b&gt;" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener ugc">' in html
    assert_only_safe_links(html)


@pytest.mark.parametrize("text", ["javascript:alert(1)", "data:text/html,<script>x</script>", "vbscript:msgbox"])
def test_linkify_never_links_other_schemes(text):
    html = str(linkify(text))
    assert "<a" not in html
    assert_only_safe_links(html)


@given(st.text(max_size=300))
def test_linkify_output_has_no_tags_but_safe_links(text):
    assert_only_safe_links(str(linkify(normalise_text(text))))


def xss_payloads() -> list[str]:
    if not XSS_CORPUS.is_dir():
        return []
    lines = []
    for path in sorted(XSS_CORPUS.glob("*.txt")):
        lines += [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return lines


def test_no_xss_payload_survives_linkify():
    payloads = xss_payloads()
    if not payloads:
        pytest.skip("../shared/corpora/xss is not beside the repository")
    for payload in payloads:
        assert_only_safe_links(str(linkify(normalise_text(payload))))


def test_linkify_from_many_threads_at_once_gives_each_text_its_own_result():
    """gunicorn's threaded workers (GUNICORN_THREADS) render pages in parallel; bleach's parser is not shared."""
    texts = [f"<b>{i}</b> see https://example.org/{i}?q={'x' * (i % 37)} & <a href='javascript:{i}'>" + "word " * i
             for i in range(200)]
    expected = [linkify(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            assert list(pool.map(linkify, texts)) == expected
